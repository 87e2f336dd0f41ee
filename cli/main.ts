import { parseArgs, type ParseArgsConfig } from 'node:util';
import { flagName, loadConfig, type Config, type SettingName } from '../shared/config.js';
import { IsolationGuardError, UsageError } from '../shared/errors.js';
import { REPORT_FORMATS, type ReportFormat } from '../shared/reports/inventory-report.js';
import { readConfigFile } from './config-file.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import { processIo, type CliIo } from './io.js';

const USAGE = `Usage: isolation-guard <command> [options]

Commands:
  evaluate [PATH|-]...   Decide every SageMaker CreateModel call recorded in CloudTrail files
                         (records, EventBridge events, log files {"Records":[...]}, JSON arrays,
                         NDJSON, log files run together, gzip of any of those), streaming.
                         Reads stdin when no PATH is given.
      --format json|table              one JSON line per call (default) or a readable table
      --as-of DATE                     judge exemption expiry at this instant (default: now)
      Exit: 0 no violation, 1 at least one violation, 2 an input or setting could not be read.

  enforce [PATH|-]...    Run the enforcement pipeline (confirm with DescribeModel, remediate,
                         alert) on CreateModel events from files, stdin or the dead-letter queue.
      --from-dlq QUEUE_URL             replay the dead-letter queue; handled messages are deleted
      --mode alert|quarantine|delete   remediation (default alert)
      --dry-run                        decide and alert, change nothing
      --topic-arn ARN                  SNS alert topic (SNS is the one channel always wanted)
      --slack-webhook-url URL          Slack incoming webhook (or ISOLATION_GUARD_SLACK_WEBHOOK_URL)
      --finding-bus-name NAME          EventBridge bus for finding events
      --idempotency-table NAME         DynamoDB table: effects once per event across runs
      --iac-tag-keys LIST              tag keys of IaC-managed models (delete becomes quarantine)
      --region REGION                  region for SNS, SQS, DynamoDB (events carry their own)
      --member-role-name NAME          role to assume in the account an event names (organisation)
      --external-id ID                 the external id that role requires
      Exit: 0 no violation, 1 violations handled, 2 an input could not be read, 3 an effect failed.

  sweep                  Check every existing model in the regions (ListModels, then one
                         DescribeModel and one ListTags each) and send violations through the
                         same remediation and alerts as enforce, once per reminder interval.
      --regions LIST|all               regions to sweep (default: the current region)
      --format json|csv|md|html        the inventory report (default json)
      --out FILE                       write the report there instead of stdout
      --reminder-days N                alert on the same violating model again after N days (7)
      --concurrency N                  models inspected at once per region (8)
      --accounts LIST|org, --org       member accounts (through --member-role-name, --external-id);
                                       --org: every active account (Organizations ListAccounts)
      (and --mode, --dry-run, --topic-arn, --slack-webhook-url, --finding-bus-name,
       --idempotency-table, --iac-tag-keys, --region as for enforce)
      Exit: 0 all compliant or exempt, 1 violations, 2 a region could not be read.

  audit --from DATE --to DATE
                         Every CreateModel call of an audit period as an evidence report.
      --source lookup|s3://BUCKET/PREFIX|DIR
                                       CloudTrail LookupEvents (default; last 90 days), a trail's
                                       S3 archive, or a local folder of log files (any layout)
      --regions LIST|all               regions (default: the current region for lookup, all found
                                       for an archive)
      --format json|csv|md|html        (default json); --out FILE
      --offline                        do not look up the models' state today
      --evidence-bucket NAME           include the sweep's latest inventory snapshot filed there
      Exit: 0 no violation in the period, 1 violations, 2 a source or file could not be read
            (or an archive source gave no records at all).

  policy scp             Print a service control policy that denies sagemaker:CreateModel unless
                         sagemaker:NetworkIsolation is true (an omitted parameter is denied too).
      --include-jobs                   also training, processing, tuning, AutoML, monitoring jobs
      --exempt-principal-tag KEY       principals carrying this tag are exempt
      --exempt-role-path PATH          roles under this IAM path are exempt
  policy iam             Print the least-privilege policies of enforce, sweep and audit.
      --delete-mode --account ID --region REGION --partition aws
      --member-role-name NAME --org    the organisation set-up's grants too

Settings of every command:
      --config FILE                    settings as JSON, same names as below in camelCase
      --exempt-tag-keys LIST           KEY or KEY=VALUE globs, each optionally |YYYY-MM-DD (expiry)
      --exempt-model-name-patterns LIST
      --exempt-principal-patterns LIST
Every setting is also read from ISOLATION_GUARD_<NAME> (flags win; then environment; then file).`;

type FlagSpec = NonNullable<ParseArgsConfig['options']>;
const EXEMPTION_SETTINGS: SettingName[] = ['exemptTagKeys', 'exemptModelNamePatterns', 'exemptPrincipalPatterns'];
const ENFORCE_SETTINGS: SettingName[] = [
  ...EXEMPTION_SETTINGS,
  'mode',
  'dryRun',
  'topicArn',
  'slackWebhookUrl',
  'findingBusName',
  'idempotencyTable',
  'iacTagKeys',
  'memberRoleName',
  'externalId',
  'accountNames',
];

/** The parseArgs options of some settings: `--dry-run` is a switch, the others take a value. */
function settingFlags(names: SettingName[]): FlagSpec {
  return Object.fromEntries(names.map((name) => [flagName(name).slice(2), { type: name === 'dryRun' ? 'boolean' : 'string' }])) as FlagSpec;
}

async function configFrom(values: Record<string, unknown>, names: SettingName[], env: NodeJS.ProcessEnv): Promise<Config> {
  const flags = Object.fromEntries(names.map((name) => [name, values[flagName(name).slice(2)]]));
  const file = typeof values.config === 'string' ? await readConfigFile(values.config) : undefined;
  return loadConfig({ flags, env, file });
}

async function evaluateMain(args: string[], io: CliIo, env: NodeJS.ProcessEnv): Promise<ExitCode> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: { format: { type: 'string', default: 'json' }, config: { type: 'string' }, 'as-of': { type: 'string' }, ...settingFlags(EXEMPTION_SETTINGS) },
  });
  if (values.format !== 'json' && values.format !== 'table') {
    throw new UsageError(`--format: expected json or table, got ${JSON.stringify(values.format)}`);
  }
  const asOf = values['as-of'];
  const now = asOf === undefined ? new Date() : new Date(String(asOf));
  if (Number.isNaN(now.getTime())) throw new UsageError(`--as-of: not a date: ${JSON.stringify(asOf)}`);
  const config = await configFrom(values, EXEMPTION_SETTINGS, env);
  const { evaluateCommand } = await import('./commands/evaluate.js');
  return evaluateCommand({ inputs: positionals, format: values.format, exemptions: config.exemptions, now }, io);
}

async function enforceMain(args: string[], io: CliIo, env: NodeJS.ProcessEnv): Promise<ExitCode> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: { config: { type: 'string' }, 'from-dlq': { type: 'string' }, region: { type: 'string' }, ...settingFlags(ENFORCE_SETTINGS) },
  });
  const config = await configFrom(values, ENFORCE_SETTINGS, env);
  const fromDlq = typeof values['from-dlq'] === 'string' ? values['from-dlq'] : null;
  const region = typeof values.region === 'string' ? values.region : null;
  const { enforceCommand } = await import('./commands/enforce.js');
  return enforceCommand({ inputs: positionals, fromDlq, region, config }, io);
}

const SWEEP_SETTINGS: SettingName[] = [...ENFORCE_SETTINGS, 'regions', 'reminderDays', 'accounts'];

/** `--org` is `--accounts org` (added to any listed accounts). */
function withOrg(values: Record<string, unknown>): void {
  if (values.org === true) values.accounts = [values.accounts, 'org'].filter((v) => typeof v === 'string' && v !== '').join(',');
}

/** The flags every report-writing command takes. */
const REPORT_FLAGS = {
  config: { type: 'string' },
  format: { type: 'string', default: 'json' },
  out: { type: 'string' },
  region: { type: 'string' },
} as const;

function reportFormat(value: unknown): ReportFormat {
  if (!(REPORT_FORMATS as readonly string[]).includes(String(value))) {
    throw new UsageError(`--format: expected one of ${REPORT_FORMATS.join(', ')}, got ${JSON.stringify(value)}`);
  }
  return value as ReportFormat;
}

const optionalString = (value: unknown): string | null => (typeof value === 'string' ? value : null);

async function sweepMain(args: string[], io: CliIo, env: NodeJS.ProcessEnv): Promise<ExitCode> {
  const { values } = parseArgs({
    args,
    allowPositionals: false,
    strict: true,
    options: { ...REPORT_FLAGS, org: { type: 'boolean', default: false }, concurrency: { type: 'string', default: '8' }, ...settingFlags(SWEEP_SETTINGS) },
  });
  withOrg(values);
  const format = reportFormat(values.format);
  const concurrency = Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) throw new UsageError('--concurrency: expected a whole number from 1 to 64');
  const config = await configFrom(values, SWEEP_SETTINGS, env);
  const { sweepCommand } = await import('./commands/sweep.js');
  return sweepCommand(
    { config, format, out: optionalString(values.out), region: optionalString(values.region), concurrency },
    io,
  );
}

const AUDIT_SETTINGS: SettingName[] = [...EXEMPTION_SETTINGS, 'regions', 'memberRoleName', 'externalId', 'accounts', 'evidenceBucket'];

async function auditMain(args: string[], io: CliIo, env: NodeJS.ProcessEnv): Promise<ExitCode> {
  const { values } = parseArgs({
    args,
    allowPositionals: false,
    strict: true,
    options: {
      ...REPORT_FLAGS,
      from: { type: 'string' },
      to: { type: 'string' },
      source: { type: 'string' },
      offline: { type: 'boolean', default: false },
      org: { type: 'boolean', default: false },
      ...settingFlags(AUDIT_SETTINGS),
    },
  });
  withOrg(values);
  if (typeof values.from !== 'string') throw new UsageError('--from: required (YYYY-MM-DD or ISO 8601)');
  if (typeof values.to !== 'string') throw new UsageError('--to: required (YYYY-MM-DD or ISO 8601)');
  const format = reportFormat(values.format);
  const config = await configFrom(values, AUDIT_SETTINGS, env);
  const { auditCommand, parsePeriodBound } = await import('./commands/audit.js');
  return auditCommand(
    {
      from: parsePeriodBound('--from', values.from),
      to: parsePeriodBound('--to', values.to),
      source: optionalString(values.source),
      format,
      out: optionalString(values.out),
      offline: values.offline === true,
      region: optionalString(values.region),
      config,
      now: new Date(),
    },
    io,
  );
}

// Commands are loaded when run (and bundled as separate chunks): `evaluate` in a CI gate and the
// audit's cold start do not pay for the SDK clients of the others.

/** Runs one command line; typed errors become exit codes here and nowhere else. */
export async function run(argv: string[], io: CliIo = processIo, env: NodeJS.ProcessEnv = process.env): Promise<ExitCode> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'evaluate':
        return await evaluateMain(rest, io, env);
      case 'enforce':
        return await enforceMain(rest, io, env);
      case 'sweep':
        return await sweepMain(rest, io, env);
      case 'audit':
        return await auditMain(rest, io, env);
      case 'policy':
        return await (await import('./commands/policy.js')).policyCommand(rest, io);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.stdout(USAGE);
        return command === undefined ? EXIT.inputError : EXIT.ok;
      default:
        throw new UsageError(`unknown command ${JSON.stringify(command)}`);
    }
  } catch (error) {
    // parseArgs throws TypeErrors with an ERR_PARSE_ARGS_* code for unknown or malformed flags.
    const code = (error as { code?: unknown }).code;
    const isArgError = typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
    if (error instanceof IsolationGuardError || isArgError) {
      io.stderr(`isolation-guard: ${(error as Error).message}`);
      if (error instanceof UsageError || isArgError) io.stderr(`Run 'isolation-guard help' for usage.`);
      return EXIT.inputError;
    }
    throw error;
  }
}
