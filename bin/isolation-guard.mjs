#!/usr/bin/env node
// The CLI runs from its bundle (npm run build writes dist/cli.mjs), so it starts fast and needs no TypeScript at run time.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const bundle = fileURLToPath(new URL('../dist/cli.mjs', import.meta.url));
if (!existsSync(bundle)) {
  process.stderr.write(`isolation-guard: ${bundle} is missing; run 'npm run build' first\n`);
  process.exit(2);
}
await import(bundle);
