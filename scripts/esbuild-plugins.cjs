// esbuild plugins of the Lambda bundles (serverless.yml, custom.esbuild.plugins; bench/run.ts); the CLI's
// build (scripts/build.mjs) uses zod-english-only too.
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

// ssm-client-used-parts: the SSM client is reached only through `import()` (the Slack webhook's
// @middy/ssm, the member role's external id: shared/aws/ssm-client.ts), and esbuild keeps every
// export of a module it evaluates lazily, with all it imports: the whole SSM client (its 150
// commands, the schemas of all of them). Its importers get the client and the three commands they
// use, from the package's own files. A name outside the list fails the build.
const SSM_COMMANDS = ['GetParameterCommand', 'GetParametersCommand', 'GetParametersByPathCommand'];
const ssmClientUsedParts = {
  name: 'ssm-client-used-parts',
  setup(build) {
    build.onResolve({ filter: /^@aws-sdk\/client-ssm$/ }, (args) => {
      if ((build.initialOptions.external ?? []).some((e) => e === '@aws-sdk/*' || e === '@aws-sdk/client-ssm')) return undefined;
      return { path: '@aws-sdk/client-ssm', namespace: 'ssm-client-used-parts', pluginData: { resolveDir: args.resolveDir } };
    });
    build.onLoad({ filter: /.*/, namespace: 'ssm-client-used-parts' }, (args) => ({
      contents: [
        "export { SSMClient } from '@aws-sdk/client-ssm/dist-es/SSMClient.js';",
        ...SSM_COMMANDS.map((c) => `export { ${c} } from '@aws-sdk/client-ssm/dist-es/commands/${c}.js';`),
      ].join('\n'),
      resolveDir: args.pluginData.resolveDir,
      loader: 'js',
    }));
  },
};

// own-names-kept: esbuild's keepNames for the service's own code only (functions/, shared/): an
// error of ours in the logs, alerts and dead-letter queue is named as in the code, not minified.
// keepNames over the whole bundle also pinned the names of the ~2,500 functions and classes of the
// AWS SDK, zod and the rest (their errors carry their names as fields): about 8 ms of each enforce
// cold start (docs/performance.md). Each own file is compiled with keepNames, then bundled as JS
// (its source map inline, which the bundle's map follows).
const { readFile } = require('node:fs/promises');
const ownNamesKept = {
  name: 'own-names-kept',
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, async (args) => {
      if (/[\\/]node_modules[\\/]/.test(args.path)) return undefined;
      const { transform } = require('esbuild');
      const result = await transform(await readFile(args.path, 'utf8'), {
        loader: 'ts',
        format: 'esm',
        target: build.initialOptions.target ?? 'node22',
        keepNames: true,
        sourcemap: 'inline',
        sourcefile: args.path,
        tsconfigRaw: { compilerOptions: { target: 'ES2022', verbatimModuleSyntax: false } },
      });
      // A function declaration's pin is a statement of its own (`__name(f, "f");`) that keeps an
      // unused export from being tree-shaken (the S3 client came back with createAwsClients): dropped.
      const code = result.code.replace(/^\s*__name\(([\w$]+), "\1"\);$/gm, '');
      return { contents: code, loader: 'js', resolveDir: path.dirname(args.path) };
    });
  },
};

module.exports = [zodEnglishOnly, ssmClientUsedParts, ownNamesKept];
module.exports.zodEnglishOnly = zodEnglishOnly;
