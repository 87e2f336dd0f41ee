import { z } from 'zod';
import type { Exemption } from './decision/exemptions.js';
import type { ClassPolicy, PrioritySettings } from './decision/priorities.js';
import { ConfigurationError } from './errors.js';
import { MODES, type Mode } from './model/mode.js';
import { SEVERITIES } from './model/severity.js';

/**
 * Every setting of the service, read once and validated, with one name per setting used
 * everywhere: `mode` is `ISOLATION_GUARD_MODE` in the Lambda's environment (from the stage
 * parameters of serverless.yml), `--mode` on the command line and `"mode"` in a config file.
 * Precedence: flags, then environment, then config file, then the default.
 */


export interface Config {
  mode: Mode;
  dryRun: boolean;
  exemptions: Exemption[];
  /** Tag keys that mark a model as managed by infrastructure as code: delete mode quarantines it instead. */
  iacTagKeys: string[];
  topicArn: string | null;
  /** SSM SecureString parameter holding the Slack webhook URL (read through middy, cached, never logged). */
  slackWebhookParameter: string | null;
  /** The webhook URL itself: for the CLI only (a Lambda reads it from SSM, never from its environment). */
  slackWebhookUrl: string | null;
  /** EventBridge bus for finding events; null: no finding events. */
  findingBusName: string | null;
  /** DynamoDB table of the step ledger; null: effects are deduplicated in memory for one run only. */
  idempotencyTable: string | null;
  /** Regions a sweep covers; empty: the current region. `all`: every region SageMaker is offered in. */
  regions: string[];
  /** A sweep alerts on a violating model again only after this many days. */
  reminderDays: number;
  /** S3 bucket for evidence (inventory snapshots, audit reports); null: the Lambdas cannot file them. */
  evidenceBucket: string | null;
  /** Where the history Lambda reads CloudTrail: `lookup` (the last 90 days), `s3://BUCKET/PREFIX` or `athena:DATABASE.TABLE`. */
  auditSource: string;
  /** SQS queue of the fanned-out sweep's units (planner sends, workers receive); null: the sweep runs in one process. */
  sweepQueueUrl: string | null;
  /** Athena workgroup of `athena:` audits. */
  athenaWorkgroup: string;
  /** `s3://BUCKET/PREFIX/` for Athena's results; null: the workgroup's configured location. */
  athenaOutputLocation: string | null;
  /** Role assumed in member accounts (organisation set-up); null: this account only. */
  memberRoleName: string | null;
  /** The external id the member roles require. */
  externalId: string | null;
  /** Accounts a sweep or audit covers; empty: this account; `org`: every active account of the organisation. */
  accounts: string[];
  /** Names alerts give accounts (`ID=name`), e.g. their alias or Organizations name. */
  accountNames: Record<string, string>;
  /** The exception register file (JSON or YAML); its entries join `exemptions` when read (shared/governance). */
  exceptions: string | null;
  /** Data classification and environment tags: severity and per-class mode. */
  priorities: PrioritySettings;
  /** Send each decided model to AWS Security Hub as a finding (BatchImportFindings). */
  securityHub: boolean;
}

const DATE_OR_DATETIME = z.union([z.iso.date(), z.iso.datetime({ offset: true })]);

/** A list setting: an array of strings, or a comma-separated string; blanks dropped. */
function parseStringList(raw: unknown): string[] {
  const entries = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(',') : null;
  if (entries === null) throw new Error('expected a comma-separated list or an array of strings');
  const bad = entries.find((entry) => typeof entry !== 'string');
  if (bad !== undefined) throw new Error(`expected strings in the list, got ${typeof bad}`);
  return (entries as string[]).map((entry) => entry.trim()).filter((entry) => entry !== '');
}

/** An exemption list: each entry is `PATTERN` or `PATTERN|EXPIRES`. */
function parseExemptionList(kind: Exemption['kind'], raw: unknown): Exemption[] {
  return parseStringList(raw).map((entry) => {
    const bar = entry.lastIndexOf('|');
    const pattern = (bar < 0 ? entry : entry.slice(0, bar)).trim();
    const expires = bar < 0 ? null : entry.slice(bar + 1).trim();
    if (pattern === '') throw new Error(`empty pattern in '${entry}'`);
    if (expires !== null && !DATE_OR_DATETIME.safeParse(expires).success) {
      throw new Error(`'${expires}' in '${entry}' is not a date (YYYY-MM-DD) or an ISO 8601 date-time`);
    }
    return { kind, pattern, expires };
  });
}

function parseBoolean(raw: unknown): boolean {
  if (typeof raw === 'boolean') return raw;
  if (typeof raw === 'string') {
    const value = raw.trim().toLowerCase();
    if (['true', '1', 'yes'].includes(value)) return true;
    if (['false', '0', 'no', ''].includes(value)) return false;
  }
  throw new Error(`expected true or false, got ${JSON.stringify(raw)}`);
}

function parseOptionalString(raw: unknown): string | null {
  if (raw === null || raw === undefined) return null;
  if (typeof raw !== 'string') throw new Error(`expected a string, got ${typeof raw}`);
  return raw.trim() === '' ? null : raw.trim();
}

/**
 * An SSM parameter name. AWS requires a leading `/` on a name with a `/` in it
 * (`/isolation-guard/slack-webhook`); `isolation-guard/slack-webhook` is taken to mean the same.
 */
export function parseParameterName(raw: unknown): string | null {
  const value = parseOptionalString(raw);
  if (value === null) return null;
  if (!/^\/?[a-zA-Z0-9_.\-/]{1,2047}$/.test(value) || value.includes('//')) {
    throw new Error(`expected an SSM parameter name (letters, digits, _ . - and /), got ${JSON.stringify(value)}`);
  }
  return value.includes('/') && !value.startsWith('/') ? `/${value}` : value;
}

function parseWebhookUrl(raw: unknown): string | null {
  const value = parseOptionalString(raw);
  // Never echo the value: the URL's path is the secret.
  // https only (the URL is a secret on the wire), except http to this machine for local trials.
  if (value !== null && !/^(https:\/\/[^\s]+|http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?(\/[^\s]*)?)$/.test(value)) {
    throw new Error('expected an https URL (value not shown: it is a secret)');
  }
  return value;
}

function parseDays(raw: unknown): number {
  const value = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : Number.NaN;
  if (!Number.isFinite(value) || value < 0) throw new Error(`expected a number of days (0 or more), got ${JSON.stringify(raw)}`);
  return value;
}

function parseAuditSource(raw: unknown): string {
  const value = parseOptionalString(raw) ?? 'lookup';
  if (
    value !== 'lookup' &&
    !/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/.test(value) &&
    !/^athena:[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$/.test(value) &&
    !/^evidence:[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(value)
  ) {
    throw new Error(`expected lookup, s3://BUCKET/PREFIX, athena:DATABASE.TABLE or evidence:BUCKET, got ${JSON.stringify(raw)}`);
  }
  return value;
}

function parseS3Location(raw: unknown): string | null {
  const value = parseOptionalString(raw);
  if (value === null) return null;
  if (!/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/.test(value)) throw new Error(`expected s3://BUCKET/PREFIX/, got ${JSON.stringify(raw)}`);
  return value.endsWith('/') ? value : `${value}/`;
}

function parseWorkgroup(raw: unknown): string {
  const value = parseOptionalString(raw) ?? 'primary';
  if (!/^[a-zA-Z0-9._-]{1,128}$/.test(value)) throw new Error(`expected an Athena workgroup name (letters, digits, . _ -), got ${JSON.stringify(raw)}`);
  return value;
}

function parseAccounts(raw: unknown): string[] {
  const accounts = parseStringList(raw);
  const bad = accounts.find((account) => account !== 'org' && !/^\d{12}$/.test(account));
  if (bad !== undefined) throw new Error(`expected 12-digit account ids or org, got ${JSON.stringify(bad)}`);
  return accounts;
}

function parseAccountNames(raw: unknown): Record<string, string> {
  const names: Record<string, string> = {};
  for (const entry of parseStringList(raw)) {
    const match = /^(\d{12})=(.+)$/.exec(entry);
    if (!match) throw new Error(`expected ACCOUNT_ID=name entries, got ${JSON.stringify(entry)}`);
    names[match[1]!] = match[2]!.trim();
  }
  return names;
}

const CLASSES_SCHEMA = z.record(
  z.string().min(1),
  z.strictObject({ severity: z.enum(SEVERITIES), mode: z.enum(MODES).optional() }),
);

/** `classes`: a JSON object (a string in the environment), class name → `{severity, mode?}`. */
function parseClasses(raw: unknown): Record<string, ClassPolicy> {
  let value = raw;
  if (typeof raw === 'string') {
    if (raw.trim() === '') return {};
    try {
      value = JSON.parse(raw);
    } catch {
      throw new Error('expected a JSON object such as {"phi": {"severity": "critical", "mode": "delete"}}');
    }
  }
  const parsed = CLASSES_SCHEMA.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`${issue.path.join('.') || '(value)'}: ${issue.message} (expected {"CLASS": {"severity": "${SEVERITIES.join('|')}", "mode"?: "${MODES.join('|')}"}})`);
  }
  // Classes are matched on the tag's lower-case value.
  return Object.fromEntries(Object.entries(parsed.data).map(([name, policy]) => [name.trim().toLowerCase(), policy]));
}

function parseTagKey(raw: unknown): string {
  const value = parseOptionalString(raw);
  if (value === null) throw new Error('expected a tag key');
  return value;
}

function parseMode(raw: unknown): Mode {
  const value = typeof raw === 'string' ? raw.trim() : raw;
  if (typeof value === 'string' && (MODES as readonly string[]).includes(value)) return value as Mode;
  throw new Error(`expected one of ${MODES.join(', ')}, got ${JSON.stringify(raw)}`);
}

interface SettingSpec<T> {
  parse: (raw: unknown) => T;
  fallback: T;
}

/** The settings table: its keys are the config-file names; env and flag names derive from them. */
const SETTINGS = {
  mode: { parse: parseMode, fallback: 'alert' },
  dryRun: { parse: parseBoolean, fallback: false },
  exemptTagKeys: { parse: (raw) => parseExemptionList('tag', raw), fallback: [] },
  exemptModelNamePatterns: { parse: (raw) => parseExemptionList('model-name', raw), fallback: [] },
  exemptPrincipalPatterns: { parse: (raw) => parseExemptionList('principal', raw), fallback: [] },
  iacTagKeys: { parse: parseStringList, fallback: [] },
  topicArn: { parse: parseOptionalString, fallback: null },
  slackWebhookParameter: { parse: parseParameterName, fallback: null },
  slackWebhookUrl: { parse: parseWebhookUrl, fallback: null },
  findingBusName: { parse: parseOptionalString, fallback: null },
  idempotencyTable: { parse: parseOptionalString, fallback: null },
  regions: { parse: parseStringList, fallback: [] },
  reminderDays: { parse: parseDays, fallback: 7 },
  evidenceBucket: { parse: parseOptionalString, fallback: null },
  auditSource: { parse: parseAuditSource, fallback: 'lookup' },
  sweepQueueUrl: { parse: parseOptionalString, fallback: null },
  athenaWorkgroup: { parse: parseWorkgroup, fallback: 'primary' },
  athenaOutputLocation: { parse: parseS3Location, fallback: null },
  memberRoleName: { parse: parseOptionalString, fallback: null },
  externalId: { parse: parseOptionalString, fallback: null },
  accounts: { parse: parseAccounts, fallback: [] },
  accountNames: { parse: parseAccountNames, fallback: {} },
  exceptions: { parse: parseOptionalString, fallback: null },
  classificationTagKey: { parse: parseTagKey, fallback: 'data-classification' },
  classes: { parse: parseClasses, fallback: {} },
  environmentTagKey: { parse: parseTagKey, fallback: 'environment' },
  productionValues: { parse: parseStringList, fallback: ['prod', 'production'] },
  securityHub: { parse: parseBoolean, fallback: false },
} satisfies Record<string, SettingSpec<unknown>>;

export type SettingName = keyof typeof SETTINGS;
export const SETTING_NAMES = Object.keys(SETTINGS) as SettingName[];

const words = (name: string): string[] => name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase().split(' ');
/** `dryRun` → `ISOLATION_GUARD_DRY_RUN`. */
export const envName = (name: SettingName): string => `ISOLATION_GUARD_${words(name).join('_').toUpperCase()}`;
/** `dryRun` → `--dry-run`. */
export const flagName = (name: SettingName): string => `--${words(name).join('-')}`;

export interface ConfigSources {
  /** Parsed command-line flags, keyed by setting name; undefined means not given. */
  flags?: Partial<Record<SettingName, unknown>>;
  env?: Record<string, string | undefined>;
  /** A parsed config file, keyed by setting name, and its path for error messages. */
  file?: { path: string; values: Record<string, unknown> };
}

/** Reads and validates every setting; the first bad one throws a ConfigurationError naming it. */
export function loadConfig(sources: ConfigSources): Config {
  if (sources.file) {
    for (const key of Object.keys(sources.file.values)) {
      if (!(key in SETTINGS)) {
        throw new ConfigurationError(`${sources.file.path}: ${key}`, `unknown setting (known: ${SETTING_NAMES.join(', ')})`);
      }
    }
  }
  const read = <N extends SettingName>(name: N): ReturnType<(typeof SETTINGS)[N]['parse']> => {
    const spec = SETTINGS[name] as SettingSpec<ReturnType<(typeof SETTINGS)[N]['parse']>>;
    const candidates: Array<[string, unknown]> = [
      [flagName(name), sources.flags?.[name]],
      [envName(name), sources.env?.[envName(name)]],
      [`${sources.file?.path ?? 'config file'}: ${name}`, sources.file?.values[name]],
    ];
    const given = candidates.find(([, value]) => value !== undefined);
    if (!given) return spec.fallback;
    try {
      return spec.parse(given[1]);
    } catch (cause) {
      throw new ConfigurationError(given[0], cause instanceof Error ? cause.message : String(cause), { cause });
    }
  };
  return {
    mode: read('mode'),
    dryRun: read('dryRun'),
    exemptions: [...read('exemptTagKeys'), ...read('exemptModelNamePatterns'), ...read('exemptPrincipalPatterns')],
    iacTagKeys: read('iacTagKeys'),
    topicArn: read('topicArn'),
    slackWebhookParameter: read('slackWebhookParameter'),
    slackWebhookUrl: read('slackWebhookUrl'),
    findingBusName: read('findingBusName'),
    idempotencyTable: read('idempotencyTable'),
    regions: read('regions'),
    reminderDays: read('reminderDays'),
    evidenceBucket: read('evidenceBucket'),
    auditSource: read('auditSource'),
    sweepQueueUrl: read('sweepQueueUrl'),
    athenaWorkgroup: read('athenaWorkgroup'),
    athenaOutputLocation: read('athenaOutputLocation'),
    memberRoleName: read('memberRoleName'),
    externalId: read('externalId'),
    accounts: read('accounts'),
    accountNames: read('accountNames'),
    exceptions: read('exceptions'),
    priorities: {
      classificationTagKey: read('classificationTagKey'),
      classes: read('classes'),
      environmentTagKey: read('environmentTagKey'),
      productionValues: read('productionValues'),
    },
    securityHub: read('securityHub'),
  };
}
