import { parseArgs } from 'node:util';
import packageJson from '../package.json' with { type: 'json' };
import { flagName, loadConfig, settingOrigin, type Config, type SettingName } from '../shared/config.js';
import { ConfigurationError, IsolationGuardError, UsageError } from '../shared/errors.js';
import { describeAwsError, isAwsError } from './aws-errors.js';
import { readConfigFile } from './config-file.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import { checkOutDestination, processIo, type CliIo } from './io.js';
import { CLI_REPORT_FORMATS, type CliReportFormat } from './pdf.js';
import { SETTING_HELP } from './setting-help.js';

/**
 * The command line, declared as data: each command's options, settings, exit codes and handler.
 * Parsing, per-command help, `--version` and suggestions for typos all come from these declarations,
 * so the help cannot drift from what the parser accepts. Commands are loaded when run (and bundled
 * as separate chunks): `evaluate` in a CI gate does not pay for the SDK clients of the others.
 */

export interface OptionSpec {
  type: 'string' | 'boolean';
  default?: string | boolean;
  /** The value's name in the help (`FILE`, `json|table`). */
  value?: string;
  help: string;
  /** May be given more than once (the values come as a list). */
  multiple?: boolean;
}

export interface Parsed {
  values: Record<string, unknown>;
  positionals: string[];
}

export interface CommandSpec {
  /** `evaluate`, or `policy scp` for a subcommand. */
  name: string;
  /** What follows the name in the usage line. */
  synopsis: string;
  summary: string;
  description?: string;
  options: Record<string, OptionSpec>;
  /** Settings (shared/config.ts) this command reads: each is a flag, an environment variable and a config-file key. */
  settings: SettingName[];
  positionals: boolean;
  exits: Partial<Record<ExitCode, string>>;
  run(parsed: Parsed, io: CliIo, env: NodeJS.ProcessEnv): Promise<ExitCode>;
}

const EXEMPTION_SETTINGS: SettingName[] = [
  'exemptTagKeys',
  'exemptModelNamePatterns',
  'exemptPrincipalPatterns',
  // Governance: the exception register and the data-class priorities decide with the exemptions.
  'exceptions',
  'classificationTagKey',
  'classes',
  'environmentTagKey',
  'productionValues',
];
const ENFORCE_SETTINGS: SettingName[] = [
  'mode',
  'autoFixTagKey',
  'dryRun',
  'topicArn',
  'slackWebhookUrl',
  'findingBusName',
  'idempotencyTable',
  'iacTagKeys',
  'memberRoleName',
  'externalId',
  'accountNames',
  'securityHub',
  ...EXEMPTION_SETTINGS,
];
/** Settings that are switches on the command line (`--dry-run`), not `--name VALUE`. */
const BOOLEAN_SETTINGS = new Set<SettingName>(['dryRun', 'securityHub']);
const SWEEP_SETTINGS: SettingName[] = ['regions', 'accounts', 'reminderDays', ...ENFORCE_SETTINGS];
const AUDIT_SETTINGS: SettingName[] = [
  'regions',
  'accounts',
  'memberRoleName',
  'externalId',
  'accountNames',
  'evidenceBucket',
  'athenaWorkgroup',
  'athenaOutputLocation',
  ...EXEMPTION_SETTINGS,
];

const REPORT_OPTIONS: Record<string, OptionSpec> = {
  format: {
    type: 'string',
    default: 'json',
    value: CLI_REPORT_FORMATS.join('|'),
    help: 'the report format (default json); pdf is printed from the HTML page by a local Chromium or Chrome (CHROMIUM_PATH)',
  },
  out: { type: 'string', value: 'FILE', help: 'write the report there instead of stdout (pdf: required)' },
  region: { type: 'string', value: 'REGION', help: 'home region (default AWS_REGION, else us-east-1)' },
};
const ORG_OPTION: Record<string, OptionSpec> = {
  org: { type: 'boolean', default: false, help: 'every active account of the organisation (Organizations ListAccounts)' },
};

function reportFormat(value: unknown): CliReportFormat {
  if (!(CLI_REPORT_FORMATS as readonly string[]).includes(String(value))) {
    throw new UsageError(`--format: expected one of ${CLI_REPORT_FORMATS.join(', ')}, got ${JSON.stringify(value)}`);
  }
  return value as CliReportFormat;
}

const optionalString = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/** `--org` is `--accounts org` (added to any listed accounts). */
function withOrg(values: Record<string, unknown>): void {
  if (values.org === true) values.accounts = [values.accounts, 'org'].filter((v) => typeof v === 'string' && v !== '').join(',');
}

async function configFrom(values: Record<string, unknown>, names: SettingName[], env: NodeJS.ProcessEnv): Promise<Config> {
  const flags = Object.fromEntries(names.map((name) => [name, values[flagName(name).slice(2)]]));
  const file = typeof values.config === 'string' ? await readConfigFile(values.config) : undefined;
  // The register's entries join the exemptions; an unreadable register stops the command (exit 2).
  const { withExceptionRegister } = await import('../shared/governance/exception-register.js');
  const config = withExceptionRegister(loadConfig({ flags, env, file }));
  // A typo (`eu-westt-1`) is refused before any call: the SDK would build an endpoint and fail per region.
  if (config.regions.length > 0) {
    const { unknownRegions } = await import('../shared/aws/known-regions.js');
    const unknown = unknownRegions(config.regions);
    if (unknown.length > 0) {
      throw new ConfigurationError(
        settingOrigin('regions', { flags, env, file }),
        `unknown region ${unknown.map((region) => JSON.stringify(region)).join(', ')} (expected region codes of an AWS partition, such as eu-west-1, or all)`,
      );
    }
  }
  return config;
}

function parseDate(flag: string, value: unknown): Date {
  const date = new Date(String(value));
  if (Number.isNaN(date.getTime())) throw new UsageError(`${flag}: not a date (YYYY-MM-DD or ISO 8601): ${JSON.stringify(value)}`);
  return date;
}

export const COMMANDS: CommandSpec[] = [
  {
    name: 'evaluate',
    synopsis: '[PATH|-]...',
    summary: 'Decide every SageMaker CreateModel call recorded in CloudTrail files (a CI gate).',
    description:
      'Reads records, EventBridge events, log files {"Records":[...]}, JSON arrays, NDJSON, concatenated\n' +
      'JSON documents (log files run together) and gzip of any of those, streaming, files on every core.\n' +
      'Reads stdin when no PATH is given, or with -.\n' +
      'For a folder of a trail\'s log files and a report, use `isolation-guard audit --source DIR`.',
    options: {
      format: { type: 'string', default: 'json', value: 'json|table', help: 'one JSON line per call (default) or a readable table' },
      'as-of': { type: 'string', value: 'DATE', help: 'judge exemption expiry at this instant (default: now)' },
      verbose: { type: 'boolean', default: false, help: 'name each input without a CreateModel call, and every problem (default: one summary line)' },
    },
    settings: EXEMPTION_SETTINGS,
    positionals: true,
    exits: { 0: 'no violation', 1: 'at least one violation', 2: 'an input or setting could not be read (the others are still reported)' },
    async run({ values, positionals }, io, env) {
      if (values.format !== 'json' && values.format !== 'table') {
        throw new UsageError(`--format: expected json or table, got ${JSON.stringify(values.format)}`);
      }
      const now = values['as-of'] === undefined ? new Date() : parseDate('--as-of', values['as-of']);
      const config = await configFrom(values, EXEMPTION_SETTINGS, env);
      const { evaluateCommand } = await import('./commands/evaluate.js');
      return evaluateCommand({ inputs: positionals, format: values.format, exemptions: config.exemptions, priorities: config.priorities, now, verbose: values.verbose === true }, io);
    },
  },
  {
    name: 'enforce',
    synopsis: '[PATH|-]... | --from-dlq QUEUE_URL',
    summary: 'Run the enforcement pipeline (confirm, remediate, alert) on CreateModel events.',
    description:
      'Events come from files, stdin or the dead-letter queue. Each event is confirmed with DescribeModel,\n' +
      'remediated as --mode says and alerted on every configured channel. The regions of the topic, queue\n' +
      'and table are taken from their ARN or URL unless --region says otherwise.',
    options: {
      'from-dlq': { type: 'string', value: 'QUEUE_URL', help: 'replay the dead-letter queue; handled messages are deleted' },
      region: { type: 'string', value: 'REGION', help: 'region for SNS, SQS and DynamoDB (events carry their own)' },
    },
    settings: ENFORCE_SETTINGS,
    positionals: true,
    exits: { 0: 'no violation', 1: 'violations, all handled', 2: 'an input could not be read', 3: 'an effect (action or alert) failed: replay the event' },
    async run({ values, positionals }, io, env) {
      const config = await configFrom(values, ENFORCE_SETTINGS, env);
      const { enforceCommand } = await import('./commands/enforce.js');
      return enforceCommand({ inputs: positionals, fromDlq: optionalString(values['from-dlq']), region: optionalString(values.region), config, env }, io);
    },
  },
  {
    name: 'sweep',
    synopsis: '[--regions LIST|all] [--format FORMAT] [--out FILE]',
    summary: 'Check every existing model and send violations through the same remediation and alerts.',
    description:
      'ListModels, then one DescribeModel and one ListTags per model; a violating model is alerted once per\n' +
      'reminder interval. Prints (or writes) the inventory report.',
    options: {
      ...REPORT_OPTIONS,
      ...ORG_OPTION,
      concurrency: { type: 'string', default: '8', value: 'N', help: 'models inspected at once per region (8)' },
    },
    settings: SWEEP_SETTINGS,
    positionals: false,
    exits: {
      0: 'all models compliant or exempt',
      1: 'violations',
      2: 'a region or account could not be read (the others are still reported)',
      3: 'an effect (tag, delete, alert) failed',
    },
    async run({ values }, io, env) {
      withOrg(values);
      const format = reportFormat(values.format);
      const concurrency = Number(values.concurrency);
      if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) throw new UsageError('--concurrency: expected a whole number from 1 to 64');
      const config = await configFrom(values, SWEEP_SETTINGS, env);
      const { sweepCommand } = await import('./commands/sweep.js');
      return sweepCommand({ config, format, out: optionalString(values.out), region: optionalString(values.region), concurrency, env }, io);
    },
  },
  {
    name: 'audit',
    synopsis: '--from DATE --to DATE [--source lookup|s3://BUCKET/PREFIX|DIR] [--format FORMAT]',
    summary: 'Every CreateModel call of an audit period, as an evidence report with KPIs.',
    description:
      'Sources: CloudTrail LookupEvents (default; the last 90 days), a trail\'s S3 archive, one Athena query\n' +
      'over the trail\'s table (any period, an organisation\'s year), the monthly reports the history Lambda\n' +
      'filed (merged; a missing month is named, exit 2), or a local folder of log files (any layout).\n' +
      '--to YYYY-MM-DD includes that whole day.',
    options: {
      from: { type: 'string', value: 'DATE', help: 'start of the period (YYYY-MM-DD or ISO 8601), required' },
      to: { type: 'string', value: 'DATE', help: 'end of the period, inclusive for a date, required' },
      source: {
        type: 'string',
        value: 'lookup|s3://BUCKET/PREFIX|athena:DATABASE.TABLE|evidence:BUCKET|DIR',
        help: 'LookupEvents (default), a trail archive, one Athena query, the filed monthly reports (merged), a folder',
      },
      workgroup: { type: 'string', value: 'NAME', help: 'Athena workgroup (short for --athena-workgroup; default primary)' },
      offline: { type: 'boolean', default: false, help: 'do not look up the models\' state today' },
      ...REPORT_OPTIONS,
      ...ORG_OPTION,
    },
    settings: AUDIT_SETTINGS,
    positionals: false,
    exits: { 0: 'no violation in the period', 1: 'violations', 2: 'a source or file could not be read, or an archive source gave no records at all' },
    async run({ values }, io, env) {
      withOrg(values);
      // `--workgroup` is the short name of `--athena-workgroup`.
      if (typeof values.workgroup === 'string') values['athena-workgroup'] ??= values.workgroup;
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
          env,
        },
        io,
      );
    },
  },
  {
    name: 'scan',
    synopsis: 'PATH... [--format json|table|sarif] [--out FILE]',
    summary: 'The shift-left gate: every SageMaker model in Terraform, plans, CloudFormation, SAM and CDK output.',
    description:
      'Decided before deployment. Folders are walked (.terraform, node_modules, .git skipped; files that are\n' +
      'not IaC are ignored). A value unknown before deployment fails the gate, as a violation does.',
    options: {
      format: { type: 'string', default: 'json', value: 'json|table|sarif', help: 'one JSON line per model resource (default), a table, SARIF 2.1.0' },
      out: { type: 'string', value: 'FILE', help: 'write the report there instead of stdout' },
      'var-file': { type: 'string', multiple: true, value: 'FILE', help: 'Terraform variables for root configurations (repeatable)' },
      parameter: { type: 'string', multiple: true, value: 'KEY=VALUE', help: 'CloudFormation parameter value (repeatable)' },
      'as-of': { type: 'string', value: 'DATE', help: 'judge exemption expiry at this instant (default: now)' },
      region: { type: 'string', value: 'REGION', help: 'region of the evidence bucket\'s client (default AWS_REGION)' },
      root: { type: 'string', value: 'DIR', help: 'repository root: SARIF paths, baseline keys, modules followed inside it (default: the Git root, or .)' },
      baseline: { type: 'string', value: 'FILE', help: 'findings listed in FILE pass (exempt); only new ones fail' },
      'create-baseline': { type: 'boolean', help: 'write the failing findings to --baseline FILE (default ROOT/.isolation-guard.baseline), exit 0' },
    },
    settings: ['evidenceBucket'],
    positionals: true,
    exits: {
      0: 'every model compliant or exempt',
      1: 'a violation, or a value unknown before deployment',
      2: 'an input could not be read (the others are still reported)',
      3: 'the result could not be filed in the evidence bucket',
    },
    async run({ values, positionals }, io, env) {
      const config = await configFrom(values, ['evidenceBucket'], env);
      return (await import('./commands/scan.js')).scanMain(values, positionals, config, io, env);
    },
  },
  {
    name: 'fix',
    synopsis: 'MODEL_NAME [--region R] [--apply] [--delete-old] [--format text|json]',
    summary: 'Recreate a model with network isolation and move its endpoints onto it (a plan unless --apply).',
    description:
      'Isolation cannot be turned on for an existing model: the fix is a new model (NAME-isolated) with the\n' +
      'same containers, role, VPC and tags, a copy of each endpoint config that serves the old one, and\n' +
      'UpdateEndpoint of each endpoint onto it. Without --apply it prints the plan and changes nothing.',
    options: {
      apply: { type: 'boolean', default: false, help: 'make the changes (default: print the plan only)' },
      'delete-old': { type: 'boolean', default: false, help: 'delete the old model, and configs no endpoint uses, once every endpoint moved' },
      force: { type: 'boolean', default: false, help: 'fix a model that CloudFormation or Terraform manages (its template drifts)' },
      'rollback-alarms': { type: 'string', value: 'LIST', help: 'CloudWatch alarms: blue/green update with auto-rollback when one fires' },
      'wait-minutes': { type: 'string', default: '30', value: 'N', help: 'how long each endpoint is waited for (30)' },
      format: { type: 'string', default: 'text', value: 'text|json', help: 'the plan as text (default) or one JSON document' },
      region: { type: 'string', value: 'REGION', help: "the model's region (default AWS_REGION, else us-east-1)" },
      account: { type: 'string', value: 'ID', help: "the model's account (through --member-role-name)" },
    },
    settings: ['iacTagKeys', 'memberRoleName', 'externalId'],
    positionals: true,
    exits: { 0: 'fixed, already isolated, or the plan printed', 2: 'no such model, bad input, or IaC-managed without --force', 3: 'a step failed (the output says what was done)' },
    async run({ values, positionals }, io, env) {
      if (positionals.length !== 1) throw new UsageError('fix: expected exactly one MODEL_NAME');
      const modelName = positionals[0]!;
      if (!/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/.test(modelName)) throw new UsageError(`MODEL_NAME: not a SageMaker model name (letters, digits, hyphens, at most 63): ${JSON.stringify(modelName)}`);
      if (values.format !== 'text' && values.format !== 'json') throw new UsageError(`--format: expected text or json, got ${JSON.stringify(values.format)}`);
      const minutes = Number(values['wait-minutes']);
      if (!(minutes > 0 && minutes <= 240)) throw new UsageError(`--wait-minutes: expected a number of minutes from 1 to 240, got ${JSON.stringify(values['wait-minutes'])}`);
      const account = optionalString(values.account);
      if (account !== null && !/^\d{12}$/.test(account)) throw new UsageError(`--account: expected a 12-digit account id, got ${JSON.stringify(account)}`);
      const config = await configFrom(values, ['iacTagKeys', 'memberRoleName', 'externalId'], env);
      if (account !== null && config.memberRoleName === null) throw new UsageError('--account: needs --member-role-name (the role assumed in that account)');
      const alarms = (optionalString(values['rollback-alarms']) ?? '').split(',').map((a) => a.trim()).filter(Boolean);
      const { fixCommand } = await import('./commands/fix.js');
      return fixCommand(
        {
          modelName,
          region: optionalString(values.region),
          account,
          apply: values.apply === true,
          deleteOld: values['delete-old'] === true,
          force: values.force === true,
          rollbackAlarms: alarms,
          format: values.format,
          waitMs: minutes * 60_000,
          config,
          env,
        },
        io,
      );
    },
  },
  {
    name: 'athena ddl',
    synopsis: '--trail-bucket BUCKET [--prefix P] [--org-id o-...] [--accounts LIST|--org] [--create]',
    summary: "Print (or create) the Athena table of a trail's archive, with partition projection.",
    description: "AWS's documented CloudTrail table, projected on account, region and day (organisation trails included).",
    options: {
      'trail-bucket': { type: 'string', value: 'BUCKET', help: 'the bucket the trail delivers to (required)' },
      prefix: { type: 'string', default: '', value: 'P', help: 'the trail\'s key prefix, if any' },
      'org-id': { type: 'string', value: 'o-...', help: 'an organisation trail: AWSLogs/o-.../ACCOUNT/...' },
      database: { type: 'string', default: 'default', value: 'NAME', help: 'the Glue database (default default)' },
      table: { type: 'string', default: 'cloudtrail_logs', value: 'NAME', help: 'the table (default cloudtrail_logs)' },
      from: { type: 'string', default: '2020-01-01', value: 'DATE', help: 'the first day projected (YYYY-MM-DD)' },
      accounts: { type: 'string', value: 'LIST', help: 'the accounts projected' },
      org: { type: 'boolean', default: false, help: 'every active account of the organisation' },
      regions: { type: 'string', default: 'all', value: 'LIST|all', help: 'the regions projected (default all)' },
      create: { type: 'boolean', default: false, help: 'run it on Athena' },
      workgroup: { type: 'string', value: 'NAME', help: 'Athena workgroup for --create' },
      'athena-output-location': { type: 'string', value: 's3://BUCKET/PREFIX/', help: 'query results, unless the workgroup sets one' },
      region: { type: 'string', value: 'REGION', help: 'Athena\'s region (default AWS_REGION)' },
    },
    settings: [],
    positionals: false,
    exits: { 0: 'printed or created', 2: 'bad input, or the query failed' },
    async run({ values }, io, env) {
      withOrg(values);
      return (await import('./commands/athena.js')).athenaDdlCommand(values, io, env);
    },
  },
  {
    name: 'exceptions check',
    synopsis: 'FILE [--max-days N] [--as-of DATE]',
    summary: 'Check an exception register (for the pull request that changes it).',
    description: 'Every entry needs reason, ticket, approvedBy and expires; an expired one, or one expiring too far ahead, is named.',
    options: {
      'max-days': { type: 'string', default: '365', value: 'N', help: 'an entry may expire at most N days ahead (365)' },
      'as-of': { type: 'string', value: 'DATE', help: 'judge expiry at this instant (default: now)' },
    },
    settings: [],
    positionals: true,
    exits: { 0: 'every entry complete and in date', 1: 'an entry has a problem (each named)', 2: 'the file cannot be read' },
    async run({ values, positionals }, io) {
      if (positionals.length !== 1) throw new UsageError('exceptions check: expected exactly one FILE');
      const maxDays = Number(values['max-days']);
      if (!Number.isInteger(maxDays) || maxDays < 1) throw new UsageError(`--max-days: expected a whole number of days (1 or more), got ${JSON.stringify(values['max-days'])}`);
      const asOf = values['as-of'] === undefined ? new Date() : parseDate('--as-of', values['as-of']);
      return (await import('./commands/exceptions.js')).exceptionsCheckCommand({ file: positionals[0]!, maxDays, asOf }, io);
    },
  },
  {
    name: 'policy scp',
    synopsis: '[--include-jobs] [--exempt-principal-tag KEY] [--exempt-role-path PATH]',
    summary: 'Print a service control policy that denies CreateModel without network isolation.',
    description: 'An omitted sagemaker:NetworkIsolation is denied too (BoolIfExists). Attach it to the OUs that use SageMaker.',
    options: {
      'include-jobs': { type: 'boolean', default: false, help: 'also training, processing, tuning and monitoring jobs' },
      'exempt-principal-tag': { type: 'string', value: 'KEY', help: 'principals carrying this tag are exempt' },
      'exempt-role-path': { type: 'string', value: 'PATH', help: 'roles under this IAM path are exempt' },
    },
    settings: [],
    positionals: false,
    exits: { 0: 'printed', 2: 'a bad option' },
    async run({ values }, io) {
      return (await import('./commands/policy.js')).policyScpCommand(values, io);
    },
  },
  {
    name: 'policy iam',
    synopsis: '[--delete-mode] [--account ID] [--region REGION] [--org --member-role-name NAME]',
    summary: 'Print the least-privilege IAM policies of enforce, sweep and audit.',
    options: {
      'delete-mode': { type: 'boolean', default: false, help: 'include sagemaker:DeleteModel for enforce and sweep' },
      account: { type: 'string', value: 'ID', help: 'the account id in resource ARNs (default *)' },
      region: { type: 'string', value: 'REGION', help: 'the region in resource ARNs (default *)' },
      partition: { type: 'string', value: 'NAME', help: 'the partition (default aws)' },
      'member-role-name': { type: 'string', value: 'NAME', help: 'the organisation set-up\'s member role (sts:AssumeRole)' },
      org: { type: 'boolean', default: false, help: 'organizations:ListAccounts for the sweep and audit' },
      'security-hub': { type: 'boolean', default: false, help: "securityhub:BatchImportFindings on the account's product" },
      'organization-id': { type: 'string', value: 'o-...', help: 'the member role may be assumed only in this organisation (aws:ResourceOrgID)' },
    },
    settings: [],
    positionals: false,
    exits: { 0: 'printed', 2: 'a bad option' },
    async run({ values }, io) {
      return (await import('./commands/policy.js')).policyIamCommand(values, io);
    },
  },
];

// ---------------------------------------------------------------------------------------------
// Help, generated from the declarations.

const EXIT_WORDS: Record<ExitCode, string> = {
  0: 'nothing non-compliant found',
  1: 'at least one violation',
  2: 'an input, source, setting or option could not be read (wins over 1)',
  3: 'an effect (remediation or alert) failed: replay the event',
};

const GROUPS = [...new Set(COMMANDS.map((command) => command.name.split(' ')[0]!))];

function columns(rows: Array<[string, string]>, indent = 2): string[] {
  const width = Math.min(34, Math.max(...rows.map(([left]) => left.length)) + 2);
  return rows.map(([left, right]) =>
    left.length + 2 > width ? `${' '.repeat(indent)}${left}\n${' '.repeat(indent + width)}${right}` : `${' '.repeat(indent)}${left.padEnd(width)}${right}`,
  );
}

const optionLabel = (name: string, spec: { value?: string; type?: string }) =>
  spec.value && spec.type !== 'boolean' ? `--${name} ${spec.value}` : `--${name}`;

function overviewHelp(): string {
  const rows: Array<[string, string]> = COMMANDS.map((command) => [command.name, command.summary]);
  return [
    `isolation-guard ${packageJson.version}: every Amazon SageMaker model runs with network isolation.`,
    '',
    'Usage: isolation-guard <command> [options]',
    '',
    'Commands:',
    ...columns(rows),
    '',
    "Run 'isolation-guard <command> --help' (or 'isolation-guard help <command>') for a command's options.",
    '',
    'Exit codes:',
    ...columns(Object.entries(EXIT_WORDS).map(([code, words]) => [code, words])),
    '',
    'Settings are flags, ISOLATION_GUARD_<NAME> environment variables or keys of --config FILE (JSON);',
    'flags win, then the environment, then the file. --version prints the version.',
  ].join('\n');
}

function commandHelp(command: CommandSpec): string {
  const options = columns([
    ...Object.entries(command.options).map(([name, spec]): [string, string] => [optionLabel(name, spec), spec.help]),
    ...(command.settings.length > 0 ? [['--config FILE', 'settings as JSON (keys are the settings\' camelCase names)'] as [string, string]] : []),
    ['--help', 'this help'],
  ]);
  const settings = command.settings.map((name): [string, string] => {
    const help = SETTING_HELP[name];
    const type = BOOLEAN_SETTINGS.has(name) ? 'boolean' : 'string';
    return [optionLabel(flagName(name).slice(2), { value: help?.value ?? (type === 'boolean' ? undefined : 'VALUE'), type }), help?.help ?? ''];
  });
  return [
    `Usage: isolation-guard ${command.name} ${command.synopsis}`.trimEnd(),
    '',
    command.summary,
    ...(command.description ? [command.description] : []),
    '',
    'Options:',
    ...options,
    ...(settings.length > 0 ? ['', 'Settings (also ISOLATION_GUARD_<NAME> or a --config key):', ...columns(settings)] : []),
    '',
    'Exit codes:',
    ...columns(Object.entries(command.exits).map(([code, words]) => [code, words])),
  ].join('\n');
}

function groupHelp(group: string): string {
  const subcommands = COMMANDS.filter((command) => command.name.startsWith(`${group} `));
  return [
    `Usage: isolation-guard ${group} <${subcommands.map((command) => command.name.split(' ')[1]).join('|')}> [options]`,
    '',
    ...columns(subcommands.map((command) => [command.name, command.summary])),
    '',
    `Run 'isolation-guard ${group} <subcommand> --help' for its options.`,
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------
// Suggestions for typos.

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

/** The closest candidate within a few edits (or one the word starts), if any. */
export function closest(word: string, candidates: string[]): string | null {
  let best: { candidate: string; distance: number } | null = null;
  for (const candidate of candidates) {
    const distance = candidate.startsWith(word) && word.length >= 3 ? 0.5 : editDistance(word, candidate);
    if (distance <= Math.max(2, Math.floor(candidate.length / 4)) && (!best || distance < best.distance)) best = { candidate, distance };
  }
  return best?.candidate ?? null;
}

// ---------------------------------------------------------------------------------------------
// Running a command line.

export function parserOptions(command: CommandSpec) {
  const options: Record<string, { type: 'string' | 'boolean'; default?: string | boolean; multiple?: boolean }> = {};
  for (const [name, spec] of Object.entries(command.options)) {
    options[name] = { type: spec.type, ...(spec.default !== undefined ? { default: spec.default } : {}), ...(spec.multiple ? { multiple: true } : {}) };
  }
  for (const name of command.settings) options[flagName(name).slice(2)] = { type: BOOLEAN_SETTINGS.has(name) ? 'boolean' : 'string' };
  if (command.settings.length > 0) options.config = { type: 'string' };
  return options;
}

/**
 * `--reminder-days -3`: parseArgs takes `-3` for an option and says the flag "takes no value"; a
 * value option followed by a negative number gets it as its value, which the setting then refuses
 * for what it is (`expected a number of days (0 or more), got "-3"`).
 */
function negativeValues(args: string[], command: CommandSpec): string[] {
  const options = parserOptions(command);
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const next = args[i + 1];
    if (arg.startsWith('--') && !arg.includes('=') && options[arg.slice(2)]?.type === 'string' && next !== undefined && /^-\d/.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}

/** parseArgs' own messages name the internals (`ERR_PARSE_ARGS_...`, an unclosed quote): say it plainly. */
function argumentError(error: { code: string; message: string }, command: CommandSpec): UsageError {
  const known = Object.keys(parserOptions(command)).map((name) => `--${name}`);
  if (error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const option = /option '([^']+)'/i.exec(error.message)?.[1] ?? 'given';
    const suggestion = closest(option.replace(/=.*$/, ''), known);
    return new UsageError(`${command.name}: unknown option ${option}${suggestion ? ` (did you mean ${suggestion}?)` : ''}`);
  }
  if (error.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const option = /'(--?[\w-]+)/.exec(error.message)?.[1];
    return new UsageError(option ? `${command.name}: ${option} ${/argument missing/.test(error.message) ? 'needs a value' : 'takes no value'}` : `${command.name}: ${error.message}`);
  }
  if (error.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
    const argument = /argument '([^']*)'/.exec(error.message)?.[1];
    return new UsageError(`${command.name} takes no arguments${argument !== undefined ? `, got ${JSON.stringify(argument)}` : ''}`);
  }
  return new UsageError(`${command.name}: ${error.message}`);
}

const wantsHelp = (args: string[]): boolean => {
  const end = args.indexOf('--');
  return (end < 0 ? args : args.slice(0, end)).some((arg) => arg === '--help' || arg === '-h');
};

/** Finds the command an argv names: `policy scp` takes two words. Throws a UsageError with a suggestion. */
function findCommand(argv: string[]): { command: CommandSpec; rest: string[] } | { group: string } {
  const [first = '', second, ...more] = argv;
  if (GROUPS.includes(first) && !COMMANDS.some((command) => command.name === first)) {
    const sub = COMMANDS.find((command) => command.name === `${first} ${second}`);
    if (sub) return { command: sub, rest: more };
    if (second === undefined || second === '--help' || second === '-h' || second === 'help') return { group: first };
    const names = COMMANDS.filter((command) => command.name.startsWith(`${first} `)).map((command) => command.name.split(' ')[1]!);
    const suggestion = closest(second, names);
    throw new UsageError(`${first}: expected a subcommand (${names.join(' or ')}), got ${JSON.stringify(second)}${suggestion ? ` (did you mean '${first} ${suggestion}'?)` : ''}`);
  }
  const command = COMMANDS.find((candidate) => candidate.name === first);
  if (command) return { command, rest: argv.slice(1) };
  const suggestion = closest(first, GROUPS);
  throw new UsageError(`unknown command ${JSON.stringify(first)}${suggestion ? ` (did you mean '${suggestion}'?)` : ''}`);
}

/** `--region` (a home region): one AWS lists, checked before any call is made with it. */
async function checkRegionOption(values: Record<string, unknown>): Promise<void> {
  const region = values.region;
  if (typeof region !== 'string') return;
  const { isKnownRegion } = await import('../shared/aws/known-regions.js');
  if (!isKnownRegion(region)) {
    throw new UsageError(`--region: unknown region ${JSON.stringify(region)} (expected a region code of an AWS partition, such as eu-west-1)`);
  }
}

/** Runs one command line; typed errors become exit codes here and nowhere else. */
export async function run(argv: string[], io: CliIo = processIo, env: NodeJS.ProcessEnv = process.env): Promise<ExitCode> {
  const [first] = argv;
  if (first === undefined) {
    io.stderr(overviewHelp());
    return EXIT.inputError;
  }
  if (first === '--version' || first === '-v' || first === 'version') {
    io.stdout(packageJson.version);
    return EXIT.ok;
  }
  let command: CommandSpec | null = null;
  try {
    if (first === 'help' || first === '--help' || first === '-h') {
      const topic = argv.slice(1);
      if (topic.length === 0) io.stdout(overviewHelp());
      else {
        const found = findCommand(topic);
        io.stdout('group' in found ? groupHelp(found.group) : commandHelp(found.command));
      }
      return EXIT.ok;
    }
    const found = findCommand(argv);
    if ('group' in found) {
      // `policy` alone is a usage error (exit 2, on stderr); `policy --help` is help.
      if (argv.length > 1) io.stdout(groupHelp(found.group));
      else io.stderr(groupHelp(found.group));
      return argv.length > 1 ? EXIT.ok : EXIT.inputError;
    }
    command = found.command;
    if (wantsHelp(found.rest)) {
      io.stdout(commandHelp(command));
      return EXIT.ok;
    }
    let parsed: Parsed;
    try {
      parsed = parseArgs({ args: negativeValues(found.rest, command), allowPositionals: command.positionals, strict: true, options: parserOptions(command) }) as Parsed;
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) throw argumentError(error as { code: string; message: string }, command);
      throw error;
    }
    // Where the output goes is checked before any work (and any alert) is done.
    if (typeof parsed.values.out === 'string') await checkOutDestination(parsed.values.out);
    await checkRegionOption(parsed.values);
    return await command.run(parsed, io, env);
  } catch (error) {
    if (error instanceof IsolationGuardError) {
      io.stderr(`isolation-guard: ${error.message}`);
      if (error instanceof UsageError) io.stderr(`Run 'isolation-guard ${command ? `${command.name} ` : ''}--help' for usage.`);
      return EXIT.inputError;
    }
    if (isAwsError(error)) {
      // An AWS call the command could not do without (a bucket, a queue, a table, credentials).
      io.stderr(`isolation-guard: ${describeAwsError(error, env)}`);
      return EXIT.inputError;
    }
    throw error;
  }
}
