import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cloudTrailLogFile, createModelRecord, logFileKey } from '../support/archive-generator.js';
import { runCli, runCliInProcess } from '../support/cli.js';
import { ownRecord } from '../support/fixtures.js';

/** A folder holding one month of CloudTrail logs with one CreateModel call without isolation. */
function archive(): string {
  const root = mkdtempSync(join(tmpdir(), 'guard-out-'));
  const key = logFileKey({ account: '111111111111', region: 'eu-west-1', day: '2026/10/03', time: '2026-10-03T10:00:00Z' });
  mkdirSync(dirname(join(root, key)), { recursive: true });
  writeFileSync(join(root, key), cloudTrailLogFile([createModelRecord({ account: '111111111111', region: 'eu-west-1', time: '2026-10-03T10:00:00Z', modelName: 'open-model' })]));
  return root;
}
const audit = (source: string, out: string) => runCliInProcess(['audit', '--from', '2026-10-01', '--to', '2026-10-31', '--source', source, '--offline', '--out', out]);

describe('--out is checked before any work is done: exit 2 naming the option', () => {
  it.each([
    ['a folder that does not exist', (dir: string) => join(dir, 'no-such-folder', 'report.json'), /--out ".*no-such-folder\/report\.json": the folder .*no-such-folder does not exist/],
    ['a directory', (dir: string) => dir, /--out ".*": a directory; give a file name/],
  ])('%s', async (_what, outOf, message) => {
    const source = archive();
    const out = outOf(mkdtempSync(join(tmpdir(), 'guard-out-dest-')));
    const { code, stdout, stderr } = await audit(source, out);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    // Refused before the audit ran: no report, no KPI line, no "unexpected error".
    expect(stdout).toBe('');
    expect(stderr).not.toMatch(/CreateModel|unexpected error/);
  });

  it('a symbolic link is refused, and its target is left as it was', async () => {
    const source = archive();
    const dir = mkdtempSync(join(tmpdir(), 'guard-out-link-'));
    const target = join(dir, 'precious.txt');
    writeFileSync(target, 'keep me');
    symlinkSync(target, join(dir, 'report.json'));
    const { code, stderr } = await audit(source, join(dir, 'report.json'));
    expect(code).toBe(2);
    expect(stderr).toMatch(/--out ".*report\.json": a symbolic link; give the file itself/);
    expect(readFileSync(target, 'utf8')).toBe('keep me');
  });

  it('scan takes the same check; a plain new file is written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'guard-out-scan-'));
    const refused = await runCliInProcess(['scan', '--out', join(dir, 'missing', 'scan.sarif'), '--format', 'sarif', dir]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--out ".*missing\/scan\.sarif": the folder .* does not exist/);
    const source = archive();
    const written = await audit(source, join(dir, 'report.json'));
    expect(written.code).toBe(1);
    expect(existsSync(join(dir, 'report.json'))).toBe(true);
  });
});

describe('input that is no CloudTrail record never passes', () => {
  const record = ownRecord('createmodel_absent_terraform.json') as Record<string, unknown>;
  const write = (value: string) => {
    const file = join(mkdtempSync(join(tmpdir(), 'guard-input-')), 'input.json');
    writeFileSync(file, value);
    return file;
  };

  it.each([
    ['eventName given as an array', { ...record, eventName: ['CreateModel'] }, /eventName: expected a string, got an array/],
    ['eventSource null', { ...record, eventSource: null }, /eventSource: expected a string, got null/],
  ])('%s: exit 2 naming the field', async (_what, value, message) => {
    const { code, stderr } = await runCliInProcess(['evaluate', write(JSON.stringify({ Records: [value] }))]);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });

  it('an empty input: exit 2 for evaluate and for enforce (nothing was looked at is no pass)', async () => {
    const evaluated = await runCliInProcess(['evaluate', write('')]);
    expect(evaluated.code).toBe(2);
    expect(evaluated.stderr).toMatch(/holds no records: nothing was evaluated/);
    const enforced = await runCli(['enforce', '--dry-run', '-'], { stdin: '' });
    expect(enforced.code).toBe(2);
    expect(enforced.stderr).toMatch(/the input holds no records: nothing was enforced/);
  });
});
