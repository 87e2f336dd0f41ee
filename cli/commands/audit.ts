import { stat } from 'node:fs/promises';
import { buildAuditReport, type AuditReport } from '../../shared/audit/audit-report.js';
import { collectAudit } from '../../shared/audit/collect.js';
import { renderAudit } from '../../shared/audit/render-audit.js';
import { directoryArchive, type ArchiveFile } from '../../shared/audit/sources.js';
import type { AwsClients } from '../../shared/aws/clients.js';
import type { AccountRouter, resolveAccounts as resolveAccountsType } from '../../shared/aws/accounts.js';
import { resolveRegions } from '../../shared/aws/regions.js';
import type { Config } from '../../shared/config.js';
import { UsageError } from '../../shared/errors.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { printable } from '../format-table.js';
import type { CliIo } from '../io.js';
import { reportOutput, writeReport, type CliReportFormat } from '../pdf.js';
import { progressBar } from '../progress.js';

export interface AuditOptions {
  from: Date;
  to: Date;
  source: string | null;
  format: CliReportFormat;
  out: string | null;
  offline: boolean;
  region: string | null;
  config: Config;
  now: Date;
}

const LOOKUP_DAYS = 90;

/** `2026-01-31` as a `--to` means through the end of that day; a date-time is taken as given. */
export function parsePeriodBound(flag: '--from' | '--to', value: string): Date {
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(value);
  const date = new Date(dateOnly ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(date.getTime())) throw new UsageError(`${flag}: not a date (YYYY-MM-DD or ISO 8601): ${JSON.stringify(value)}`);
  if (flag === '--to' && dateOnly) date.setUTCDate(date.getUTCDate() + 1);
  return date;
}

/**
 * `isolation-guard audit`: every CreateModel call of a period, from LookupEvents (the last 90
 * days), a trail's S3 archive, or a local directory of log files, as an evidence report. Exit 0:
 * no violation in the period; 1: violations; 2: a source or file could not be read, or an archive
 * source gave no records at all (an empty period with records read is exit 0, and says so).
 */
export async function auditCommand(options: AuditOptions, io: CliIo): Promise<ExitCode> {
  if (options.to <= options.from) throw new UsageError('--to must be after --from');
  const output = reportOutput(options.format, options.out);
  const home = options.region ?? process.env.AWS_REGION ?? 'us-east-1';
  const requested = options.config.regions.length > 0 ? options.config.regions : null;
  const source = options.source ?? 'lookup';
  // AWS clients are loaded only when asked for: an offline audit of a folder starts in a blink.
  let aws: Promise<{ clients: AwsClients; router: AccountRouter; resolveAccounts: typeof resolveAccountsType }> | null = null;
  const useAws = () =>
    (aws ??= Promise.all([import('../../shared/aws/clients.js'), import('../../shared/aws/accounts.js')]).then(([{ createAwsClients }, accounts]) => {
      const clients = createAwsClients({ region: home });
      return { clients, router: accounts.routerFromConfig(options.config, clients, { region: home }), resolveAccounts: accounts.resolveAccounts };
    }));
  if (source.startsWith('evidence:')) return evidenceAudit(options, output, source, io, useAws);
  let files: AsyncIterable<ArchiveFile>;
  let athena: { scope: () => NonNullable<AuditReport['scope']['athena']> | null } | null = null;
  if (source.startsWith('athena:')) {
    const [{ createAthenaClient }, { athenaArchive }, { resolveAccounts }] = await Promise.all([
      import('../../shared/aws/athena-client.js'),
      import('../../shared/audit/athena-source.js'),
      useAws(),
    ]);
    // Partition pruning: the accounts and regions asked for; none: every one the table projects.
    const accounts = (await resolveAccounts(options.config.accounts, { region: home })) ?? [];
    const archive = athenaArchive(createAthenaClient(home), source, options, {
      workgroup: options.config.athenaWorkgroup,
      outputLocation: options.config.athenaOutputLocation,
      accounts,
      regions: requested === null ? [] : resolveRegions(requested, home),
    });
    athena = archive;
    files = archive.files;
  } else if (source === 'lookup') {
    if (options.now.getTime() - options.from.getTime() > LOOKUP_DAYS * 86_400_000) {
      throw new UsageError(`--source lookup covers the last ${LOOKUP_DAYS} days only; for an older period give --source s3://BUCKET/PREFIX, athena:DATABASE.TABLE, evidence:BUCKET or a directory`);
    }
    const regions = resolveRegions(requested ?? [], home);
    const { router, resolveAccounts } = await useAws();
    const accounts = await resolveAccounts(options.config.accounts, { region: home });
    const targets = (accounts.length > 0 ? accounts : [null]).flatMap((account) => regions.map((region) => ({ account, region })));
    const { lookupEventsArchive } = await import('../../shared/audit/lookup-source.js');
    files = lookupEventsArchive((target) => router.cloudTrailFor(target), targets, options);
  } else if (source.startsWith('s3://')) {
    const [{ clients }, { s3Archive }] = await Promise.all([useAws(), import('../../shared/audit/s3-archive.js')]);
    files = s3Archive(clients.s3, source, { from: options.from, to: options.to, regions: requested === null ? null : resolveRegions(requested, home) });
  } else {
    const info = await stat(source).catch(() => null);
    if (!info?.isDirectory()) throw new UsageError(`--source: ${source} is not lookup, an s3:// URL or a directory`);
    files = directoryArchive(source, { from: options.from, to: options.to, regions: requested === null ? null : resolveRegions(requested, home) });
  }

  const bar = progressBar();
  const started = Date.now();
  let lastRecords = 0;
  const collection = await collectAudit(files, {
    from: options.from,
    to: options.to,
    exemptions: options.config.exemptions,
    priorities: options.config.priorities,
    now: options.now,
    onFile: (c) => {
      lastRecords = c.recordsRead;
      bar.update(`files ${c.filesRead + c.filesFailed.length}`, c.recordsRead, c.recordsRead);
    },
  });
  bar.finish();
  let modelsNow = null;
  if (!options.offline) {
    const { router } = await useAws();
    const { lookUpModelsNow } = await import('../../shared/audit/models-now.js');
    modelsNow = await lookUpModelsNow(collection.calls, (where) => router.sagemakerFor(where));
  }
  const report = buildAuditReport(collection, { from: options.from, to: options.to, source, generatedAt: new Date() }, modelsNow, options.config.exemptions);
  let pipelineProblem: string | null = null;
  const athenaScope = athena?.scope();
  if (athenaScope) {
    report.scope.athena = athenaScope;
    io.stderr(`isolation-guard: Athena query ${athenaScope.queryExecutionId}: ${athenaScope.dataScannedBytes} bytes scanned, about $${athenaScope.costEstimateUsd.toFixed(4)}`);
  }
  // With --evidence-bucket, the sweep's latest inventory snapshot joins the report.
  if (options.config.evidenceBucket) {
    const [{ clients }, { latestInventorySnapshot }] = await Promise.all([useAws(), import('../../shared/audit/latest-inventory.js')]);
    report.inventory = await latestInventorySnapshot(clients.s3, options.config.evidenceBucket);
    // The KPI "deployment pipeline rejections": scans filed under pipeline/ during the period.
    const [{ listPipelineKeys }, { countPipelineRuns }] = await Promise.all([import('../../shared/scan/pipeline-store.js'), import('../../shared/scan/pipeline-evidence.js')]);
    try {
      const runs = countPipelineRuns(await listPipelineKeys(clients.s3, options.config.evidenceBucket, options.from, options.to), options.from, options.to);
      report.kpis.pipelineRejections = runs.rejected;
      report.kpis.pipelinePasses = runs.passed;
    } catch (error) {
      pipelineProblem = `--evidence-bucket ${options.config.evidenceBucket}: cannot list pipeline/ (${(error as Error).name}: ${(error as Error).message})`;
    }
  }
  await writeReport(output, (format) => renderAudit(report, format), io);

  for (const failed of collection.filesFailed) io.stderr(`isolation-guard: ${printable(failed.name)}: ${printable(failed.problem)}`);
  const seconds = (Date.now() - started) / 1000;
  io.stderr(
    `isolation-guard: ${collection.filesRead} files, ${lastRecords} records (${seconds > 0 ? Math.round(lastRecords / seconds) : lastRecords}/s); ${report.kpis.createModelCalls} CreateModel calls, ${report.kpis.violations} violation(s)`,
  );
  if (pipelineProblem !== null) io.stderr(`isolation-guard: ${printable(pipelineProblem)}`);
  if (collection.filesFailed.length > 0 || pipelineProblem !== null) return EXIT.inputError;
  // A report of no records must not pass for a clean period: a wrong folder or prefix reads nothing.
  if (collection.recordsRead === 0 && source !== 'lookup' && !source.startsWith('athena:')) {
    io.stderr(
      `isolation-guard: no CloudTrail records were read from ${printable(source)} (${collection.filesRead} files for the period): check the source, the period and --regions; nothing was audited`,
    );
    return EXIT.inputError;
  }
  if (report.kpis.createModelCalls === 0) {
    io.stderr(
      source === 'lookup' || source.startsWith('athena:')
        ? `isolation-guard: ${source === 'lookup' ? 'LookupEvents' : 'Athena'} returned no CreateModel call for the period: an empty period`
        : `isolation-guard: ${collection.recordsRead} records read, no CreateModel call in the period: an empty period`,
    );
  }
  return report.kpis.violations > 0 ? EXIT.violation : EXIT.ok;
}

/**
 * `--source evidence:BUCKET`: the monthly reports the history Lambda filed, merged into one report
 * of the period; a missing month is named and makes the audit exit 2 (the evidence is incomplete).
 */
async function evidenceAudit(
  options: AuditOptions,
  output: ReturnType<typeof reportOutput>,
  source: string,
  io: CliIo,
  useAws: () => Promise<{ clients: AwsClients; router: AccountRouter }>,
): Promise<ExitCode> {
  const bucket = source.slice('evidence:'.length);
  const [{ clients, router }, evidence, { lookUpModelsNow }, { remediationKey }] = await Promise.all([
    useAws(),
    import('../../shared/audit/evidence-source.js'),
    import('../../shared/audit/models-now.js'),
    import('../../shared/audit/collect.js'),
  ]);
  const months = await evidence.readMonthlyReports(clients.s3, bucket, options);
  let report = evidence.mergeMonthlyReports(months, { from: options.from, to: options.to, source, generatedAt: new Date() });
  if (!options.offline) {
    const states = await lookUpModelsNow(report.calls.map((decision) => ({ decision })), (where) => router.sagemakerFor(where));
    report = evidence.withModelsNow(report, states, (call) => (call.modelName ? remediationKey(call.region, call.modelName) : ''));
  }
  if (options.config.evidenceBucket) {
    const { latestInventorySnapshot } = await import('../../shared/audit/latest-inventory.js');
    report.inventory = await latestInventorySnapshot(clients.s3, options.config.evidenceBucket);
  }
  await writeReport(output, (format) => renderAudit(report, format), io);
  for (const failed of report.scope.filesFailed) io.stderr(`isolation-guard: ${printable(failed.name)}: ${printable(failed.problem)}`);
  io.stderr(
    `isolation-guard: ${report.scope.filesRead} of ${months.length} monthly reports; ${report.kpis.createModelCalls} CreateModel calls, ${report.kpis.violations} violation(s)`,
  );
  if (report.scope.filesFailed.length > 0) return EXIT.inputError;
  return report.kpis.violations > 0 ? EXIT.violation : EXIT.ok;
}
