import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, runCliInProcess } from '../support/cli.js';
import { ownFixturePath } from '../support/fixtures.js';

// Bad input gets one clear sentence naming the option, with exit 2, before any work (issue 22, items 10 and 11).

const tmp = mkdtempSync(join(tmpdir(), 'input-checks-'));
/** No credentials anywhere: no variables, no profile files, no instance metadata. */
const NO_CREDENTIALS: NodeJS.ProcessEnv = {
  AWS_ACCESS_KEY_ID: undefined,
  AWS_SECRET_ACCESS_KEY: undefined,
  AWS_SESSION_TOKEN: undefined,
  AWS_PROFILE: undefined,
  AWS_ENDPOINT_URL: undefined,
  AWS_CONFIG_FILE: join(tmp, 'no-config'),
  AWS_SHARED_CREDENTIALS_FILE: join(tmp, 'no-credentials'),
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_CONTAINER_CREDENTIALS_FULL_URI: undefined,
  AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: undefined,
  AWS_WEB_IDENTITY_TOKEN_FILE: undefined,
};

describe('inputs checked against what exists', () => {
  it('refuses a region AWS does not list, naming where it came from, before any call', async () => {
    const typo = await runCliInProcess(['sweep', '--regions', 'eu-west-1,eu-westt-1'], { env: NO_CREDENTIALS });
    expect(typo.code).toBe(2);
    expect(typo.stderr).toBe('isolation-guard: --regions: unknown region "eu-westt-1" (expected region codes of an AWS partition, such as eu-west-1, or all)\n');
    expect(typo.stdout).toBe('');
    const fromEnv = await runCliInProcess(['sweep'], { env: { ...NO_CREDENTIALS, ISOLATION_GUARD_REGIONS: 'eu-west-9' } });
    expect([fromEnv.code, fromEnv.stderr]).toEqual([2, expect.stringMatching(/^isolation-guard: ISOLATION_GUARD_REGIONS: unknown region "eu-west-9"/)]);
    const home = await runCliInProcess(['audit', '--from', '2026-11-01', '--to', '2026-11-30', '--region', 'eu-westt-1'], { env: NO_CREDENTIALS });
    expect([home.code, home.stderr]).toEqual([2, expect.stringMatching(/^isolation-guard: --region: unknown region "eu-westt-1"/)]);
    const mixed = await runCliInProcess(['sweep', '--regions', 'all,eu-west-1'], { env: NO_CREDENTIALS });
    expect([mixed.code, mixed.stderr]).toEqual([2, expect.stringMatching(/^isolation-guard: --regions: all stands alone/)]);
    // Every partition's regions are regions (China, GovCloud).
    const partitions = await runCliInProcess(['athena', 'ddl', '--trail-bucket', 'my-trail', '--accounts', '111122223333', '--regions', 'cn-north-1,us-gov-west-1,eu-west-1']);
    expect(partitions.code, partitions.stderr).toBe(0);
  });

  it('refuses ARNs and names that do not have their shape, before any event is handled', async () => {
    const events = ownFixturePath('createmodel_false_cli.json');
    const topic = await runCliInProcess(['enforce', '--topic-arn', 'notanarn', events], { env: NO_CREDENTIALS });
    expect(topic).toEqual({ code: 2, stdout: '', stderr: 'isolation-guard: --topic-arn: expected an SNS topic ARN (arn:aws:sns:REGION:ACCOUNT:NAME), got "notanarn"\n' });
    const bus = await runCliInProcess(['enforce', '--finding-bus-name', 'arn:aws:sns:eu-west-1:111122223333:not-a-bus', events], { env: NO_CREDENTIALS });
    expect([bus.code, bus.stderr]).toEqual([2, expect.stringMatching(/^isolation-guard: --finding-bus-name: expected an event bus name or ARN/)]);
    const table = await runCliInProcess(['enforce', '--idempotency-table', 'arn:aws:dynamodb:eu-west-1:1:table/x', events], { env: NO_CREDENTIALS });
    expect([table.code, table.stderr]).toEqual([2, expect.stringMatching(/^isolation-guard: --idempotency-table: expected a DynamoDB table name or ARN/)]);
  });
});

describe('messages a user meets', () => {
  it('a text file is one problem per line, the first few shown, not one per word', async () => {
    const text = join(tmp, 'notes.txt');
    writeFileSync(text, 'these are notes\nnot a trail\nat all\nline four\nline five\n');
    const { code, stderr } = await runCliInProcess(['evaluate', text]);
    expect(code).toBe(2);
    expect(stderr.trimEnd().split('\n')).toEqual([
      `isolation-guard: ${text}: line 1: not JSON (Unexpected token 'h', "these" is not valid JSON)`,
      `isolation-guard: ${text}: line 2: not JSON (Unexpected token 'o', "not" is not valid JSON)`,
      `isolation-guard: ${text}: line 3: not JSON (Unexpected token 'a', "at" is not valid JSON)`,
      `isolation-guard: ${text}: 2 more line(s) not read (--verbose lists them): is it a CloudTrail file?`,
    ]);
  });

  it('a negative number is refused for what it is, not as "takes no value"', async () => {
    const { code, stderr } = await runCliInProcess(['sweep', '--reminder-days', '-3'], { env: NO_CREDENTIALS });
    expect(code).toBe(2);
    expect(stderr).toMatch(/^isolation-guard: --reminder-days: expected a number of days \(0 or more\), got -3\n/);
  });

  it('scan of a path that does not exist counts no file', async () => {
    const missing = join(tmp, 'infra');
    const { code, stderr } = await runCliInProcess(['scan', missing]);
    expect(code).toBe(2);
    expect(stderr).toBe(`isolation-guard: ${missing}: cannot read (ENOENT)\nisolation-guard: 0 files, 0 SageMaker model resource(s), 0 failing the gate, 1 input(s) could not be read\n`);
  });

  it('sweep --regions all without credentials says it once, with the hint', async () => {
    const { code, stderr } = await runCli(['sweep', '--regions', 'all', '--format', 'json', '--out', join(tmp, 'inventory.json')], { env: NO_CREDENTIALS });
    expect(code).toBe(2);
    const unread = stderr.split('\n').filter((line) => line.includes('could not be read'));
    expect(unread).toEqual([
      expect.stringMatching(/^isolation-guard: 32 regions \(us-east-1, us-east-2, us-west-1, us-west-2, \.\.\.\) could not be read: CredentialsProviderError: .*; no AWS credentials were found: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY$/),
    ]);
  });
});
