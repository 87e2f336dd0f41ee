/**
 * Hostile inputs (issue 19, item 9), each read by `evaluate` from a file, beside its size: the CPU
 * time and peak memory (GNU time) it costs, and the problem that stopped it. Targets: memory under
 * 200 MB, and a bomb stopped in seconds of CPU, not minutes.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Timed } from './audit.js';

const DATA = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '.data', 'bombs');

interface Bomb {
  name: string;
  file: string;
  /** What it holds, in words. */
  what: string;
}

function ensureBombs(): Bomb[] {
  mkdirSync(DATA, { recursive: true });
  const bombs: Array<Bomb & { make: () => Buffer }> = [
    {
      name: 'brackets',
      file: join(DATA, 'brackets.json.gz'),
      what: '9 MB of gzip holding 9 GB of `[]` lines (140 members of 64 MiB)',
      make: () => {
        const member = gzipSync(Buffer.from('[]\n'.repeat((64 * 1024 * 1024) / 3)), { level: 9 });
        return Buffer.concat(Array.from({ length: 140 }, () => member));
      },
    },
    {
      name: 'one-document',
      file: join(DATA, 'one-document.json.gz'),
      what: 'one log file of 1,000,000 records (56 MB of JSON: over the 32 MiB a document may hold)',
      make: () => {
        const records = Array.from({ length: 1_000_000 }, (_, i) => `{"eventVersion":"1.09","eventName":"X","n":${i}}`);
        return gzipSync(Buffer.from(`{"Records":[${records.join(',')}]}`));
      },
    },
    {
      name: 'one-small',
      file: join(DATA, 'one-small.json.gz'),
      what: 'one log file of 1,000,000 small records (26 MB of JSON: read record by record)',
      make: () => {
        const records = Array.from({ length: 1_000_000 }, (_, i) => `{"eventVersion":"1","n":${i}}`);
        return gzipSync(Buffer.from(`{"Records":[${records.join(',')}]}`));
      },
    },
    {
      name: 'members',
      file: join(DATA, 'members.json.gz'),
      what: '2,000,000 gzip members of one record each',
      make: () => gzipSync(Buffer.from('{"eventVersion":"1.09","eventName":"X"}\n'), { level: 1 }),
    },
  ];
  for (const bomb of bombs) {
    if (existsSync(bomb.file)) continue;
    const made = bomb.make();
    writeFileSync(bomb.file, bomb.name === 'members' ? Buffer.concat(Array.from({ length: 2_000_000 }, () => made)) : made);
  }
  return bombs.map(({ name, file, what }) => ({ name, file, what }));
}

function timedEvaluate(file: string): Timed & { code: number | null; stderr: string } {
  const started = performance.now();
  const result = spawnSync('/usr/bin/time', ['-f', '%M %U %S', '-o', '/tmp/bench-bomb', 'node', 'bin/isolation-guard.mjs', 'evaluate', file], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const ms = performance.now() - started;
  const [rss, user, system] = spawnSync('cat', ['/tmp/bench-bomb'], { encoding: 'utf8' }).stdout.trim().split('\n').at(-1)!.split(' ').map(Number);
  return { ms, cpuMs: (user! + system!) * 1000, maxRssKb: rss!, stdout: result.stdout, code: result.status, stderr: result.stderr };
}

export function printBombs(): boolean {
  if (!existsSync('/usr/bin/time')) {
    console.log('   (GNU time missing: no memory figures)');
    return true;
  }
  let met = true;
  for (const bomb of ensureBombs()) {
    const run = timedEvaluate(bomb.file);
    const said = run.stderr.trim().split('\n').at(-1)!.replace(/^isolation-guard: /, '');
    const ok = run.maxRssKb! < 200 * 1024 && run.cpuMs! < 60_000;
    met &&= ok;
    console.log(
      `   ${bomb.name.padEnd(13)} ${bomb.what}, ${(statSync(bomb.file).size / 1e6).toFixed(1)} MB file: exit ${run.code}, wall ${(run.ms / 1000).toFixed(2)} s, CPU ${(run.cpuMs! / 1000).toFixed(2)} s, peak memory ${(run.maxRssKb! / 1024).toFixed(0)} MB${ok ? '' : ' (target missed)'}`,
    );
    console.log(`                 ${said.length > 200 ? `${said.slice(0, 200)}...` : said}`);
  }
  return met;
}
