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


/**
 * Each schema below is built on first use (`once`): a Lambda parses the few settings its
 * environment gives, and building every zod schema at cold start cost about 6 ms of the enforce
 * function's 100 ms start-up budget (docs/performance.md). A setting not given takes its default
 * without zod, as `.default()` would.
 */

/** An issue message `expected WHAT, got INPUT` (the input as JSON: it names what was given). */
export const got = (what: string) => (issue: { input?: unknown }) => `expected ${what}, got ${JSON.stringify(issue.input)}`;

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

/** The CLI commands that take settings as flags (cli/declarations.ts declares the commands). */
export type SettingCommand = 'evaluate' | 'enforce' | 'sweep' | 'audit' | 'scan' | 'fix';

/** Everything said about a setting besides its schema: the CLI's help, the README's row, the Lambdas' source. */
export interface SettingInfo {
  /** The value's name in the CLI's help (`LIST`, `ARN`); a switch (boolean default) has none. */
  value?: string;
  /** One line for `--help`. */
  help?: string;
  /** The README's "meaning" (Markdown); `help` when absent. */
  doc?: string;
  /** The README's "default" (Markdown); derived from the default value when absent. */
  defaultText?: string;
  /** The commands that take it as `--flag` (also as ISOLATION_GUARD_<NAME> and a --config key). */
  commands?: readonly SettingCommand[];
  /**
   * How a Lambda gets it: a stage parameter of serverless.yml (`{ param: 'mode' }`, reaching the
   * Lambda as ISOLATION_GUARD_MODE), `'stack'` (serverless.yml sets the stack's own resource), or
   * absent (the CLI only). tests/unit/settings-declaration.unit.test.ts checks serverless.yml against it.
   */
  lambda?: { param: string } | 'stack';
  /** A secret: never read from the environment (ISOLATION_GUARD_<NAME> is refused, exit 2), only as a flag or a --config key. */
  secret?: true;
}

/** One setting: its zod schema (built when a value is given), its default (when none is) and what is said about it. */
const setting = <S extends z.ZodType>(schema: () => S, fallback: () => NoInfer<z.output<S>>, info: SettingInfo) => ({
  schema: once(schema),
  fallback,
  info,
});

// Which commands take a setting. Exemptions and governance decide in every command that decides.
const DECIDING: readonly SettingCommand[] = ['evaluate', 'enforce', 'sweep', 'audit'];
const ACTING: readonly SettingCommand[] = ['enforce', 'sweep'];
const MEMBER_ACCOUNTS: readonly SettingCommand[] = ['enforce', 'sweep', 'audit', 'fix'];

/**
 * The settings: the one declaration of each. Keyed by its config-file name (env and flag names
 * derive from it), each with its schema, its default, its help and where it is set. `loadConfig`
 * hands each setting given its one raw value (the flag's, else the environment's, else the
 * file's) and reshapes the result into `Config`. The order is the order of the CLI's help and of
 * the README's table (`npm run docs:settings`), and the first bad setting in it is the one named.
 */
const SETTINGS = {
  regions: setting(regionList, () => [], {
    value: 'LIST|all',
    help: 'regions to cover (default: the current region)',
    doc: 'regions a sweep covers, comma-separated, or `all`',
    defaultText: 'the current region',
    commands: ['sweep', 'audit'],
    lambda: { param: 'regions' },
  }),
  accounts: setting(accounts, () => [], {
    value: 'LIST|org',
    help: 'member account ids, or org for every active account',
    doc: 'accounts a sweep or audit covers: ids, or `org` (`--org`)',
    defaultText: 'this account',
    commands: ['sweep', 'audit'],
    lambda: { param: 'accounts' },
  }),
  reminderDays: setting(days, () => 7, {
    value: 'N',
    help: 'alert on the same violating model again after N days (7)',
    doc: 'a sweep alerts on the same violating model again after this many days',
    commands: ['sweep'],
    lambda: { param: 'reminderDays' },
  }),
  mode: setting(mode, (): Mode => 'alert', {
    value: 'alert|quarantine|recreate|delete',
    help: 'remediation of a violating model (default alert)',
    doc: '`alert`, `quarantine` (tag `isolation-guard:quarantine`), `recreate` ([Fixing a model](#fixing-a-model)), `delete`',
    commands: ACTING,
    lambda: { param: 'mode' },
  }),
  autoFixTagKey: setting(tagKey, () => AUTO_FIX_TAG, {
    value: 'KEY',
    help: 'recreate mode fixes models tagged KEY=allowed (isolation-guard:auto-fix)',
    doc: 'recreate mode fixes only models tagged `KEY=allowed`',
    commands: ACTING,
    lambda: { param: 'autoFixTagKey' },
  }),
  dryRun: setting(switchSetting, () => false, {
    help: 'decide and alert, change nothing',
    doc: 'decide and alert, say what would be done, change nothing',
    commands: ACTING,
    lambda: { param: 'dryRun' },
  }),
  topicArn: setting(() => optionalMatching(SNS_TOPIC_ARN, got('an SNS topic ARN (arn:aws:sns:REGION:ACCOUNT:NAME)')), () => null, {
    value: 'ARN',
    help: 'SNS alert topic (its region is taken from the ARN)',
    defaultText: "the stack's topic in the Lambdas",
    commands: ACTING,
    lambda: 'stack',
  }),
  slackWebhookParameter: setting(parameterName, () => null, {
    doc: 'SSM SecureString holding the Slack webhook URL, read through middy, cached, never logged (`/team/slack`; `team/slack` is read as the same)',
    lambda: { param: 'slackWebhookParameter' },
  }),
  slackWebhookUrl: setting(webhookUrl, () => null, {
    value: 'URL',
    help: 'Slack incoming webhook (better: "slackWebhookUrl" in a --config file; never read from the environment)',
    doc: 'the URL itself, as a flag or in a `--config` file (never read from the environment: `ISOLATION_GUARD_SLACK_WEBHOOK_URL` is refused, exit 2; never printed; https only, http only to `127.0.0.1`/`localhost`)',
    commands: ACTING,
    secret: true,
  }),
  findingBusName: setting(() => optionalMatching(EVENT_BUS, got('an event bus name or ARN (arn:aws:events:REGION:ACCOUNT:event-bus/NAME)')), () => null, {
    value: 'NAME',
    help: 'EventBridge bus for finding events',
    doc: 'EventBridge bus for finding events; none: no finding events',
    defaultText: '`default` in `serverless.yml`',
    commands: ACTING,
    lambda: { param: 'findingBusName' },
  }),
  idempotencyTable: setting(() => optionalMatching(DYNAMODB_TABLE, got('a DynamoDB table name or ARN (arn:aws:dynamodb:REGION:ACCOUNT:table/NAME)')), () => null, {
    value: 'NAME|ARN',
    help: 'DynamoDB step ledger: effects once per event across runs',
    doc: 'DynamoDB step ledger (a name, or an ARN whose region is used); none: effects are deduplicated in memory for one run only',
    defaultText: "the stack's table in the Lambdas",
    commands: ACTING,
    lambda: 'stack',
  }),
  iacTagKeys: setting(stringList, () => [], {
    value: 'LIST',
    help: 'tag keys of IaC-managed models (delete becomes quarantine)',
    doc: "tag keys of models managed by infrastructure as code: delete mode quarantines them instead (CloudFormation's `aws:cloudformation:stack-name` and `invokedBy` CloudFormation always count)",
    commands: [...ACTING, 'fix'],
    lambda: { param: 'iacTagKeys' },
  }),
  memberRoleName: setting(optionalText, () => null, {
    value: 'NAME',
    help: 'role to assume in member accounts (organisation set-up)',
    doc: 'the role assumed in member accounts (organisation set-up); none: this account only',
    commands: MEMBER_ACCOUNTS,
    lambda: { param: 'memberRoleName' },
  }),
  externalId: setting(optionalText, () => null, {
    value: 'ID',
    help: 'the external id that role requires',
    doc: 'the external id the member roles require (the CLI; the Lambdas read `externalIdParameter`)',
    commands: MEMBER_ACCOUNTS,
  }),
  externalIdParameter: setting(parameterName, () => null, {
    doc: 'SSM SecureString holding that external id: the Lambdas read it there (`ssm:GetParameter`) when first needed, never from their environment',
    lambda: { param: 'externalIdParameter' },
  }),
  accountNames: setting(accountNames, () => ({}), {
    value: 'LIST',
    help: 'ID=name entries, so reports and alerts name accounts',
    doc: '`ID=name` entries (an alias or Organizations name): alerts and reports name the account',
    commands: ['enforce', 'sweep', 'audit'],
    lambda: { param: 'accountNames' },
  }),
  evidenceBucket: setting(optionalText, () => null, {
    value: 'NAME',
    help: 'the evidence bucket (inventory snapshots, reports)',
    doc: 'where snapshots and reports are filed and read',
    defaultText: "the stack's bucket in the Lambdas",
    commands: ['audit', 'scan'],
    lambda: 'stack',
  }),
  auditSource: setting(auditSource, () => 'lookup', {
    doc: "where the history Lambda reads CloudTrail: `lookup` (the last 90 days), `s3://BUCKET/PREFIX` or `athena:DATABASE.TABLE` (the CLI's `--source` also takes `evidence:BUCKET`)",
    lambda: { param: 'auditSource' },
  }),
  sweepQueueUrl: setting(optionalText, () => null, {
    doc: "the fanned-out sweep's units queue (planner sends, workers receive); none: the sweep runs in one process",
    lambda: 'stack',
  }),
  athenaWorkgroup: setting(workgroup, () => 'primary', {
    value: 'NAME',
    help: 'Athena workgroup for --source athena:... (default primary)',
    doc: 'Athena workgroup of `athena:` audits (`--workgroup`)',
    commands: ['audit'],
    lambda: 'stack',
  }),
  athenaOutputLocation: setting(s3Location, () => null, {
    value: 's3://BUCKET/PREFIX/',
    help: 'Athena query results, unless the workgroup sets one',
    doc: "`s3://BUCKET/PREFIX/` for Athena's results (the history Lambda: `athena-results/` of the evidence bucket); none: the workgroup's",
    commands: ['audit'],
    lambda: 'stack',
  }),
  securityHub: setting(switchSetting, () => false, {
    help: 'one Security Hub finding per decided model (BatchImportFindings)',
    doc: 'one Security Hub finding per decided model ([Security Hub](#security-hub))',
    commands: ACTING,
    lambda: { param: 'securityHub' },
  }),
  exemptTagKeys: setting(() => exemptionList('tag'), () => [], {
    value: 'LIST',
    help: 'KEY or KEY=VALUE globs, each optionally |YYYY-MM-DD (expiry)',
    doc: 'models with these tags are exempt: `KEY` or `KEY=VALUE` globs, comma-separated, each optionally `|EXPIRY`',
    commands: DECIDING,
    lambda: { param: 'exemptTagKeys' },
  }),
  exemptModelNamePatterns: setting(() => exemptionList('model-name'), () => [], {
    value: 'LIST',
    help: 'model name globs, each optionally |YYYY-MM-DD',
    doc: 'model name globs, comma-separated, each optionally `|EXPIRY`',
    commands: DECIDING,
    lambda: { param: 'exemptModelNamePatterns' },
  }),
  exemptPrincipalPatterns: setting(() => exemptionList('principal'), () => [], {
    value: 'LIST',
    help: 'caller ARN globs, each optionally |YYYY-MM-DD',
    doc: 'caller ARN globs, comma-separated, each optionally `|EXPIRY`',
    commands: DECIDING,
    lambda: { param: 'exemptPrincipalPatterns' },
  }),
  exceptions: setting(optionalText, () => null, {
    value: 'FILE',
    help: 'the exception register (JSON or YAML; README "Exceptions")',
    doc: 'the exception register file, JSON or YAML ([Exceptions](#exceptions)); its entries join the exemptions',
    defaultText: '— (`exceptions.json` in the Lambdas)',
    commands: DECIDING,
    lambda: { param: 'exceptionsFile' },
  }),
  classificationTagKey: setting(tagKey, () => DEFAULT_PRIORITIES.classificationTagKey, {
    value: 'KEY',
    help: 'data classification tag (data-classification)',
    doc: 'data classification tag ([Priorities](#priorities))',
    commands: DECIDING,
    lambda: { param: 'classificationTagKey' },
  }),
  classes: setting(classes, () => ({}), {
    value: 'JSON',
    help: '{"phi": {"severity": "critical", "mode": "delete"}, ...}',
    doc: 'per-class `{severity, mode}` as JSON ([Priorities](#priorities))',
    commands: DECIDING,
    lambda: { param: 'classes' },
  }),
  environmentTagKey: setting(tagKey, () => DEFAULT_PRIORITIES.environmentTagKey, {
    value: 'KEY',
    help: 'environment tag (environment)',
    doc: 'environment tag: with `productionValues`, which models count as production',
    commands: DECIDING,
    lambda: { param: 'environmentTagKey' },
  }),
  productionValues: setting(stringList, () => [...DEFAULT_PRIORITIES.productionValues], {
    value: 'LIST',
    help: 'its values that mean production (prod,production)',
    doc: 'values of the environment tag that mean production',
    commands: DECIDING,
    lambda: { param: 'productionValues' },
  }),
};

type Settings = { [K in keyof typeof SETTINGS]: z.output<ReturnType<(typeof SETTINGS)[K]['schema']>> };

/** The settings, parsed, reshaped into `Config`: the exemptions in one list, the priorities in one object. */
function toConfig(settings: Settings) {
  const { exemptTagKeys, exemptModelNamePatterns, exemptPrincipalPatterns, classificationTagKey, classes, environmentTagKey, productionValues, ...rest } = settings;
  const priorities: PrioritySettings = { classificationTagKey, classes, environmentTagKey, productionValues };
  return { ...rest, exemptions: [...exemptTagKeys, ...exemptModelNamePatterns, ...exemptPrincipalPatterns], priorities };
}

/** Every setting of the service, parsed (its type inferred from the schemas in SETTINGS). */
export type Config = ReturnType<typeof toConfig>;

/** What is said about each setting (help, default, where it is set), in the settings' order. */
export const settingInfo = (name: SettingName): SettingInfo => SETTINGS[name].info;
/** A setting's default value (what it is when not given). */
export const settingDefault = (name: SettingName): unknown => SETTINGS[name].fallback();
/** A switch: `--dry-run` on the command line, not `--dry-run VALUE`. */
export const isSwitch = (name: SettingName): boolean => typeof SETTINGS[name].fallback() === 'boolean';

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
  for (const name of SETTING_NAMES) {
    if (SETTINGS[name].info.secret && sources.env?.[envName(name)] !== undefined) {
      throw new ConfigurationError(envName(name), `a secret is never read from the environment: ${name === 'slackWebhookUrl' ? 'store the webhook URL in SSM (slackWebhookParameter), or ' : ''}give it to the CLI as "${name}" in a --config file`);
    }
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

/**
 * The region a run calls home, resolved here and nowhere else: the one given (`--region`), else
 * AWS_REGION (the Lambda runtime always sets it), else `otherwise` (say, the region of the topic's
 * ARN), else us-east-1.
 */
export function homeRegion(options: { given?: string | null; env?: Record<string, string | undefined>; otherwise?: string | null } = {}): string {
  const { given, env = process.env, otherwise } = options;
  return given ?? env.AWS_REGION ?? otherwise ?? 'us-east-1';
}
