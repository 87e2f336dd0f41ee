import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonLines, runCli, runCliInProcess } from '../support/cli.js';
import { OWN_FIXTURES, ownFixturePath } from '../support/fixtures.js';

const GOV = join(OWN_FIXTURES, '..', 'governance');
const tmp = mkdtempSync(join(tmpdir(), 'guard-exc-'));

// The first case runs the built command; the others are what the commands decide from files and
// flags, run in-process (runCliInProcess).
describe('isolation-guard exceptions check', () => {
  it('exits 0 for a complete register in date', async () => {
    const { code, stdout } = await runCli(['exceptions', 'check', join(GOV, 'exceptions.yml'), '--as-of', '2026-11-22']);
    expect(stdout).toBe('');
    expect(code).toBe(0);
  });

  it('exits 1 naming each entry and its problem', async () => {
    const { code, stdout } = await runCliInProcess(['exceptions', 'check', join(GOV, 'exceptions-problems.json'), '--as-of', '2026-11-22', '--max-days', '365']);
    expect(code).toBe(1);
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatch(/exceptions-problems\.json: exceptions\[1\] NO-APPROVAL: approvedBy: missing$/);
    expect(stdout).toMatch(/exceptions\[2\] EXPIRED: expired: 2026-11-01 is past/);
    expect(stdout).toMatch(/exceptions\[3\] TOO-FAR: expires 2030-01-01: more than 365 days ahead/);
    expect(stdout).toMatch(/exceptions\[4\] NO-EXPIRY: expires: missing/);
  });

  it('exits 2 when the file cannot be read or is not a register', async () => {
    const missing = await runCliInProcess(['exceptions', 'check', join(tmp, 'nope.yml')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope\.yml: cannot read the exception register \(ENOENT\)/);
    const bad = join(tmp, 'bad.yml');
    writeFileSync(bad, 'exceptions:\n  - id: A\n    expires: 2027-01-01\n');
    const malformed = await runCliInProcess(['exceptions', 'check', bad]);
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toMatch(/bad\.yml: exceptions\[0\] \(entry A\): names nothing to match/);
    expect(malformed.stderr).not.toMatch(/at .*\.js:\d+/);
  });
});

describe('evaluate --exceptions', () => {
  it('an exempt row carries the register entry; without the register the same call is a violation', async () => {
    const input = ownFixturePath('createmodel_absent_terraform.json');
    const exempt = await runCliInProcess(['evaluate', '--exceptions', join(GOV, 'exceptions.json'), '--as-of', '2026-11-22', input]);
    expect(exempt.code).toBe(0);
    expect(jsonLines(exempt.stdout)[0]).toMatchObject({
      verdict: 'exempt',
      severity: 'low',
      exception: { id: 'EXC-1', reason: 'licence check at start-up', ticket: 'SEC-1234', approvedBy: 'security-lead@example.com', expires: '2027-06-30' },
    });
    const plain = await runCliInProcess(['evaluate', '--as-of', '2026-11-22', input]);
    expect(plain.code).toBe(1);
    expect(jsonLines(plain.stdout)[0]).toMatchObject({ verdict: 'violation', severity: 'high', exception: null });
  });

  it('a register that cannot be read stops the command with exit 2, naming the file', async () => {
    const { code, stderr, stdout } = await runCliInProcess(['evaluate', '--exceptions', join(tmp, 'missing.json'), ownFixturePath('createmodel_absent_terraform.json')]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/missing\.json: cannot read the exception register/);
  });

  it('classes from the environment give the severity', async () => {
    const { stdout } = await runCliInProcess(['evaluate', '--as-of', '2026-11-22', ownFixturePath('createmodel_absent_terraform.json')], {
      env: { ISOLATION_GUARD_CLASSIFICATION_TAG_KEY: 'managed-by', ISOLATION_GUARD_CLASSES: '{"terraform": {"severity": "medium"}}' },
    });
    expect(jsonLines(stdout)[0]).toMatchObject({ verdict: 'violation', severity: 'medium', classification: 'terraform' });
  });
});
