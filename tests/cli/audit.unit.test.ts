import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cloudTrailLogFile, createModelRecord, logFileKey, realisticRecord } from '../support/archive-generator.js';
import { REPO_ROOT, runCli, runCliInProcess } from '../support/cli.js';

// What the audit decides from a folder runs in-process; what the built command loads runs it.
const audit = (dir: string) => runCliInProcess(['audit', '--from', '2026-10-01', '--to', '2026-10-31', '--source', dir, '--offline', '--out', join(dir, 'report.json')]);
const put = (root: string, day: string, time: string, records: unknown[]) => {
  const key = logFileKey({ account: '111111111111', region: 'eu-west-1', day, time });
  mkdirSync(dirname(join(root, key)), { recursive: true });
  writeFileSync(join(root, key), cloudTrailLogFile(records));
};

describe('isolation-guard audit of a local folder', () => {
  it('exits 2 and says so when it read no records (a folder with no CloudTrail logs is not a clean period)', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'guard-audit-empty-'));
    writeFileSync(join(empty, 'notes.txt'), 'not a log file');
    const { code, stderr } = await audit(empty);
    expect(code).toBe(2);
    expect(stderr).toMatch(/no CloudTrail records were read from .*guard-audit-empty-.*nothing was audited/);
  });

  it('exits 0 on an empty period with logs read, and says so', async () => {
    const root = mkdtempSync(join(tmpdir(), 'guard-audit-quiet-'));
    put(root, '2026/10/03', '2026-10-03T10:00:00Z', [1, 2, 3].map((i) => realisticRecord('111111111111', 'eu-west-1', '2026-10-03T10:00:00Z', i * 10 + 2)));
    const { code, stderr } = await audit(root);
    expect(code).toBe(0);
    expect(stderr).toMatch(/3 records read, no CreateModel call in the period: an empty period/);
  });

  it('finds a violation among realistic records, through the fast path and the parse pool', async () => {
    const root = mkdtempSync(join(tmpdir(), 'guard-audit-calls-'));
    const time = '2026-10-04T10:00:00Z';
    put(root, '2026/10/04', time, [
      realisticRecord('111111111111', 'eu-west-1', time, 10),
      createModelRecord({ account: '111111111111', region: 'eu-west-1', time, modelName: 'open-model' }),
    ]);
    put(root, '2026/10/05', time, [realisticRecord('111111111111', 'eu-west-1', time, 20)]);
    const { code, stderr } = await audit(root);
    expect(code).toBe(1);
    expect(stderr).toMatch(/2 files, 3 records .* 1 CreateModel calls, 1 violation/);
  });

  it('loads no AWS SDK for an offline audit of a folder (the sources and the models today are loaded when asked for)', async () => {
    const root = mkdtempSync(join(tmpdir(), 'guard-audit-offline-'));
    const time = '2026-10-04T10:00:00Z';
    put(root, '2026/10/04', time, [createModelRecord({ account: '111111111111', region: 'eu-west-1', time, modelName: 'open-model' })]);
    const log = join(root, 'loaded.txt');
    const hook = join(REPO_ROOT, 'tests', 'support', 'loaded-modules.mjs');
    const args = ['audit', '--from', '2026-10-01', '--to', '2026-10-31', '--source', root, '--offline', '--out', join(root, 'report.json')];
    const { code } = await runCli(args, { env: { NODE_OPTIONS: `--import=${hook}`, LOADED_MODULES_FILE: log } });
    expect(code).toBe(1);
    const chunks = readFileSync(log, 'utf8').split('\n').filter((url) => url.includes('/dist/chunks/'));
    // The bundle's chunks name the packages they hold: the SDK is in some of them, in none the audit loaded.
    const sdk = (path: string) => readFileSync(path, 'utf8').includes('node_modules/@aws-sdk/');
    expect(readdirSync(join(REPO_ROOT, 'dist', 'chunks')).filter((f) => f.endsWith('.mjs') && sdk(join(REPO_ROOT, 'dist', 'chunks', f))).length).toBeGreaterThan(0);
    expect(chunks.some((url) => /\/audit-[A-Z0-9]+\.mjs$/.test(url))).toBe(true);
    expect(chunks.filter((url) => sdk(new URL(url).pathname))).toEqual([]);
  });
});
