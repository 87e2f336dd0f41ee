import { resolve } from 'node:path';
import { z } from 'zod';
import { flagName, loadConfig, settingInfo, settingOrigin, SETTING_NAMES, type Config, type SettingCommand, type SettingName } from '../shared/config.js';
import { ConfigurationError, UsageError } from '../shared/errors.js';
import { readConfigFile } from './config-file.js';
import type { ExitCode } from './exit-codes.js';
import { SCAN_OUTPUT_FORMATS } from './commands/scan-formats.js';
import type { CliIo } from './io.js';
import { flag, got, instant, matching, numberWhere, oneOf, optionalString, POSITIONALS, required, type OptionValues } from './option-schemas.js';
import { CLI_REPORT_FORMATS } from './pdf.js';
import { isDay } from '../shared/dates.js';

/**
 * The command line, declared as data: each command's options, settings, exit codes, the schema
 * its options are parsed with, and its handler. Parsing, per-command help, `--version` and
 * suggestions for typos all come from these declarations (cli/main.ts, cli/help.ts), so the help
 * cannot drift from what the parser accepts. A command's settings are those whose declaration in
 * shared/config.ts names it. Commands are loaded when run (and bundled as separate chunks):
 * `evaluate` in a CI gate does not pay for the SDK clients of the others.
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

export interface CommandSpec<S extends z.ZodType = z.ZodType> {
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
  /** The schema of parseArgs' values (and the arguments, under `positionals`): the handler's typed options. */
  schema(): S;
  /** The handler: typed options, and the raw values the settings are read from (`configFrom`). */
  run(input: { options: z.output<S>; values: OptionValues }, io: CliIo, env: NodeJS.ProcessEnv): Promise<ExitCode>;
}

/** A command, its handler typed by its schema. */
const command = <S extends z.ZodType>(spec: CommandSpec<S>): CommandSpec => spec as unknown as CommandSpec;

/** The settings a command takes, in the settings' order (shared/config.ts declares which). */
const settingsOf = (name: SettingCommand): SettingName[] => SETTING_NAMES.filter((setting) => settingInfo(setting).commands?.includes(name));

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

const reportFormat = () => oneOf(CLI_REPORT_FORMATS, got(`one of ${CLI_REPORT_FORMATS.join(', ')}`));
const notADate = (input: unknown) => `not a date (YYYY-MM-DD or ISO 8601): ${JSON.stringify(input)}`;
const args = () => z.array(z.string());
const ACCOUNT_ID = /^\d{12}$/;

/** `--org` is `--accounts org` (added to any listed accounts). */
function withOrg(values: OptionValues): void {
  if (values.org === true) values.accounts = [values.accounts, 'org'].filter((v) => typeof v === 'string' && v !== '').join(',');
}

async function configFrom(values: OptionValues, names: SettingName[], env: NodeJS.ProcessEnv): Promise<Config> {
  const flags = Object.fromEntries(names.map((name) => [name, values[flagName(name).slice(2)]]));
  const file = typeof values.config === 'string' ? await readConfigFile(values.config) : undefined;
  // The register's entries join the exemptions; an unreadable register stops the command (exit 2).
  // Without one there is nothing to join (the settings give no register entries): its module and
  // the YAML parser (about 10 ms of start-up) are not loaded.
  const settings = loadConfig({ flags, env, file });
  const config = settings.exceptions ? (await import('../shared/governance/exception-register.js')).withExceptionRegister(settings) : settings;
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

export const COMMANDS: CommandSpec[] = [
  command({
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
    settings: settingsOf('evaluate'),
    positionals: true,
    exits: { 0: 'no violation', 1: 'at least one violation', 2: 'an input or setting could not be read (the others are still reported)' },
    schema: () =>
      z.object({
        format: oneOf(['json', 'table'], got('json or table')),
        'as-of': instant(notADate),
        verbose: flag(),
        [POSITIONALS]: args(),
      }),
    async run({ options, values }, io, env) {
      const config = await configFrom(values, settingsOf('evaluate'), env);
      const { evaluateCommand } = await import('./commands/evaluate.js');
      return evaluateCommand(
        { inputs: options.positionals, format: options.format, exemptions: config.exemptions, priorities: config.priorities, now: options['as-of'], verbose: options.verbose },
        io,
      );
    },
  }),
  command({
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
    settings: settingsOf('enforce'),
    positionals: true,
    exits: { 0: 'no violation', 1: 'violations, all handled', 2: 'an input could not be read', 3: 'an effect (action or alert) failed: replay the event' },
    schema: () => z.object({ 'from-dlq': optionalString(), region: optionalString(), [POSITIONALS]: args() }),
    async run({ options, values }, io, env) {
      const config = await configFrom(values, settingsOf('enforce'), env);
      const { enforceCommand } = await import('./commands/enforce.js');
      return enforceCommand({ inputs: options.positionals, fromDlq: options['from-dlq'], region: options.region, config, env }, io);
    },
  }),
  command({
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
    settings: settingsOf('sweep'),
    positionals: false,
    exits: {
      0: 'all models compliant or exempt',
      1: 'violations',
      2: 'a region or account could not be read (the others are still reported)',
      3: 'an effect (tag, delete, alert) failed',
    },
    schema: () =>
      z.object({
        format: reportFormat(),
        concurrency: numberWhere((n) => Number.isInteger(n) && n >= 1 && n <= 64, 'expected a whole number from 1 to 64'),
        out: optionalString(),
        region: optionalString(),
      }),
    async run({ options, values }, io, env) {
      withOrg(values);
      const config = await configFrom(values, settingsOf('sweep'), env);
      const { sweepCommand } = await import('./commands/sweep.js');
      return sweepCommand({ config, format: options.format, out: options.out, region: options.region, concurrency: options.concurrency, env }, io);
    },
  }),
  command({
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
    settings: settingsOf('audit'),
    positionals: false,
    exits: { 0: 'no violation in the period', 1: 'violations', 2: 'a source or file could not be read, or an archive source gave no records at all' },
    schema: () =>
      z.object({
        from: required('YYYY-MM-DD or ISO 8601'),
        to: required('YYYY-MM-DD or ISO 8601'),
        format: reportFormat(),
        source: optionalString(),
        out: optionalString(),
        offline: flag(),
        region: optionalString(),
      }),
    async run({ options, values }, io, env) {
      withOrg(values);
      // `--workgroup` is the short name of `--athena-workgroup`.
      if (typeof values.workgroup === 'string') values['athena-workgroup'] ??= values.workgroup;
      const config = await configFrom(values, settingsOf('audit'), env);
      const { auditCommand, parsePeriodBound } = await import('./commands/audit.js');
      return auditCommand(
        {
          from: parsePeriodBound('--from', options.from),
          to: parsePeriodBound('--to', options.to),
          source: options.source,
          format: options.format,
          out: options.out,
          offline: options.offline,
          region: options.region,
          config,
          now: new Date(),
          env,
        },
        io,
      );
    },
  }),
  command({
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
    settings: settingsOf('scan'),
    positionals: true,
    exits: {
      0: 'every model compliant or exempt',
      1: 'a violation, or a value unknown before deployment',
      2: 'an input could not be read (the others are still reported)',
      3: 'the result could not be filed in the evidence bucket',
    },
    schema: () =>
      z.object({
        format: oneOf(SCAN_OUTPUT_FORMATS, got(`one of ${SCAN_OUTPUT_FORMATS.join(', ')}`)),
        [POSITIONALS]: args().min(1, { error: 'scan: give at least one PATH (a file or a folder)' }),
        parameter: z
          .array(z.string().regex(/^[^=]+=/, { error: got('KEY=VALUE') }))
          .optional()
          .transform((entries) => new Map((entries ?? []).map((entry): [string, string] => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]))),
        'as-of': instant(notADate),
        out: optionalString(),
        'var-file': z.array(z.string()).optional().transform((files) => files ?? []),
        region: optionalString(),
        root: optionalString().transform((root) => (root === null ? null : resolve(root))),
        baseline: optionalString(),
        'create-baseline': flag(),
      }),
    async run({ options, values }, io, env) {
      const config = await configFrom(values, settingsOf('scan'), env);
      const { scanCommand, repositoryRoot } = await import('./commands/scan.js');
      return scanCommand(
        {
          paths: options.positionals,
          format: options.format,
          out: options.out,
          varFiles: options['var-file'],
          parameters: options.parameter,
          now: options['as-of'],
          evidenceBucket: config.evidenceBucket,
          region: options.region,
          env,
          root: options.root ?? repositoryRoot(process.cwd()),
          baseline: options.baseline,
          createBaseline: options['create-baseline'],
        },
        io,
      );
    },
  }),
  command({
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
    settings: settingsOf('fix'),
    positionals: true,
    exits: { 0: 'fixed, already isolated, or the plan printed', 2: 'no such model, bad input, or IaC-managed without --force', 3: 'a step failed (the output says what was done)' },
    schema: () =>
      z.object({
        [POSITIONALS]: args()
          .length(1, { error: 'fix: expected exactly one MODEL_NAME' })
          .refine((names) => names.length !== 1 || /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/.test(names[0]!), {
            error: (issue) => `MODEL_NAME: not a SageMaker model name (letters, digits, hyphens, at most 63): ${JSON.stringify((issue.input as string[])[0])}`,
          }),
        format: oneOf(['text', 'json'], got('text or json')),
        'wait-minutes': numberWhere((minutes) => minutes > 0 && minutes <= 240, got('a number of minutes from 1 to 240')),
        account: optionalString().refine((account) => account === null || ACCOUNT_ID.test(account), { error: got('a 12-digit account id') }),
        region: optionalString(),
        apply: flag(),
        'delete-old': flag(),
        force: flag(),
        'rollback-alarms': optionalString().transform((alarms) => (alarms ?? '').split(',').map((a) => a.trim()).filter(Boolean)),
      }),
    async run({ options, values }, io, env) {
      const config = await configFrom(values, settingsOf('fix'), env);
      if (options.account !== null && config.memberRoleName === null) throw new UsageError('--account: needs --member-role-name (the role assumed in that account)');
      const { fixCommand } = await import('./commands/fix.js');
      return fixCommand(
        {
          modelName: options.positionals[0]!,
          region: options.region,
          account: options.account,
          apply: options.apply,
          deleteOld: options['delete-old'],
          force: options.force,
          rollbackAlarms: options['rollback-alarms'],
          format: options.format,
          waitMs: options['wait-minutes'] * 60_000,
          config,
          env,
        },
        io,
      );
    },
  }),
  command({
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
    schema: () =>
      z.object({
        'trail-bucket': z.string({ error: 'required (the bucket the trail delivers to)' }).min(1, { error: 'required (the bucket the trail delivers to)' }),
        from: z
          .string()
          .refine(isDay, { error: got('YYYY-MM-DD (first day of the projection)') }),
        prefix: z.string(),
        'org-id': optionalString(),
        database: z.string(),
        table: z.string(),
        accounts: optionalString(),
        org: flag(),
        regions: z.string(),
        create: flag(),
        workgroup: optionalString(),
        'athena-output-location': optionalString(),
        region: optionalString(),
      }),
    async run({ options }, io, env) {
      return (await import('./commands/athena.js')).athenaDdlCommand(options, io, env);
    },
  }),
  command({
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
    schema: () =>
      z.object({
        [POSITIONALS]: args().length(1, { error: 'exceptions check: expected exactly one FILE' }),
        'max-days': numberWhere((days) => Number.isInteger(days) && days >= 1, got('a whole number of days (1 or more)')),
        'as-of': instant(notADate),
      }),
    async run({ options }, io) {
      return (await import('./commands/exceptions.js')).exceptionsCheckCommand({ file: options.positionals[0]!, maxDays: options['max-days'], asOf: options['as-of'] }, io);
    },
  }),
  command({
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
    schema: () =>
      z.object({
        'exempt-principal-tag': matching(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u, 'not a valid tag key'),
        'exempt-role-path': matching(/^\/?[\x21-\x7e]{1,510}\/?$/, 'not a valid IAM path'),
        'include-jobs': flag(),
      }),
    async run({ options }, io) {
      const { policyScpCommand } = await import('./commands/policy.js');
      return policyScpCommand({ includeJobs: options['include-jobs'], exemptPrincipalTag: options['exempt-principal-tag'], exemptRolePath: options['exempt-role-path'] }, io);
    },
  }),
  command({
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
    schema: () =>
      z.object({
        account: matching(ACCOUNT_ID, 'expected a 12-digit account id'),
        'organization-id': matching(/^o-[a-z0-9]{10,32}$/, 'expected o- and 10 to 32 letters or digits'),
        'delete-mode': flag(),
        region: z.string().optional(),
        partition: z.string().optional(),
        'member-role-name': z.string().optional(),
        org: flag(),
        'security-hub': flag(),
      }),
    async run({ options }, io) {
      const { policyIamCommand } = await import('./commands/policy.js');
      return policyIamCommand(
        {
          deleteMode: options['delete-mode'],
          account: options.account,
          region: options.region,
          partition: options.partition,
          memberRoleName: options['member-role-name'],
          org: options.org,
          securityHub: options['security-hub'],
          organizationId: options['organization-id'],
        },
        io,
      );
    },
  }),
];
