import { describe, expect, it } from 'vitest';
import { envName, flagName, loadConfig } from '../../shared/config.js';
import { ConfigurationError } from '../../shared/errors.js';

/** Every setting's default, written out: a new setting must be added here on purpose. */
const DEFAULTS = {
      mode: 'alert',
      dryRun: false,
      exemptions: [],
      iacTagKeys: [],
      topicArn: null,
      slackWebhookParameter: null,
      slackWebhookUrl: null,
      findingBusName: null,
      idempotencyTable: null,
      regions: [],
      reminderDays: 7,
      evidenceBucket: null,
      auditSource: 'lookup',
      sweepQueueUrl: null,
      athenaWorkgroup: 'primary',
      athenaOutputLocation: null,
      memberRoleName: null,
      externalId: null,
      externalIdParameter: null,
      accounts: [],
      accountNames: {},
      exceptions: null,
      priorities: { classificationTagKey: 'data-classification', classes: {}, environmentTagKey: 'environment', productionValues: ['prod', 'production'] },
      securityHub: false,
      autoFixTagKey: 'isolation-guard:auto-fix',
};

describe('loadConfig', () => {
  it('defaults to alert mode, no dry run and no exemptions', () => {
    expect(loadConfig({})).toEqual(DEFAULTS);
  });

  it('takes Athena and evidence audit sources, and rejects a table name that is not a Glue name', () => {
    const config = loadConfig({
      env: { ISOLATION_GUARD_AUDIT_SOURCE: 'athena:security.cloudtrail_org', ISOLATION_GUARD_ATHENA_OUTPUT_LOCATION: 's3://results-bucket/athena' },
    });
    expect(config.auditSource).toBe('athena:security.cloudtrail_org');
    expect(config.athenaOutputLocation).toBe('s3://results-bucket/athena/');
    expect(loadConfig({ flags: { auditSource: 'evidence:my-evidence-bucket' } }).auditSource).toBe('evidence:my-evidence-bucket');
    expect(() => loadConfig({ env: { ISOLATION_GUARD_AUDIT_SOURCE: 'athena:db.t; DROP TABLE x' } })).toThrow(/ISOLATION_GUARD_AUDIT_SOURCE: expected lookup/);
    expect(() => loadConfig({ flags: { athenaWorkgroup: 'bad group' } })).toThrow(/--athena-workgroup/);
  });

  it('derives one name per setting for environment and flags', () => {
    expect(envName('exemptModelNamePatterns')).toBe('ISOLATION_GUARD_EXEMPT_MODEL_NAME_PATTERNS');
    expect(flagName('exemptModelNamePatterns')).toBe('--exempt-model-name-patterns');
    expect(envName('dryRun')).toBe('ISOLATION_GUARD_DRY_RUN');
  });

  it('reads the Lambda environment', () => {
    const config = loadConfig({
      env: {
        ISOLATION_GUARD_MODE: 'quarantine',
        ISOLATION_GUARD_DRY_RUN: 'true',
        ISOLATION_GUARD_EXEMPT_TAG_KEYS: 'isolation-guard:exempt, team=research|2027-01-31',
        ISOLATION_GUARD_EXEMPT_MODEL_NAME_PATTERNS: 'sandbox-*',
        ISOLATION_GUARD_EXEMPT_PRINCIPAL_PATTERNS: 'arn:aws:iam::*:role/BreakGlass|2026-12-01T08:00:00Z',
        ISOLATION_GUARD_TOPIC_ARN: 'arn:aws:sns:eu-west-1:111122223333:alerts',
        ISOLATION_GUARD_SLACK_WEBHOOK_PARAMETER: '',
      },
    });
    expect(config).toEqual({
      ...DEFAULTS,
      mode: 'quarantine',
      dryRun: true,
      exemptions: [
        { kind: 'tag', pattern: 'isolation-guard:exempt', expires: null },
        { kind: 'tag', pattern: 'team=research', expires: '2027-01-31' },
        { kind: 'model-name', pattern: 'sandbox-*', expires: null },
        { kind: 'principal', pattern: 'arn:aws:iam::*:role/BreakGlass', expires: '2026-12-01T08:00:00Z' },
      ],
      topicArn: 'arn:aws:sns:eu-west-1:111122223333:alerts',
    });
  });

  it('lets flags win over the environment, and the environment over the file', () => {
    const config = loadConfig({
      flags: { mode: 'delete' },
      env: { ISOLATION_GUARD_MODE: 'quarantine', ISOLATION_GUARD_DRY_RUN: 'yes' },
      file: { path: 'guard.json', values: { mode: 'alert', dryRun: false, exemptModelNamePatterns: ['a-*', 'b-*|2030-01-01'] } },
    });
    expect(config.mode).toBe('delete');
    expect(config.dryRun).toBe(true);
    expect(config.exemptions.map((e) => e.pattern)).toEqual(['a-*', 'b-*']);
  });

  it.each([
    [{ env: { ISOLATION_GUARD_MODE: 'nuke' } }, 'ISOLATION_GUARD_MODE: expected one of alert, quarantine, recreate, delete, got "nuke"'],
    [{ env: { ISOLATION_GUARD_DRY_RUN: 'maybe' } }, 'ISOLATION_GUARD_DRY_RUN: expected true or false, got "maybe"'],
    [{ flags: { exemptTagKeys: 'a|next-week' } }, "--exempt-tag-keys: 'next-week' in 'a|next-week' is not a date (YYYY-MM-DD) or an ISO 8601 date-time"],
    [{ file: { path: 'g.json', values: { exemptTagKeys: [1] } } }, 'g.json: exemptTagKeys: expected strings in the list, got number'],
    [{ file: { path: 'g.json', values: { mdoe: 'alert' } } }, /^g.json: mdoe: unknown setting/],
    [{ env: { ISOLATION_GUARD_EXEMPT_MODEL_NAME_PATTERNS: '|2027-01-01' } }, "ISOLATION_GUARD_EXEMPT_MODEL_NAME_PATTERNS: empty pattern in '|2027-01-01'"],
    [{ flags: { slackWebhookUrl: 'hooks.slack.com/services/T000/B000/SECRETTOKEN' } }, '--slack-webhook-url: expected an https URL (value not shown: it is a secret)'],
    [{ flags: { slackWebhookUrl: 'http://hooks.slack.com/services/T000/B000/SECRETTOKEN' } }, '--slack-webhook-url: expected an https URL (value not shown: it is a secret)'],
    [{ env: { ISOLATION_GUARD_REMINDER_DAYS: 'weekly' } }, 'ISOLATION_GUARD_REMINDER_DAYS: expected a number of days (0 or more), got "weekly"'],
    [{ flags: { accounts: '111122223333,12345' } }, '--accounts: expected 12-digit account ids or org, got "12345"'],
    [{ env: { ISOLATION_GUARD_ACCOUNT_NAMES: 'prod-ml' } }, 'ISOLATION_GUARD_ACCOUNT_NAMES: expected ACCOUNT_ID=name entries, got "prod-ml"'],
  ])('names the bad setting: %j', (sources, message) => {
    expect(() => loadConfig(sources)).toThrow(ConfigurationError);
    expect(() => loadConfig(sources)).toThrow(message);
  });

  it('takes typed values from a config file, and blank environment values as not set (or their default)', () => {
    const config = loadConfig({
      env: { ISOLATION_GUARD_AUDIT_SOURCE: ' ', ISOLATION_GUARD_ATHENA_WORKGROUP: '', ISOLATION_GUARD_TOPIC_ARN: '  ', ISOLATION_GUARD_SECURITY_HUB: 'YES' },
      file: { path: 'g.json', values: { dryRun: true, reminderDays: 14, regions: ['eu-west-1 ', ''], accounts: 'org' } },
    });
    expect(config).toMatchObject({ auditSource: 'lookup', athenaWorkgroup: 'primary', topicArn: null, securityHub: true, dryRun: true, reminderDays: 14, regions: ['eu-west-1'], accounts: ['org'] });
    expect(() => loadConfig({ env: { ISOLATION_GUARD_REMINDER_DAYS: '' } })).toThrow('ISOLATION_GUARD_REMINDER_DAYS: expected a number of days (0 or more), got ""');
    expect(() => loadConfig({ file: { path: 'g.json', values: { reminderDays: -1 } } })).toThrow('g.json: reminderDays: expected a number of days (0 or more), got -1');
    expect(() => loadConfig({ file: { path: 'g.json', values: { dryRun: 1 } } })).toThrow('g.json: dryRun: expected true or false, got 1');
    expect(() => loadConfig({ env: { ISOLATION_GUARD_CLASSIFICATION_TAG_KEY: ' ' } })).toThrow('ISOLATION_GUARD_CLASSIFICATION_TAG_KEY: expected a tag key');
    expect(() => loadConfig({ env: { ISOLATION_GUARD_CLASSES: '{"phi": {"severity": "low", "owner": "x"}}' } })).toThrow('ISOLATION_GUARD_CLASSES: phi: unknown key "owner"');
  });

  it('never shows a bad webhook URL in the error', () => {
    const secret = 'hooks.slack.com/services/T000/B000/SECRETTOKEN';
    try {
      loadConfig({ env: { ISOLATION_GUARD_SLACK_WEBHOOK_URL: secret } });
      expect.unreachable();
    } catch (error) {
      expect(String(error)).toMatch(/ISOLATION_GUARD_SLACK_WEBHOOK_URL/);
      expect(JSON.stringify({ message: (error as Error).message, stack: (error as Error).stack })).not.toContain('SECRETTOKEN');
    }
  });
});

describe('slackWebhookUrl', () => {
  it('is never read from the environment (a Lambda reads the webhook from SSM): the variable is refused, naming it, without the secret', () => {
    const url = 'https://hooks.slack.com/services/T000/B000/SECRETTOKEN';
    let refused: unknown = null;
    try {
      loadConfig({ env: { ISOLATION_GUARD_SLACK_WEBHOOK_URL: url, ISOLATION_GUARD_TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:alerts' } });
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(ConfigurationError);
    expect(String(refused)).toMatch(/^ConfigurationError: ISOLATION_GUARD_SLACK_WEBHOOK_URL: a secret is never read from the environment: store the webhook URL in SSM \(slackWebhookParameter\)/);
    expect(String(refused)).not.toContain('SECRETTOKEN');
  });

  it('is taken from a flag or a --config file (the CLI), and the SSM parameter from the environment (the Lambdas)', () => {
    const url = 'https://hooks.slack.com/services/T000/B000/SECRETTOKEN';
    expect(loadConfig({ flags: { slackWebhookUrl: url } }).slackWebhookUrl).toBe(url);
    expect(loadConfig({ file: { path: 'g.json', values: { slackWebhookUrl: url } } }).slackWebhookUrl).toBe(url);
    expect(loadConfig({ env: { ISOLATION_GUARD_SLACK_WEBHOOK_PARAMETER: '/isolation-guard/slack-webhook' } })).toMatchObject({ slackWebhookParameter: '/isolation-guard/slack-webhook', slackWebhookUrl: null });
  });
});

describe('slackWebhookParameter', () => {
  it('takes the name as AWS requires it, and the form without the leading slash as the same parameter', () => {
    const read = (value: string) => loadConfig({ env: { ISOLATION_GUARD_SLACK_WEBHOOK_PARAMETER: value } }).slackWebhookParameter;
    expect(read('/isolation-guard/slack-webhook')).toBe('/isolation-guard/slack-webhook');
    expect(read('isolation-guard/slack-webhook')).toBe('/isolation-guard/slack-webhook');
    expect(read('slack-webhook')).toBe('slack-webhook');
    expect(read('')).toBeNull();
    expect(() => read('team//slack')).toThrow(/ISOLATION_GUARD_SLACK_WEBHOOK_PARAMETER: expected an SSM parameter name/);
    expect(() => read('has space')).toThrow(/ISOLATION_GUARD_SLACK_WEBHOOK_PARAMETER/);
  });
});
