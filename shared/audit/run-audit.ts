import { errorText } from '../model/error-text.js';
import type { S3Client } from '../aws/s3.js';
import type { Config } from '../config.js';
import { buildAuditReport, modelNowKey, type AuditReport } from './audit-report.js';
import type { AuditSource } from './audit-source.js';
import { collectAudit, type AuditCollection } from './collect.js';
import type { lookUpModelsNow } from './models-now.js';

/** The previous calendar month (UTC): what the scheduled history report covers. */
export function previousMonth(now: Date): { from: Date; to: Date } {
  const to = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  return { from, to };
}

export interface AuditRunOptions {
  from: Date;
  to: Date;
  /** Exemptions and priorities decide the calls; with an evidence bucket, its inventory and pipeline runs join the report. */
  config: Pick<Config, 'exemptions' | 'priorities' | 'evidenceBucket'>;
  /** The instant exemptions are judged at when a record's own time cannot be read. */
  now: Date;
  generatedAt: Date;
  /**
   * Looks up the models' state today (`lookUpModelsNow` bound to the caller's clients); null:
   * offline, not looked up. Passed in, so each entry point decides how it loads the SageMaker SDK:
   * the CLI only when asked (an offline audit never loads it), the Lambda bundled statically (a
   * dynamic import in a one-file bundle would keep the whole SageMaker client, 290 KiB).
   */
  modelsNow: ((calls: Parameters<typeof lookUpModelsNow>[0]) => ReturnType<typeof lookUpModelsNow>) | null;
  /** The evidence bucket's client, asked for only when a bucket is configured or the source is `evidence:`. */
  s3: () => Promise<S3Client>;
  /** After each file read (a progress bar). */
  onFile?: (collection: AuditCollection) => void;
}

/** What could not be added to the report: the audit is incomplete (the CLI exits 2). */
export interface AuditProblem {
  /** The setting whose resource could not be read. */
  setting: 'evidenceBucket';
  message: string;
}

export interface AuditRun {
  report: AuditReport;
  problems: AuditProblem[];
}

/**
 * The audit of a period, the one assembly behind `isolation-guard audit` and the history Lambda:
 * the source's calls decided (or the filed monthly reports merged), the models' state today joined
 * unless offline, the source's scope (Athena's query and cost) added.
 *
 * With an evidence bucket configured, the sweep's latest inventory snapshot and the pipeline KPIs
 * (scan runs filed under `pipeline/` during the period) join the report, whatever the source and
 * whichever entry point asks: the monthly report the history Lambda files is the report the CLI
 * prints for the same period (before, the Lambda left the pipeline KPIs out). A pipeline listing that
 * fails is a problem returned beside the report (the KPIs stay absent); an unreadable inventory
 * snapshot throws, as before.
 */
export async function runAudit(source: AuditSource, options: AuditRunOptions): Promise<AuditRun> {
  const period = { from: options.from, to: options.to };
  const meta = { ...period, source: source.spec, generatedAt: options.generatedAt };
  let report: AuditReport;
  if (source.kind === 'evidence') {
    const [months, evidence] = await Promise.all([source.months(), import('./evidence-source.js')]);
    report = evidence.mergeMonthlyReports(months, meta);
    if (options.modelsNow) {
      const states = await options.modelsNow(report.calls.map((decision) => ({ decision })));
      report = evidence.withModelsNow(report, states, modelNowKey);
    }
  } else {
    const collection = await collectAudit(source.files, {
      ...period,
      exemptions: options.config.exemptions,
      priorities: options.config.priorities,
      now: options.now,
      ...(options.onFile ? { onFile: options.onFile } : {}),
    });
    const states = options.modelsNow ? await options.modelsNow(collection.calls) : null;
    report = buildAuditReport(collection, meta, states, options.config.exemptions);
    Object.assign(report.scope, source.scope());
  }
  const problems = options.config.evidenceBucket ? await joinEvidence(report, options.config.evidenceBucket, period, await options.s3()) : [];
  return { report, problems };
}


/** The latest inventory snapshot and the period's pipeline runs, from the evidence bucket, into the report. */
async function joinEvidence(report: AuditReport, bucket: string, period: { from: Date; to: Date }, s3: S3Client): Promise<AuditProblem[]> {
  const [{ latestInventorySnapshot }, { listPipelineKeys }, { countPipelineRuns }] = await Promise.all([
    import('./latest-inventory.js'),
    import('../scan/pipeline-store.js'),
    import('../scan/pipeline-evidence.js'),
  ]);
  report.inventory = await latestInventorySnapshot(s3, bucket);
  // The KPI "deployment pipeline rejections": scans filed under pipeline/ during the period.
  try {
    const runs = countPipelineRuns(await listPipelineKeys(s3, bucket, period.from, period.to), period.from, period.to);
    report.kpis.pipelineRejections = runs.rejected;
    report.kpis.pipelinePasses = runs.passed;
    return [];
  } catch (error) {
    return [{ setting: 'evidenceBucket', message: `${bucket}: cannot list pipeline/ (${errorText(error)})` }];
  }
}
