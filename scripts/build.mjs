// Bundles the CLI into dist/cli.mjs. The Lambda bundles are built by serverless-esbuild at package time.
import { readdirSync, rmSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { build } from 'esbuild';

/**
 * zod's `locales` namespace (`z.locales`, `z.core.locales`) carries the error messages of every language it
 * has, 361 KB of its 755 KB chunk, which every command compiles at start-up (38 ms of CPU for zod's import,
 * measured in docs/performance.md). The CLI speaks English and names none: the namespace keeps `en` only.
 * zod's default messages (`config(en())`) import `locales/en.js` directly and are unchanged.
 */
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(esbuild) {
    esbuild.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      args.importer.includes(`${sep}node_modules${sep}zod${sep}`) ? { path: join(dirname(args.importer), '../locales/en.js'), namespace: 'zod-english-only' } : undefined,
    );
    esbuild.onLoad({ filter: /.*/, namespace: 'zod-english-only' }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(args.path)};`,
      resolveDir: dirname(args.path),
    }));
  },
};

const result = await build({
  entryPoints: { cli: 'cli/index.ts' },
  outdir: 'dist',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  // Each command in its own chunk, loaded when that command runs.
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  platform: 'node',
  // The HCL parser loads its WebAssembly from its own folder: it stays a dependency, not bundled.
  external: ['@cdktn/hcl2json'],
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  // CommonJS dependencies (the AWS SDK) call require() for Node built-ins; an ESM bundle has none.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  metafile: true,
  plugins: [zodEnglishOnly],
});

// Chunks of earlier builds (their names carry a content hash) would otherwise pile up in dist/chunks and be
// packed into the npm tarball: remove every chunk this build did not write.
const written = new Set(Object.keys(result.metafile.outputs).map((path) => path.replaceAll('\\', '/')));
for (const name of readdirSync('dist/chunks')) {
  if (!written.has(`dist/chunks/${name}`)) rmSync(join('dist/chunks', name), { force: true });
}
