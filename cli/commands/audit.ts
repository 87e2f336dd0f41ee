import { stat, writeFile } from 'node:fs/promises';
import { buildAuditReport } from '../../shared/audit/audit-report.js';
import { collectAudit } from '../../shared/audit/collect.js';
import { renderAudit, type AuditFormat } from '../../shared/audit/render-audit.js';
import { directoryArchive, type ArchiveFile } from '../../shared/audit/sources.js';
import type { AwsClients } from '../../shared/aws/clients.js';
import type { AccountRouter, resolveAccounts as resolveAccountsType } from '../../shared/aws/accounts.js';
import { resolveRegions } from '../../shared/aws/regions.js';
import type { Config } from '../../shared/config.js';
import { UsageError } from '../../shared/errors.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { printable } from '../format-table.js';
import type { CliIo } from '../io.js';
import { progressBar } from '../progress.js';

export interface AuditOptions {
  from: Date;
  to: Date;
  source: string | null;
  format: AuditFormat;
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
  let files: AsyncIterable<ArchiveFile>;
  if (source === 'lookup') {
    if (options.now.getTime() - options.from.getTime() > LOOKUP_DAYS * 86_400_000) {
      throw new UsageError(`--source lookup covers the last ${LOOKUP_DAYS} days only; for an older period give --source s3://BUCKET/PREFIX or a directory`);
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
  const report = buildAuditReport(collection, { from: options.from, to: options.to, source, generatedAt: new Date() }, modelsNow);
  // With --evidence-bucket, the sweep's latest inventory snapshot joins the report.
  if (options.config.evidenceBucket) {
    const [{ clients }, { latestInventorySnapshot }] = await Promise.all([useAws(), import('../../shared/audit/latest-inventory.js')]);
    report.inventory = await latestInventorySnapshot(clients.s3, options.config.evidenceBucket);
  }
  const rendered = renderAudit(report, options.format);
  if (options.out) await writeFile(options.out, rendered);
  else io.stdout(rendered.trimEnd());

  for (const failed of collection.filesFailed) io.stderr(`isolation-guard: ${printable(failed.name)}: ${printable(failed.problem)}`);
  const seconds = (Date.now() - started) / 1000;
  io.stderr(
    `isolation-guard: ${collection.filesRead} files, ${lastRecords} records (${seconds > 0 ? Math.round(lastRecords / seconds) : lastRecords}/s); ${report.kpis.createModelCalls} CreateModel calls, ${report.kpis.violations} violation(s)`,
  );
  if (collection.filesFailed.length > 0) return EXIT.inputError;
  // A report of no records must not pass for a clean period: a wrong folder or prefix reads nothing.
  if (collection.recordsRead === 0 && source !== 'lookup') {
    io.stderr(
      `isolation-guard: no CloudTrail records were read from ${printable(source)} (${collection.filesRead} files for the period): check the source, the period and --regions; nothing was audited`,
    );
    return EXIT.inputError;
  }
  if (report.kpis.createModelCalls === 0) {
    io.stderr(
      source === 'lookup'
        ? `isolation-guard: LookupEvents returned no CreateModel call for the period: an empty period`
        : `isolation-guard: ${collection.recordsRead} records read, no CreateModel call in the period: an empty period`,
    );
  }
  return report.kpis.violations > 0 ? EXIT.violation : EXIT.ok;
}
