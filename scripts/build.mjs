// Bundles the CLI into dist/cli.mjs. The Lambda bundles are built by serverless-esbuild at package time.
import { readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { build } from 'esbuild';

// zod's `locales` namespace (every language's messages, 361 KB of its 755 KB chunk, compiled by every
// command at start-up) kept to English, by the plugin the Lambda bundles use (docs/performance.md).
const { zodEnglishOnly } = createRequire(import.meta.url)('./esbuild-plugins.cjs');

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
