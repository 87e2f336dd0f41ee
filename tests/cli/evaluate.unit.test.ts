import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { jsonLines, runCli, runCliInProcess } from '../support/cli.js';
import { ownFixturePath, publicFixturePath } from '../support/fixtures.js';

const FIELDS = ['eventId', 'eventTime', 'account', 'region', 'modelName', 'modelArn', 'principal', 'succeeded', 'networkIsolation', 'verdict', 'reasons', 'severity', 'classification', 'production', 'exception'];
const tmp = mkdtempSync(join(tmpdir(), 'guard-cli-'));
/**
 * The built command on a FIFO that never gets a writer, started before the file's tests: it waits
 * its 5 s (FIFO_WRITER_WAIT_MS) while they run, and its test reads the outcome.
 */
let noWriter: ReturnType<typeof runCli>;
beforeAll(() => {
  const fifo = join(tmp, 'no-writer.fifo');
  execFileSync('mkfifo', [fifo]);
  noWriter = runCli(['evaluate', fifo]);
});
const writeTmp = (name: string, content: string | Buffer) => {
  const path = join(tmp, name);
  writeFileSync(path, content);
  return path;
};

// What evaluate decides and prints from files and flags runs in-process (runCliInProcess); the
// contract test, stdin and the inputs that could hang a process run the built command.
describe('isolation-guard evaluate', () => {
  it('prints exactly the contract fields, in order, one line per CreateModel, and exits 1 on a violation', async () => {
    const { code, stdout, stderr } = await runCli(['evaluate', publicFixturePath('01_createmodel_doc_iamuser_isolation_absent.json')]);
    expect(stderr).toBe('');
    expect(code).toBe(1);
    const [line, ...rest] = jsonLines(stdout);
    expect(rest).toEqual([]);
    expect(Object.keys(line!)).toEqual(FIELDS);
    expect(line).toMatchObject({ eventId: '0f2b3e81-EXAMPLE', modelName: 'ExampleModel', verdict: 'violation', networkIsolation: null, succeeded: true });
  });

  it('exits 0 when every call is compliant or failed', async () => {
    const { code, stdout } = await runCliInProcess(['evaluate', ownFixturePath('createmodel_isolated_sdk.json'), ownFixturePath('createmodel_denied.json')]);
    expect(code).toBe(0);
    expect(jsonLines(stdout).map((l) => l.verdict)).toEqual(['compliant', 'not-applicable']);
  });

  it('reads a real gzipped CloudTrail log file and skips the other records', async () => {
    const { code, stdout } = await runCliInProcess(['evaluate', publicFixturePath('35_cloudtrail_logfile_verbatim_records_mixed.json.gz')]);
    expect(code).toBe(1);
    expect(jsonLines(stdout).map((l) => l.modelName)).toEqual(['ExampleModel']);
  });

  it('prints no decision and exits 0 for public neighbour events and a digest file: one summary line, each named with --verbose', async () => {
    const inputs = [
      publicFixturePath('17_neighbour_createendpoint_doc.json'),
      publicFixturePath('24_neighbour_cloudtrail_insight.json'),
      publicFixturePath('31_eb_neighbour_training_job_state_change_doc.json'),
      publicFixturePath('cloudtrail_digest_example.json.gz'),
    ];
    const { code, stdout, stderr } = await runCliInProcess(['evaluate', ...inputs]);
    expect({ code, stdout }).toEqual({ code: 0, stdout: '' });
    // An archive's month is mostly files without a CreateModel call: one line, not one per file.
    expect(stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(/^isolation-guard: 4 inputs hold no SageMaker CreateModel call \(\d+ other record\(s\) skipped\); --verbose names them$/)]);
    const verbose = await runCliInProcess(['evaluate', '--verbose', ...inputs]);
    const lines = verbose.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    for (const line of lines) expect(line).toMatch(/: holds no SageMaker CreateModel call \(\d+ other record\(s\) skipped, 0 of them nearly one\)$/);
  });

  it('reads stdin: NDJSON of EventBridge events, gzip-compressed', async () => {
    const ndjson = ['eventbridge_createmodel_isolated.json', 'eventbridge_createmodel_markup.json']
      .map((name) => JSON.stringify(JSON.parse(readFileSync(ownFixturePath(name), 'utf8'))))
      .join('\n');
    const { code, stdout } = await runCli(['evaluate', '-'], { stdin: gzipSync(ndjson) });
    expect(code).toBe(1);
    expect(jsonLines(stdout).map((l) => l.verdict)).toEqual(['compliant', 'violation']);
  });

  it('reads a JSON array of records', async () => {
    const array = ['createmodel_false_cli.json', 'createmodel_string_true.json'].map((n) => JSON.parse(readFileSync(ownFixturePath(n), 'utf8')));
    const { code, stdout } = await runCliInProcess(['evaluate', writeTmp('array.json', JSON.stringify(array))]);
    expect(code).toBe(1);
    expect(jsonLines(stdout).map((l) => [l.modelName, l.networkIsolation])).toEqual([
      ['quick-test', false],
      ['string-flag', null],
    ]);
  });

  it('exits 2 naming the unreadable input, and still reports the others', async () => {
    const corrupt = writeTmp('corrupt.json.gz', Buffer.from([0x1f, 0x8b, 0x08, 0, 1, 2, 3]));
    const missing = join(tmp, 'missing.json');
    const { code, stdout, stderr } = await runCliInProcess(['evaluate', corrupt, missing, ownFixturePath('createmodel_false_cli.json')]);
    expect(code).toBe(2);
    expect(jsonLines(stdout).map((l) => l.modelName)).toEqual(['quick-test']);
    expect(stderr).toContain(`${corrupt}: invalid gzip data`);
    expect(stderr).toContain(`${missing}: cannot read (ENOENT)`);
  });

  it('exits 2 naming the field of a malformed record', async () => {
    const record = JSON.parse(readFileSync(ownFixturePath('createmodel_false_cli.json'), 'utf8'));
    delete record.awsRegion;
    const { code, stderr } = await runCliInProcess(['evaluate', writeTmp('bad.json', JSON.stringify({ Records: [record] }))]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/bad\.json: Records\[0\]\.awsRegion: /);
  });

  it('says an empty file holds no records and exits 2: nothing evaluated is no pass', async () => {
    const { code, stdout, stderr } = await runCliInProcess(['evaluate', writeTmp('empty.json', '')]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/empty\.json: holds no records: nothing was evaluated/);
  });

  it('applies exemptions from flags, the environment and a config file, with expiry', async () => {
    const terraform = ownFixturePath('createmodel_absent_terraform.json');
    const byFlag = await runCliInProcess(['evaluate', '--exempt-tag-keys', 'managed-by=terraform', terraform]);
    expect(byFlag.code).toBe(0);
    expect(jsonLines(byFlag.stdout)[0]!.verdict).toBe('exempt');

    // In force on the real clock (no --as-of): an expiry a year from today, not a date that passes.
    const inAYear = new Date(Date.now() + 365 * 86_400_000).toISOString().slice(0, 10);
    const byEnv = await runCliInProcess(['evaluate', terraform], { env: { ISOLATION_GUARD_EXEMPT_MODEL_NAME_PATTERNS: `fraud-*|${inAYear}` } });
    expect(jsonLines(byEnv.stdout)[0]!.verdict).toBe('exempt');

    const config = writeTmp('guard.json', JSON.stringify({ exemptPrincipalPatterns: ['arn:aws:iam::*:role/TerraformDeploy|2026-12-31'] }));
    const inForce = await runCliInProcess(['evaluate', '--config', config, '--as-of', '2026-12-31T23:00:00Z', terraform]);
    expect(jsonLines(inForce.stdout)[0]!.verdict).toBe('exempt');
    const expired = await runCliInProcess(['evaluate', '--config', config, '--as-of', '2027-01-01T00:00:00Z', terraform]);
    expect(expired.code).toBe(1);
    expect(jsonLines(expired.stdout)[0]!.reasons).toEqual(expect.arrayContaining([expect.stringMatching(/has expired/)]));
  });

  it('exits 2 on a bad setting, naming it', async () => {
    const { code, stderr } = await runCliInProcess(['evaluate', ownFixturePath('createmodel_false_cli.json')], {
      env: { ISOLATION_GUARD_EXEMPT_TAG_KEYS: 'x|soon' },
    });
    expect(code).toBe(2);
    expect(stderr).toMatch(/ISOLATION_GUARD_EXEMPT_TAG_KEYS: 'soon'/);
  });

  it('exits 2 on a config file that is not an object of settings, naming the flag and the file', async () => {
    const config = writeTmp('list.json', JSON.stringify(['mode', 'alert']));
    const { code, stderr } = await runCliInProcess(['evaluate', '--config', config, ownFixturePath('createmodel_false_cli.json')]);
    expect(code).toBe(2);
    expect(stderr).toContain(`--config: ${config} must hold a JSON object of settings`);
    expect(stderr).not.toMatch(/at .*\.ts:\d+/);
  });

  it('exits 2 on unknown flags and commands', async () => {
    expect((await runCliInProcess(['evaluate', '--nope'])).code).toBe(2);
    const unknown = await runCliInProcess(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command "frobnicate"/);
  });

  it('prints a readable table that neutralises terminal escapes', async () => {
    const { code, stdout } = await runCliInProcess(['evaluate', '--format', 'table', ownFixturePath('eventbridge_createmodel_markup.json')]);
    expect(code).toBe(1);
    const [header, row, why] = stdout.split('\n');
    expect(header).toMatch(/^VERDICT\s+EVENT TIME\s+ACCOUNT\s+REGION\s+MODEL\s+ISOLATION\s+PRINCIPAL$/);
    expect(row).toMatch(/^violation\s+2026-11-02T09:14:27Z\s+111122223333\s+eu-west-1\s+x<!channel>-&-/);
    expect(why).toMatch(/did not set EnableNetworkIsolation/);
    expect(stdout).not.toContain('\u001b');
  });

  it('shows control characters of a model name as visible escapes in the table', async () => {
    const record = JSON.parse(readFileSync(ownFixturePath('createmodel_false_cli.json'), 'utf8'));
    record.requestParameters.modelName = 'evil\u001b[2J\u0007name';
    const { stdout } = await runCliInProcess(['evaluate', '--format', 'table', writeTmp('ansi.json', JSON.stringify(record))]);
    expect(stdout).not.toMatch(/[\u0000-\u0008\u001b]/);
    expect(stdout).toContain('evil\\u001b[2J\\u0007name');
  });

  it('reads log files run together on stdin, as `zcat a.json.gz b.json.gz` gives them (no final newline)', async () => {
    const logFile = publicFixturePath('35_cloudtrail_logfile_verbatim_records_mixed.json.gz');
    const text = gunzipSync(readFileSync(logFile)).toString('utf8').trimEnd();
    const { code, stdout, stderr } = await runCli(['evaluate', '-'], { stdin: `${text}${text}${text}` });
    expect(stderr).toBe('');
    expect(code).toBe(1);
    expect(jsonLines(stdout).map((l) => l.modelName)).toEqual(['ExampleModel', 'ExampleModel', 'ExampleModel']);
  });

  it('exits 2 on a NUL byte, naming it, instead of ending the input there', async () => {
    const record = readFileSync(ownFixturePath('createmodel_false_cli.json'), 'utf8');
    const stdin = Buffer.concat([Buffer.from(JSON.stringify(JSON.parse(record))), Buffer.from('\n\0'), Buffer.from(JSON.stringify(JSON.parse(record)))]);
    const { code, stdout, stderr } = await runCli(['evaluate', '-'], { stdin });
    expect(code).toBe(2);
    expect(jsonLines(stdout)).toHaveLength(1);
    expect(stderr).toMatch(/\(stdin\): line 2: a NUL byte at byte \d+: not a text input/);
  });

  it('exits 2 at once on /dev/zero, and on a FIFO that never gets a writer, instead of hanging', async () => {
    const zero = await runCli(['evaluate', '/dev/zero']);
    expect(zero.code).toBe(2);
    expect(zero.stderr).toMatch(/\/dev\/zero: a NUL byte at byte 0/);
    const waited = await noWriter;
    expect(waited.code).toBe(2);
    expect(waited.stderr).toMatch(/no-writer\.fifo: a FIFO with no writer/);
  }, 20_000);

  it('exits 2 on bytes that are not UTF-8', async () => {
    const { code, stderr } = await runCli(['evaluate', '-'], { stdin: Buffer.concat([Buffer.from('{"eventName":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]) });
    expect(code).toBe(2);
    expect(stderr).toMatch(/not UTF-8 text/);
  });
});
