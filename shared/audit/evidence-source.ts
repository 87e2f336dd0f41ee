import { errorMessage, errorText } from '../model/error-text.js';
import type { S3Client } from '../aws/s3.js';
import { z } from 'zod';
import { latestEvidenceKey, readEvidenceText } from '../aws/evidence-store.js';
import { monthReportsPrefix, parseAuditReportKey } from '../aws/evidence-keys.js';
import { assembleAuditReport, summarizeCalls, type AuditCall, type AuditException, type AuditReport } from './audit-report.js';
import { EvidenceError } from './errors.js';

/**
 * `evidence:BUCKET`: the audit of any period from the monthly reports the history Lambda filed
 * (`reports/YYYY-MM-01_YYYY-MM-01/audit-<time>.json`, the latest of each month), merged into one
 * report. A month without a report is named, never silently skipped; each month states the source
 * its report was built from (lookup, s3://, athena:).
 */

/** The filed report as far as the merge relies on it; the calls keep every other field. */
const FiledReportSchema = z.looseObject({
  schemaVersion: z.literal(1),
  kind: z.literal('sagemaker-createmodel-audit'),
  scope: z.looseObject({ from: z.string(), to: z.string(), source: z.string(), recordsRead: z.number(), duplicatesDropped: z.number() }),
  calls: z.array(
    z.looseObject({
      eventTime: z.string(),
      eventId: z.string().nullish(),
      region: z.string(),
      account: z.string().nullish(),
      verdict: z.enum(['compliant', 'violation', 'exempt', 'not-applicable']),
      succeeded: z.boolean(),
    }),
  ),
});

export interface MonthEvidence {
  /** `YYYY-MM`. */
  month: string;
  /** `s3://...` of the report used; null: none filed. */
  file: string | null;
  report: AuditReport | null;
  /** Why the month is missing or unreadable. */
  problem: string | null;
}

/** The calendar months (UTC) a period touches, as `YYYY-MM`. */
export function monthsOf(from: Date, to: Date): string[] {
  const months: string[] = [];
  const cursor = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), 1));
  while (cursor < to) {
    months.push(cursor.toISOString().slice(0, 7));
    cursor.setUTCMonth(cursor.getUTCMonth() + 1);
  }
  return months;
}

/** Reads the latest filed report of each month of the period (one listing and one GET a month). */
export async function readMonthlyReports(s3: S3Client, bucket: string, period: { from: Date; to: Date }): Promise<MonthEvidence[]> {
  return Promise.all(
    monthsOf(period.from, period.to).map(async (month): Promise<MonthEvidence> => {
      let latest: string | null;
      try {
        latest = await latestEvidenceKey(s3, bucket, monthReportsPrefix(month), (key) => parseAuditReportKey(key)?.format === 'json');
      } catch (error) {
        // The bucket itself cannot be read (missing, denied): nothing of the period can be, so the audit stops here.
        throw new EvidenceError(`evidence:${bucket}: cannot list s3://${bucket}/${monthReportsPrefix(month)}: ${errorText(error)}`, { cause: error });
      }
      if (latest === null) return { month, file: null, report: null, problem: `no report filed under s3://${bucket}/${monthReportsPrefix(month)}` };
      const file = `s3://${bucket}/${latest}`;
      try {
        const body = await readEvidenceText(s3, bucket, latest);
        const parsed = FiledReportSchema.safeParse(JSON.parse(body));
        if (!parsed.success) {
          const issue = parsed.error.issues[0]!;
          return { month, file, report: null, problem: `${file}: not an audit report (${issue.path.join('.') || '(root)'}: ${issue.message})` };
        }
        return { month, file, report: parsed.data as unknown as AuditReport, problem: null };
      } catch (error) {
        return { month, file, report: null, problem: `${file}: ${errorMessage(error)}` };
      }
    }),
  );
}

/**
 * One report from the monthly ones (pure): the calls of the period (deduplicated on eventId),
 * the KPIs and weeks recomputed from them, the models' state today left out (filed states are
 * stale; the caller looks them up again unless offline). Missing or unreadable months are listed
 * in `filesFailed` (so the audit exits 2) and in `months` with a null file.
 */
export function mergeMonthlyReports(months: readonly MonthEvidence[], meta: { from: Date; to: Date; source: string; generatedAt: Date }): AuditReport {
  const from = meta.from.getTime();
  const to = meta.to.getTime();
  const seen = new Set<string>();
  const calls: AuditCall[] = [];
  let recordsRead = 0;
  let duplicatesDropped = 0;
  for (const { report } of months) {
    if (!report) continue;
    recordsRead += report.scope.recordsRead;
    duplicatesDropped += report.scope.duplicatesDropped;
    for (const call of report.calls) {
      const t = Date.parse(call.eventTime);
      if (!(t >= from && t < to)) continue;
      if (call.eventId) {
        if (seen.has(call.eventId)) {
          duplicatesDropped++;
          continue;
        }
        seen.add(call.eventId);
      }
      calls.push({ ...call, now: null });
    }
  }
  calls.sort((a, b) => a.eventTime.localeCompare(b.eventTime));
  const exceptions = mergeExceptions(months, new Set(calls.map((c) => c.eventId ?? c.modelName ?? '?')));
  const read = {
    accounts: [...new Set(calls.flatMap((c) => (c.account ? [c.account] : [])))],
    regions: [...new Set(calls.map((c) => c.region))],
    filesRead: months.filter((m) => m.report !== null).length,
    filesFailed: months.filter((m) => m.problem !== null).map((m) => ({ name: `month ${m.month}`, problem: m.problem! })),
    recordsRead,
    duplicatesDropped,
  };
  const report = assembleAuditReport(calls, meta, read, exceptions, false);
  report.scope.months = months.map((m) => ({ month: m.month, file: m.report ? m.file : null, source: m.report?.scope.source ?? null }));
  return report;
}

/** The models' state today joined into a merged report, and the KPI that depends on it recomputed. */
export function withModelsNow(report: AuditReport, statesNow: Map<string, AuditCall['now']>, keyOf: (call: AuditCall) => string): AuditReport {
  const calls = report.calls.map((call) => ({ ...call, now: call.succeeded ? (statesNow.get(keyOf(call)) ?? null) : null }));
  return { ...report, ...summarizeCalls(calls, true, { from: new Date(report.scope.from), to: new Date(report.scope.to) }, report.exceptions), calls };
}

/**
 * The exceptions the months' reports list (reports filed before the register existed list none),
 * one per id, each with the calls of the merged period it covered.
 */
function mergeExceptions(months: readonly MonthEvidence[], inPeriod: ReadonlySet<string>): AuditException[] {
  const byId = new Map<string, AuditException>();
  for (const { report } of months) {
    for (const exception of (report as { exceptions?: AuditException[] } | null)?.exceptions ?? []) {
      const known = byId.get(exception.id);
      const covered = exception.coveredCalls.filter((call) => inPeriod.has(call));
      if (known) known.coveredCalls = [...new Set([...known.coveredCalls, ...covered])];
      else byId.set(exception.id, { ...exception, coveredCalls: covered });
    }
  }
  return [...byId.values()];
}
