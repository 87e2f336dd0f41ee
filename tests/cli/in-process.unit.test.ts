import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { abandonInProcessCalls, runCliInProcess } from '../support/cli.js';

// runCliInProcess (tests/support/cli.ts) stands in for the built command in most CLI tests: the
// environment a test gives must reach the AWS SDK, which reads process.env, as it reaches a child
// process; and since the `aws` files share a worker's process, none of it may outlive the call.

const PROBE = 'ISOLATION_GUARD_IN_PROCESS_PROBE';
/** A variable of the test's process that a call removes (given as undefined). */
const KEPT = 'ISOLATION_GUARD_IN_PROCESS_KEPT';
// An address on this machine where nothing listens: the SDK fails at once, naming it.
const CLOSED = { AWS_ENDPOINT_URL: 'http://127.0.0.1:9', AWS_ACCESS_KEY_ID: 'probe', AWS_SECRET_ACCESS_KEY: 'probe', AWS_REGION: 'eu-west-1', AWS_MAX_ATTEMPTS: '1' };
const S3_AUDIT = ['audit', '--from', '2026-11-01', '--to', '2026-11-02', '--source', 's3://probe-bucket/AWSLogs', '--offline'];

describe('runCliInProcess', () => {
  it('gives the AWS SDK the environment given, as the built command would see it', async () => {
    const result = await runCliInProcess(S3_AUDIT, { env: CLOSED });
    expect(result.code).toBe(2);
    // The SDK called the endpoint given (not AWS, not the credential chain of the test's own environment).
    expect(result.stderr).toMatch(/S3 ListObjectsV2 on bucket probe-bucket failed: .*ECONNREFUSED 127\.0\.0\.1:9/);
  });

  it('puts the process variables back as they were when the command ends', async () => {
    process.env[KEPT] = 'present';
    try {
      const before = { ...process.env };
      const result = await runCliInProcess(S3_AUDIT, { env: { ...CLOSED, [PROBE]: 'set', [KEPT]: undefined } });
      expect(result.code).toBe(2);
      expect(process.env).toEqual(before);
      expect(process.env[PROBE]).toBeUndefined();
      expect(process.env[KEPT]).toBe('present');
    } finally {
      delete process.env[KEPT];
    }
  });

  it('refuses a second call while one that sets variables runs, instead of mixing their environments', async () => {
    const first = runCliInProcess(S3_AUDIT, { env: CLOSED });
    await expect(runCliInProcess(['policy', 'scp'], { env: { [PROBE]: 'second' } })).rejects.toThrow(/runs alone/);
    expect((await first).code).toBe(2);
    expect(process.env[PROBE]).toBeUndefined();
  });

  it('puts back the variables of a call still running when its file ends (a timed-out test), and lets the next call run', async () => {
    // A call that waits on a FIFO until this test opens and closes its writing end.
    const fifo = join(mkdtempSync(join(tmpdir(), 'in-process-')), 'held.fifo');
    execFileSync('mkfifo', [fifo]);
    const held = runCliInProcess(['evaluate', fifo], { env: { [PROBE]: 'held' } });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(process.env[PROBE]).toBe('held');

    expect(abandonInProcessCalls()).toEqual([`evaluate ${fifo}`]);
    expect(process.env[PROBE]).toBeUndefined();
    // Not refused as overlapping the abandoned call.
    expect((await runCliInProcess(['policy', 'scp'], { env: { [PROBE]: 'next' } })).code).toBe(0);
    expect(process.env[PROBE]).toBeUndefined();

    const writer = openSync(fifo, 'w');
    writeSync(writer, '\n');
    closeSync(writer);
    await held;
    expect(process.env[PROBE]).toBeUndefined();
  });
});
