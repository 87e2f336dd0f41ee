#!/usr/bin/env node
// The CLI runs from its bundle (dist/cli.mjs, built by `npm ci` through the `prepare` script), so it
// starts fast and needs no TypeScript at run time. A checkout without it builds it once, here.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const bundle = fileURLToPath(new URL('../dist/cli.mjs', import.meta.url));
if (!existsSync(bundle)) {
  try {
    await import(new URL('../scripts/build.mjs', import.meta.url).href);
  } catch (error) {
    process.stderr.write(`isolation-guard: ${bundle} is missing and could not be built (${error?.message ?? error}); run 'npm ci' first\n`);
    process.exit(2);
  }
}
await import(bundle);
