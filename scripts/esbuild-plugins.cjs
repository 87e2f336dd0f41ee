// esbuild plugins of the Lambda bundles (serverless.yml, custom.esbuild.plugins; bench/run.ts).
//
// zod-english-only: zod 4's `z` namespace re-exports every locale's error messages (258 KB of the
// 1 MB minified enforce bundle, parsed at every cold start); the service uses the English ones,
// which zod configures by default. `z.locales` then holds `en` only.
const path = require('node:path');

const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) => {
      if (!/[\\/]node_modules[\\/]zod[\\/]/.test(args.importer)) return undefined;
      return { path: path.join(path.dirname(args.importer), '..', 'locales', 'en.js'), namespace: 'zod-english-only' };
    });
    build.onLoad({ filter: /.*/, namespace: 'zod-english-only' }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(args.path)};`,
      resolveDir: path.dirname(args.path),
      loader: 'js',
    }));
  },
};

module.exports = [zodEnglishOnly];
