import { auditSource } from '../../shared/audit/audit-source.js';
import { renderAudit } from '../../shared/audit/render-audit.js';
import { runAudit } from '../../shared/audit/run-audit.js';
import type { AwsClients } from '../../shared/aws/clients.js';
import type { AccountRouter } from '../../shared/aws/accounts.js';
import { homeRegion, type Config } from '../../shared/config.js';
import { UsageError } from '../../shared/errors.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { printable } from '../format-table.js';
import type { CliIo } from '../io.js';
import { reportOutput, writeReport, type CliReportFormat } from '../pdf.js';
import { progressBar } from '../progress.js';
import { dateOption } from '../../shared/dates.js';

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
  /** The environment the command was run with (AWS_REGION, CHROMIUM_PATH, PATH). */
  env: NodeJS.ProcessEnv;
}

const LOOKUP_DAYS = 90;

/** `2026-01-31` as a `--to` means through the end of that day; a date-time is taken as given. */
export const parsePeriodBound = (flag: '--from' | '--to', value: string): Date => dateOption(flag, value, flag === '--to' ? 'end' : 'start');

/**
 * `isolation-guard audit`: every CreateModel call of a period, from LookupEvents (the last 90
 * days), a trail's S3 archive, Athena, the filed monthly reports or a local directory of log files,
 * as an evidence report (shared/audit/run-audit.ts builds it). Exit 0: no violation in the period;
 * 1: violations; 2: a source or file could not be read, or an archive source gave no records at all
 * (an empty period with records read is exit 0, and says so).
 */
export async function auditCommand(options: AuditOptions, io: CliIo): Promise<ExitCode> {
  if (options.to <= options.from) throw new UsageError('--to must be after --from');
  const output = reportOutput(options.format, options.out, options.env);
  const home = homeRegion({ given: options.region, env: options.env });
  const spec = options.source ?? 'lookup';
  if (spec === 'lookup' && options.now.getTime() - options.from.getTime() > LOOKUP_DAYS * 86_400_000) {
    throw new UsageError(`--source lookup covers the last ${LOOKUP_DAYS} days only; for an older period give --source s3://BUCKET/PREFIX, athena:DATABASE.TABLE, evidence:BUCKET or a directory`);
  }
  // AWS clients are loaded only when asked for: an offline audit of a folder starts in a blink.
  let aws: Promise<{ clients: AwsClients; router: AccountRouter }> | null = null;
  const useAws = () =>
    (aws ??= Promise.all([import('../../shared/aws/clients.js'), import('../../shared/aws/accounts.js')]).then(([{ createAwsClients }, accounts]) => {
      const clients = createAwsClients({ region: home });
      return { clients, router: accounts.routerFromConfig(options.config, clients, { region: home }) };
    }));
  const s3 = async () => (await useAws()).clients.s3;
  const source = await auditSource(
    spec,
    { from: options.from, to: options.to, regions: options.config.regions, home, athena: { workgroup: options.config.athenaWorkgroup, outputLocation: options.config.athenaOutputLocation } },
    {
      s3,
      cloudTrailFor: async (target) => (await useAws()).router.cloudTrailFor(target),
      athena: async () => (await import('../../shared/aws/athena-client.js')).createAthenaClient(home),
      accounts: async () => (await import('../../shared/aws/accounts.js')).resolveAccounts(options.config.accounts, { region: home }),
    },
  );

  const bar = progressBar();
  const started = Date.now();
  const { report, problems } = await runAudit(source, {
    from: options.from,
    to: options.to,
    config: options.config,
    now: options.now,
    generatedAt: new Date(),
    // models-now.js loads the SageMaker SDK: only when asked, never offline.
    modelsNow: options.offline
      ? null
      : async (calls) => (await import('../../shared/audit/models-now.js')).lookUpModelsNow(calls, async (where) => (await useAws()).router.sagemakerFor(where)),
    s3,
    onFile: (c) => bar.update(`files ${c.filesRead + c.filesFailed.length}`, c.recordsRead, c.recordsRead),
  });
  bar.finish();
  const { scope, kpis } = report;
  if (scope.athena) {
    io.stderr(`isolation-guard: Athena query ${scope.athena.queryExecutionId}: ${scope.athena.dataScannedBytes} bytes scanned, about $${scope.athena.costEstimateUsd.toFixed(4)}`);
  }
  await writeReport(output, (format) => renderAudit(report, format), io);

  for (const failed of scope.filesFailed) io.stderr(`isolation-guard: ${printable(failed.name)}: ${printable(failed.problem)}`);
  if (source.kind === 'evidence') {
    io.stderr(`isolation-guard: ${scope.filesRead} of ${scope.months?.length ?? 0} monthly reports; ${kpis.createModelCalls} CreateModel calls, ${kpis.violations} violation(s)`);
  } else {
    const seconds = (Date.now() - started) / 1000;
    const records = scope.recordsRead;
    io.stderr(
      `isolation-guard: ${scope.filesRead} files, ${records} records (${seconds > 0 ? Math.round(records / seconds) : records}/s); ${kpis.createModelCalls} CreateModel calls, ${kpis.violations} violation(s)`,
    );
  }
  for (const problem of problems) io.stderr(`isolation-guard: ${printable(`--evidence-bucket ${problem.message}`)}`);
  if (scope.filesFailed.length > 0 || problems.length > 0) return EXIT.inputError;
  if (source.kind === 'evidence') return kpis.violations > 0 ? EXIT.violation : EXIT.ok;
  // A report of no records must not pass for a clean period: a wrong folder or prefix reads nothing.
  const archive = source.kind === 's3' || source.kind === 'directory';
  if (scope.recordsRead === 0 && archive) {
    io.stderr(
      `isolation-guard: no CloudTrail records were read from ${printable(spec)} (${scope.filesRead} files for the period): check the source, the period and --regions; nothing was audited`,
    );
    return EXIT.inputError;
  }
  if (kpis.createModelCalls === 0) {
    io.stderr(
      archive
        ? `isolation-guard: ${scope.recordsRead} records read, no CreateModel call in the period: an empty period`
        : `isolation-guard: ${source.kind === 'lookup' ? 'LookupEvents' : 'Athena'} returned no CreateModel call for the period: an empty period`,
    );
  }
  return kpis.violations > 0 ? EXIT.violation : EXIT.ok;
}
