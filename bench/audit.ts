/**
 * Reading a trail: `audit --source DIR --offline` and `evaluate FILES` over a generated archive of
 * each shape (bench/audit-archive.ts), each in one run beside `zcat` of the same files (the floor: only
 * inflating them, on one core) and `zcat | jq` selecting the CreateModel records (what a person would
 * do by hand). Medians of three runs; peak memory from GNU time; MB/s of raw JSON and records/s.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureArchive, type ArchiveShape, type BenchArchive } from './audit-archive.js';

export interface Timed {
  ms: number;
  /** User + system CPU time of the command and its children (GNU time), null without GNU time. */
  cpuMs: number | null;
  maxRssKb: number | null;
  stdout: string;
}

function timed(command: string): Timed {
  const gnuTime = existsSync('/usr/bin/time');
  const started = performance.now();
  const result = spawnSync('bash', ['-c', gnuTime ? `/usr/bin/time -f '%M %U %S' -o /tmp/bench-rss bash -c ${JSON.stringify(command)}` : command], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const ms = performance.now() - started;
  if (result.status !== 0 && result.status !== 1) throw new Error(`${command} failed (${result.status}): ${result.stderr}`);
  const [rss, user, system] = gnuTime ? spawnSync('cat', ['/tmp/bench-rss'], { encoding: 'utf8' }).stdout.trim().split('\n').at(-1)!.split(' ').map(Number) : [];
  const cpu = (user ?? Number.NaN) + (system ?? Number.NaN);
  return { ms, cpuMs: Number.isFinite(cpu) ? cpu * 1000 : null, maxRssKb: Number.isFinite(rss) ? rss! : null, stdout: result.stdout };
}

/** The median of three runs, interleaved so that a burst of load on the shared machine hits every command alike. */
function interleaved(commands: Record<string, string>): Record<string, Timed> {
  const runs: Record<string, Timed[]> = Object.fromEntries(Object.keys(commands).map((k) => [k, []]));
  for (let round = 0; round < 3; round++) for (const [name, command] of Object.entries(commands)) runs[name]!.push(timed(command));
  return Object.fromEntries(Object.entries(runs).map(([name, list]) => [name, list.sort((a, b) => a.ms - b.ms)[1]!]));
}

export interface ReadingBench {
  archive: BenchArchive & { fileList: number };
  zcat: Timed;
  jq: Timed;
  jqCount: number;
  audit: Timed;
  evaluate: Timed;
  evaluateCount: number;
}

export function auditBench(shape: ArchiveShape = 'realistic'): ReadingBench {
  const archive = ensureArchive(shape);
  const list = readdirSync(archive.root, { recursive: true }).map(String).filter((f) => f.endsWith('.json.gz')).map((f) => join(archive.root, f)).sort();
  const listFile = join(archive.root, '..', `files-${shape}.txt`);
  writeFileSync(listFile, list.join('\n'));
  const files = `xargs -a ${listFile} -d '\\n'`;
  const times = interleaved({
    zcat: `${files} zcat > /dev/null`,
    audit: `node bin/isolation-guard.mjs audit --from 2026-10-01 --to 2026-10-31 --source ${archive.root} --offline --out /tmp/bench-audit.json 2>/dev/null`,
    evaluate: `${files} node bin/isolation-guard.mjs evaluate | wc -l`,
  });
  // jq is an order of magnitude slower: one run.
  const jq = timed(`${files} zcat | jq -c '.Records[] | select(.eventName == "CreateModel")' | wc -l`);
  return {
    archive: { ...archive, fileList: list.length },
    zcat: times.zcat!,
    jq,
    jqCount: Number(jq.stdout.trim()),
    audit: times.audit!,
    evaluate: times.evaluate!,
    evaluateCount: Number(times.evaluate!.stdout.trim()),
  };
}
