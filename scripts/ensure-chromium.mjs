// The reports are tested in headless Chromium, and their PDFs read back with poppler's pdftotext.
// Debian's packages are the tools (no browser download at run time); this installs them when
// missing (as root, with apt-get) and says what failed when it cannot.
// Runnable alone: node scripts/ensure-chromium.mjs
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const PDFTOTEXT = '/usr/bin/pdftotext';
const missing = [...(existsSync(CHROMIUM) ? [] : ['chromium']), ...(existsSync(PDFTOTEXT) ? [] : ['poppler-utils'])];
if (missing.length > 0) {
  if (process.getuid?.() !== 0) {
    process.stderr.write(`ensure-chromium: ${missing.join(' and ')} missing; install with sudo apt-get install ${missing.join(' ')} (or set CHROMIUM_PATH)\n`);
    process.exit(1);
  }
  process.stderr.write(`ensure-chromium: installing Debian ${missing.join(', ')} with apt-get\n`);
  for (const args of [['update', '-qq'], ['install', '-y', '-qq', '--no-install-recommends', ...missing]]) {
    const result = spawnSync('apt-get', args, { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    if (result.status !== 0) {
      process.stderr.write(`ensure-chromium: apt-get ${args.join(' ')} failed (exit ${result.status})\n`);
      process.exit(1);
    }
  }
}
process.stdout.write(`chromium at ${CHROMIUM} and pdftotext are ready\n`);
