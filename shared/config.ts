import { z } from 'zod';
import type { Exemption } from './decision/exemptions.js';
import { DEFAULT_PRIORITIES, type ClassPolicy, type PrioritySettings } from './decision/priorities.js';
import { ConfigurationError } from './errors.js';
import { MODES, type Mode } from './model/mode.js';
import { AUTO_FIX_TAG } from './model/tags.js';
import { once } from './model/once.js';
import { SEVERITIES } from './model/severity.js';
import { dateOrDateTime } from './dates.js';

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
  /** The webhook URL itself: for the CLI only, as a flag or in a --config file (never from the environment; a Lambda reads it from SSM). */
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
  /** The SSM SecureString holding that external id (the Lambdas: never the id in their environment); read when first needed. */
  externalIdParameter: string | null;
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
  /** Recreate mode: the tag key whose value `allowed` lets the enforce Lambda fix a model. */
  autoFixTagKey: string;
}

/**
 * Each schema below is built on first use (`once`): a Lambda parses the few settings its
 * environment gives, and building every zod schema at cold start cost about 6 ms of the enforce
 * function's 100 ms start-up budget (docs/performance.md). A setting not given takes its default
 * without zod, as `.default()` would.
 */

/** An issue message `expected WHAT, got INPUT` (the input as JSON: it names what was given). */
const got = (what: string) => (issue: { input?: unknown }) => `expected ${what}, got ${JSON.stringify(issue.input)}`;

/** Text, trimmed; blank (or null in a config file) is "not set". */
const optionalText = once(() =>
  z
    .string({ error: (issue) => `expected a string, got ${typeof issue.input}` })
    .trim()
    .nullable()
    .transform((value) => (value === '' ? null : value)),
);

/** Optional text that must match `pattern` when set. */
const optionalMatching = (pattern: RegExp, message: string | ((issue: { input?: unknown }) => string)) =>
  optionalText().refine((value) => value === null || pattern.test(value), { error: message });

/** A switch: a boolean (flags, config files) or true/false, 1/0, yes/no in any case (blank: false). */
const switchSetting = once(() =>
  z.union(
    [z.boolean(), z.string().trim().pipe(z.stringbool({ truthy: ['true', '1', 'yes'], falsy: ['false', '0', 'no', ''], case: 'insensitive' }))],
    { error: got('true or false') },
  ),
);

/** A list setting: an array of strings, or a comma-separated string; entries trimmed, blanks dropped. */
const stringList = once(() =>
  z
    .preprocess(
      (raw) => (typeof raw === 'string' ? raw.split(',') : raw),
      z.array(z.string({ error: (issue) => `expected strings in the list, got ${typeof issue.input}` }), {
        error: 'expected a comma-separated list or an array of strings',
      }),
    )
    .transform((entries) => entries.map((entry) => entry.trim()).filter((entry) => entry !== '')),
);

/** An exemption list: each entry is `PATTERN` or `PATTERN|EXPIRES`. */
const exemptionList = (kind: Exemption['kind']) =>
  stringList().transform((entries, ctx): Exemption[] =>
    entries.map((entry) => {
      const bar = entry.lastIndexOf('|');
      const pattern = (bar < 0 ? entry : entry.slice(0, bar)).trim();
      const expires = bar < 0 ? null : entry.slice(bar + 1).trim();
      if (pattern === '') ctx.addIssue({ code: 'custom', message: `empty pattern in '${entry}'` });
      else if (expires !== null && !dateOrDateTime().safeParse(expires).success) {
        ctx.addIssue({ code: 'custom', message: `'${expires}' in '${entry}' is not a date (YYYY-MM-DD) or an ISO 8601 date-time` });
      }
      return { kind, pattern, expires };
    }),
  );

/**
 * An SSM parameter name. AWS requires a leading `/` on a name with a `/` in it
 * (`/isolation-guard/slack-webhook`); `isolation-guard/slack-webhook` is taken to mean the same.
 */
const parameterName = () =>
  optionalText()
    .refine((value) => value === null || (/^\/?[a-zA-Z0-9_.\-/]{1,2047}$/.test(value) && !value.includes('//')), {
      error: got('an SSM parameter name (letters, digits, _ . - and /)'),
    })
    .transform((value) => (value !== null && value.includes('/') && !value.startsWith('/') ? `/${value}` : value));

// Never echo the value: the URL's path is the secret (zod issues do not carry the input either).
// https only (the URL is a secret on the wire), except http to this machine for local trials.
const webhookUrl = () =>
  optionalMatching(
    /^(https:\/\/[^\s]+|http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?(\/[^\s]*)?)$/,
    'expected an https URL (value not shown: it is a secret)',
  );

const DAYS = 'a number of days (0 or more)';
const days = () =>
  z.union([z.number().min(0, { error: got(DAYS) }), z.string().trim().min(1).pipe(z.coerce.number<string>().min(0, { error: got(DAYS) }))], {
    error: got(DAYS),
  });

const S3_LOCATION = /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/;
const AUDIT_SOURCES = [/^lookup$/, S3_LOCATION, /^athena:[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$/, /^evidence:[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/];
const auditSource = () =>
  optionalText()
    .transform((value) => value ?? 'lookup')
    .refine((value) => AUDIT_SOURCES.some((pattern) => pattern.test(value)), {
      error: got('lookup, s3://BUCKET/PREFIX, athena:DATABASE.TABLE or evidence:BUCKET'),
    });

const s3Location = () =>
  optionalMatching(S3_LOCATION, got('s3://BUCKET/PREFIX/')).transform((value) => (value === null || value.endsWith('/') ? value : `${value}/`));

const workgroup = () =>
  optionalText()
    .transform((value) => value ?? 'primary')
    .refine((value) => /^[a-zA-Z0-9._-]{1,128}$/.test(value), { error: got('an Athena workgroup name (letters, digits, . _ -)') });

/**
 * `all` alone, or region codes. Whether each is a region AWS lists is checked where the SDK's
 * partition data is loaded anyway (`unknownRegions` in shared/aws/known-regions.ts; the CLI before any call).
 */
const regionList = () =>
  stringList().superRefine((entries, ctx) => {
    if (entries.includes('all') && entries.length > 1) ctx.addIssue({ code: 'custom', message: `all stands alone, got ${JSON.stringify(entries.join(','))}` });
  });

/** `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`, the resource matching `resource`. */
const arnShape = (service: string, resource: string) => new RegExp(`^arn:aws(-[a-z]+)*:${service}:[a-z]{2}(-[a-z]+)+-\\d+:\\d{12}:${resource}$`);
const SNS_TOPIC_ARN = arnShape('sns', '[A-Za-z0-9_-]{1,256}(\\.fifo)?');
const EVENT_BUS = new RegExp(`^[/.\\-_A-Za-z0-9]{1,256}$|${arnShape('events', 'event-bus/[/.\\-_A-Za-z0-9]{1,256}').source}`);
const DYNAMODB_TABLE = new RegExp(`^[A-Za-z0-9_.-]{3,255}$|${arnShape('dynamodb', 'table/[A-Za-z0-9_.-]{3,255}').source}`);

const accounts = () =>
  stringList().superRefine((entries, ctx) => {
    const bad = entries.find((account) => account !== 'org' && !/^\d{12}$/.test(account));
    if (bad !== undefined) ctx.addIssue({ code: 'custom', message: `expected 12-digit account ids or org, got ${JSON.stringify(bad)}` });
  });

const accountNames = () =>
  stringList().transform((entries, ctx) => {
    const names: Record<string, string> = {};
    for (const entry of entries) {
      const match = /^(\d{12})=(.+)$/.exec(entry);
      if (!match) ctx.addIssue({ code: 'custom', message: `expected ACCOUNT_ID=name entries, got ${JSON.stringify(entry)}` });
      else names[match[1]!] = match[2]!.trim();
    }
    return names;
  });

const CLASS_SHAPE = `{"CLASS": {"severity": "${SEVERITIES.join('|')}", "mode"?: "${MODES.join('|')}"}}`;
/** `classes`: a JSON object (a string in the environment), class name → `{severity, mode?}`. */
const classes = () =>
  z
    .preprocess(
      (raw, ctx) => {
        if (typeof raw !== 'string') return raw;
        if (raw.trim() === '') return {};
        try {
          return JSON.parse(raw);
        } catch {
          ctx.addIssue({ code: 'custom', message: 'expected a JSON object such as {"phi": {"severity": "critical", "mode": "delete"}}' });
          return z.NEVER;
        }
      },
      z.record(
        z.string().min(1),
        z.strictObject(
          { severity: z.enum(SEVERITIES, { error: got(SEVERITIES.join('|')) }), mode: z.enum(MODES, { error: got(MODES.join('|')) }).optional() },
          {
            error: (issue) =>
              issue.code === 'unrecognized_keys' ? `unknown key ${issue.keys.map((key) => JSON.stringify(key)).join(', ')} (expected ${CLASS_SHAPE})` : `expected ${CLASS_SHAPE}`,
          },
        ),
        { error: `expected ${CLASS_SHAPE}` },
      ),
    )
    // Classes are matched on the tag's lower-case value.
    .transform((value): Record<string, ClassPolicy> => Object.fromEntries(Object.entries(value).map(([name, policy]) => [name.trim().toLowerCase(), policy])));

// Given but empty is an error (the default applies only when the setting is not given).
const tagKey = () =>
  optionalText()
    .refine((value) => value !== null, { error: 'expected a tag key' })
    .transform((value) => value as string);

const mode = () => z.string({ error: got(`one of ${MODES.join(', ')}`) }).trim().pipe(z.enum(MODES, { error: got(`one of ${MODES.join(', ')}`) }));

/** One setting: its zod schema (built when a value is given) and its default (when none is). */
const setting = <S extends z.ZodType>(schema: () => S, fallback: () => NoInfer<z.output<S>>) => ({ schema: once(schema), fallback });

/**
 * The settings schema: one field per setting, keyed by its config-file name (env and flag names
 * derive from it), each with its default. `loadConfig` hands each setting given its one raw value
 * (the flag's, else the environment's, else the file's) and reshapes the result into `Config`.
 */
const SETTINGS = {
  mode: setting(mode, (): Mode => 'alert'),
  dryRun: setting(switchSetting, () => false),
  exemptTagKeys: setting(() => exemptionList('tag'), () => []),
  exemptModelNamePatterns: setting(() => exemptionList('model-name'), () => []),
  exemptPrincipalPatterns: setting(() => exemptionList('principal'), () => []),
  iacTagKeys: setting(stringList, () => []),
  topicArn: setting(() => optionalMatching(SNS_TOPIC_ARN, got('an SNS topic ARN (arn:aws:sns:REGION:ACCOUNT:NAME)')), () => null),
  slackWebhookParameter: setting(parameterName, () => null),
  slackWebhookUrl: setting(webhookUrl, () => null),
  findingBusName: setting(() => optionalMatching(EVENT_BUS, got('an event bus name or ARN (arn:aws:events:REGION:ACCOUNT:event-bus/NAME)')), () => null),
  idempotencyTable: setting(() => optionalMatching(DYNAMODB_TABLE, got('a DynamoDB table name or ARN (arn:aws:dynamodb:REGION:ACCOUNT:table/NAME)')), () => null),
  regions: setting(regionList, () => []),
  reminderDays: setting(days, () => 7),
  evidenceBucket: setting(optionalText, () => null),
  auditSource: setting(auditSource, () => 'lookup'),
  sweepQueueUrl: setting(optionalText, () => null),
  athenaWorkgroup: setting(workgroup, () => 'primary'),
  athenaOutputLocation: setting(s3Location, () => null),
  memberRoleName: setting(optionalText, () => null),
  externalId: setting(optionalText, () => null),
  externalIdParameter: setting(parameterName, () => null),
  accounts: setting(accounts, () => []),
  accountNames: setting(accountNames, () => ({})),
  exceptions: setting(optionalText, () => null),
  classificationTagKey: setting(tagKey, () => DEFAULT_PRIORITIES.classificationTagKey),
  classes: setting(classes, () => ({})),
  environmentTagKey: setting(tagKey, () => DEFAULT_PRIORITIES.environmentTagKey),
  productionValues: setting(stringList, () => [...DEFAULT_PRIORITIES.productionValues]),
  securityHub: setting(switchSetting, () => false),
  autoFixTagKey: setting(tagKey, () => AUTO_FIX_TAG),
};

type Settings = { [K in keyof typeof SETTINGS]: z.output<ReturnType<(typeof SETTINGS)[K]['schema']>> };

/** The settings, parsed, reshaped into `Config`. */
const toConfig = (s: Settings): Config => ({
  mode: s.mode,
  dryRun: s.dryRun,
  exemptions: [...s.exemptTagKeys, ...s.exemptModelNamePatterns, ...s.exemptPrincipalPatterns],
  iacTagKeys: s.iacTagKeys,
  topicArn: s.topicArn,
  slackWebhookParameter: s.slackWebhookParameter,
  slackWebhookUrl: s.slackWebhookUrl,
  findingBusName: s.findingBusName,
  idempotencyTable: s.idempotencyTable,
  regions: s.regions,
  reminderDays: s.reminderDays,
  evidenceBucket: s.evidenceBucket,
  auditSource: s.auditSource,
  sweepQueueUrl: s.sweepQueueUrl,
  athenaWorkgroup: s.athenaWorkgroup,
  athenaOutputLocation: s.athenaOutputLocation,
  memberRoleName: s.memberRoleName,
  externalId: s.externalId,
  externalIdParameter: s.externalIdParameter,
  accounts: s.accounts,
  accountNames: s.accountNames,
  exceptions: s.exceptions,
  priorities: {
    classificationTagKey: s.classificationTagKey,
    classes: s.classes,
    environmentTagKey: s.environmentTagKey,
    productionValues: s.productionValues,
  },
  securityHub: s.securityHub,
  autoFixTagKey: s.autoFixTagKey,
});

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

/** Where a setting's value comes from, as error messages name it (the flag, the variable, the file's key). */
export function settingOrigin(name: SettingName, sources: ConfigSources): string {
  if (sources.flags?.[name] !== undefined) return flagName(name);
  if (sources.env?.[envName(name)] !== undefined) return envName(name);
  return `${sources.file?.path ?? 'config file'}: ${name}`;
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
  // One raw value per setting, and where it came from (for the error message).
  const raw: Record<string, unknown> = {};
  const origin: Record<string, string> = {};
  // A secret is never read from the environment (README "Deploying": the webhook is "never in serverless.yml or the
  // environment"): the Lambdas read it from SSM, the CLI takes it as a flag or in a --config file. Refused, not ignored.
  if (sources.env?.[envName('slackWebhookUrl')] !== undefined) {
    throw new ConfigurationError(envName('slackWebhookUrl'), 'a secret is never read from the environment: store the webhook URL in SSM (slackWebhookParameter), or give it to the CLI as "slackWebhookUrl" in a --config file');
  }
  for (const name of SETTING_NAMES) {
    const given = [sources.flags?.[name], sources.env?.[envName(name)], sources.file?.values[name]].find((value) => value !== undefined);
    if (given !== undefined) [origin[name], raw[name]] = [settingOrigin(name, sources), given];
  }
  // Settings in their order: the first bad one throws, naming where its value came from.
  const settings: Record<string, unknown> = {};
  for (const name of SETTING_NAMES) {
    if (!(name in raw)) {
      settings[name] = SETTINGS[name].fallback();
      continue;
    }
    // jitless: zod would compile a fast path on the first parse; each setting is parsed once.
    const parsed = SETTINGS[name].schema().safeParse(raw[name], { jitless: true });
    if (parsed.success) {
      settings[name] = parsed.data;
      continue;
    }
    // A key inside `classes` is named; a list's index is left out (the message names the entry).
    const issue = parsed.error.issues[0]!;
    const inside = issue.path.filter((key) => typeof key !== 'number').map(String);
    const problem = inside.length > 0 ? `${inside.join('.')}: ${issue.message}` : issue.message;
    // No `cause`: a zod error may quote the value, and a webhook URL is a secret.
    throw new ConfigurationError(origin[name] ?? name, problem);
  }
  return toConfig(settings as Settings);
}
