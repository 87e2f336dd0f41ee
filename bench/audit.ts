/**
 * The audit over a generated archive of at least a million records (about 1% CreateModel), in one
 * run beside `zcat` of the same files (the floor: just inflating them) and `zcat | jq` selecting
 * the CreateModel records (what a person would do by hand). Peak memory from GNU time.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ensureArchive } from './audit-archive.js';

function timed(command: string): { ms: number; maxRssKb: number | null; stdout: string } {
  const gnuTime = existsSync('/usr/bin/time');
  const started = performance.now();
  const result = spawnSync('bash', ['-c', gnuTime ? `/usr/bin/time -f '%M' -o /tmp/bench-rss ${command}` : command], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const ms = performance.now() - started;
  if (result.status !== 0 && result.status !== 1) throw new Error(`${command} failed (${result.status}): ${result.stderr}`);
  const rss = gnuTime ? Number(spawnSync('cat', ['/tmp/bench-rss'], { encoding: 'utf8' }).stdout.trim().split('\n').at(-1)) : Number.NaN;
  return { ms, maxRssKb: Number.isFinite(rss) ? rss : null, stdout: result.stdout };
}

export function auditBench() {
  const archive = ensureArchive();
  const list = readdirSync(archive.root, { recursive: true }).map(String).filter((f) => f.endsWith('.json.gz')).map((f) => join(archive.root, f));
  const files = `find ${archive.root} -name '*.json.gz' -print0 | xargs -0`;
  const median3 = (command: string) => {
    const runs = [timed(command), timed(command), timed(command)].sort((a, b) => a.ms - b.ms);
    return runs[1]!;
  };
  const zcat = median3(`${files} zcat > /dev/null`);
  const jq = timed(`${files} zcat | jq -c '.Records[] | select(.eventName == "CreateModel")' | wc -l`);
  const audit = median3(`node bin/isolation-guard.mjs audit --from 2026-10-01 --to 2026-10-31 --source ${archive.root} --offline --out /tmp/bench-audit.json`);
  return { archive: { ...archive, files: list.length }, zcat, jq, jqCount: Number(jq.stdout.trim()), audit };
}
