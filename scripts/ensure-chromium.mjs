// The audit's HTML report is tested in headless Chromium. Debian's package is the browser (no
// download at run time); this installs it when missing (as root, with apt-get) and says what
// failed when it cannot. Runnable alone: node scripts/ensure-chromium.mjs
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (!existsSync(CHROMIUM)) {
  if (process.getuid?.() !== 0) {
    process.stderr.write(`ensure-chromium: ${CHROMIUM} is missing; install Debian's chromium (sudo apt-get install chromium) or set CHROMIUM_PATH\n`);
    process.exit(1);
  }
  process.stderr.write('ensure-chromium: installing Debian chromium with apt-get\n');
  for (const args of [['update', '-qq'], ['install', '-y', '-qq', '--no-install-recommends', 'chromium']]) {
    const result = spawnSync('apt-get', args, { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    if (result.status !== 0) {
      process.stderr.write(`ensure-chromium: apt-get ${args.join(' ')} failed (exit ${result.status})\n`);
      process.exit(1);
    }
  }
}
process.stdout.write(`chromium at ${CHROMIUM} is ready\n`);
