import type { Decision } from '../model/decision.js';
import { exceptionRef, expiryInstant, type Exemption } from '../decision/exemptions.js';
import type { ExceptionRef } from '../model/decision.js';
import { isolationShares, type IsolationShares } from '../governance/shares.js';
import { weekOf, weeksOfPeriod } from '../reports/period.js';
import { isFix, remediationKey, type AuditCollection, type RemediationHow } from './collect.js';
import { isolatedShare } from '../model/isolated-share.js';

export interface ModelNow {
  /** null: unknown (its account could not be read: the member role refused, no permission). */
  exists: boolean | null;
  isolated: boolean | null;
  quarantined: boolean | null;
}

/** A model today is looked up in its own account and region: same-named models of other accounts are other models. */
export const modelNowKey = (where: { account: string | null; region: string; modelName: string | null }): string =>
  where.modelName ? `${where.account ?? '-'}/${where.region}/${where.modelName.toLowerCase()}` : '';

export interface AuditCall extends Decision {
  remediation: { how: RemediationHow; at: string; minutes: number } | null;
  /** The model today (DescribeModel/ListTags); null with --offline or for a failed call. */
  now: ModelNow | null;
}

/** An exception in force during the period: its approval, and the exempt calls it covered. */
export interface AuditException extends ExceptionRef {
  /** From the register with reason, ticket, approver and expiry; false for an exemption setting or an incomplete entry. */
  approved: boolean;
  source: 'register' | 'setting';
  /** What it matches, in words. */
  matches: string;
  /** The exempt calls it covered: event ids (or model names when a record had none). */
  coveredCalls: string[];
}

export interface AuditReport {
  schemaVersion: 1;
  kind: 'sagemaker-createmodel-audit';
  generatedAt: string;
  scope: {
    from: string;
    to: string;
    source: string;
    accounts: string[];
    regions: string[];
    filesRead: number;
    filesFailed: Array<{ name: string; problem: string }>;
    recordsRead: number;
    duplicatesDropped: number;
    /** An `athena:` audit: the query, the bytes Athena scanned and its cost estimate. */
    athena?: { table: string; workgroup: string; queryExecutionId: string; dataScannedBytes: number; costEstimateUsd: number; rows: number };
    /** An `evidence:` audit: each month, the filed report it came from and that report's source; null file: missing. */
    months?: Array<{ month: string; file: string | null; source: string | null }>;
  };
  kpis: {
    createModelCalls: number;
    failedCalls: number;
    modelsCreated: number;
    /** Share of created models that were isolated, in percent; null when none was created (shared/model/isolated-share.ts). */
    isolatedShare: number | null;
    violations: number;
    exemptionsUsed: number;
    /** Violations fixed: the model deleted, or replaced by one with isolation that serves its endpoints (`isolation-guard fix`). */
    violationsFixed: number;
    /** Violations only quarantined: tagged, but the model still runs without isolation. */
    violationsQuarantined: number;
    medianMinutesToRemediation: number | null;
    worstMinutesToRemediation: number | null;
    /** Null when the models' state today was not looked up (--offline). */
    violatingModelsStillExisting: number | null;
    /** Register exceptions in force during the period with reason, ticket, approver and expiry. */
    approvedExceptions: number;
    /**
     * "Deployment pipeline rejections": runs of `isolation-guard scan` filed in the evidence bucket
     * during the period (present only with --evidence-bucket; see shared/scan/pipeline-evidence.ts).
     */
    pipelineRejections?: number;
    pipelinePasses?: number;
  };
  /** The isolated share of created models per data classification and for production ones. */
  isolation: IsolationShares;
  /** Exceptions in force during the period (expiring after its start), with the calls each covered. */
  exceptions: AuditException[];
  /** Models created per week (Monday, UTC), every week of the period (empty ones: 0, and `isolatedShare` null: no model was created). */
  weeks: Array<{ week: string; compliant: number; violating: number; isolatedShare: number | null }>;
  calls: AuditCall[];
  /** The latest inventory snapshot filed by the sweep (what exists today), when one was found. */
  inventory?: { file: string; finishedAt: string; summary: Record<string, unknown> } | null;
}

const round1 = (n: number) => Math.round(n * 10) / 10;
const median = (values: number[]) => {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return round1(sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2);
};
/** The Monday (UTC) of an instant's week, `YYYY-MM-DD` (kept here for the audit's callers). */
export { weekOf };

/** The report's numbers, from what was collected and (unless offline) what the models look like now. Pure. */
export function buildAuditReport(
  collection: AuditCollection,
  meta: { from: Date; to: Date; source: string; generatedAt: Date },
  modelsNow: Map<string, ModelNow> | null,
  exemptions: readonly Exemption[] = [],
): AuditReport {
  const calls: AuditCall[] = collection.calls
    .map(({ decision }) => {
      const key = decision.modelName ? remediationKey(decision.region, decision.modelName) : '';
      const seen = decision.verdict === 'violation' ? collection.remediations.get(key) : undefined;
      const remediation =
        seen && seen.at >= decision.eventTime ? { ...seen, minutes: round1((Date.parse(seen.at) - Date.parse(decision.eventTime)) / 60_000) } : null;
      return { ...decision, remediation, now: modelsNow && decision.succeeded ? (modelsNow.get(modelNowKey(decision)) ?? null) : null };
    })
    .sort((a, b) => a.eventTime.localeCompare(b.eventTime));

  const exceptions = exceptionsInForce(exemptions, meta.from, calls);
  const { filesRead, filesFailed, recordsRead, duplicatesDropped } = collection;
  const read = { accounts: [...collection.accounts], regions: [...collection.regions], filesRead, filesFailed, recordsRead, duplicatesDropped };
  return assembleAuditReport(calls, meta, read, exceptions, modelsNow !== null);
}

/** What a report's scope says was read: the places seen, the files read and failed, the records. */
export interface AuditReadCounts {
  accounts: readonly string[];
  regions: readonly string[];
  filesRead: number;
  filesFailed: AuditReport['scope']['filesFailed'];
  recordsRead: number;
  duplicatesDropped: number;
}

/**
 * The report around its calls (sorted by time), its exceptions and what was read: the one shape
 * both an audit of records (buildAuditReport) and a merge of filed reports (evidence-source.ts)
 * return. `statesKnown`: the models' state today was looked up. Pure.
 */
export function assembleAuditReport(
  calls: AuditCall[],
  meta: { from: Date; to: Date; source: string; generatedAt: Date },
  read: AuditReadCounts,
  exceptions: AuditException[],
  statesKnown: boolean,
): AuditReport {
  const { kpis, weeks, isolation } = summarizeCalls(calls, statesKnown, meta, exceptions);
  return {
    schemaVersion: 1,
    kind: 'sagemaker-createmodel-audit',
    generatedAt: meta.generatedAt.toISOString(),
    scope: {
      from: meta.from.toISOString(),
      to: meta.to.toISOString(),
      source: meta.source,
      accounts: [...read.accounts].sort(),
      regions: [...read.regions].sort(),
      filesRead: read.filesRead,
      filesFailed: read.filesFailed,
      recordsRead: read.recordsRead,
      duplicatesDropped: read.duplicatesDropped,
    },
    kpis,
    isolation,
    exceptions,
    weeks,
    calls,
  };
}

/**
 * The KPIs and weekly counts of a list of calls (pure). `statesKnown`: the models' state today was
 * looked up, so the violating models still existing can be counted.
 */
export function summarizeCalls(
  calls: readonly AuditCall[],
  statesKnown: boolean,
  period: { from: Date; to: Date },
  exceptions: readonly AuditException[],
): Pick<AuditReport, 'kpis' | 'weeks' | 'isolation'> {
  const created = calls.filter((c) => c.succeeded);
  const violations = calls.filter((c) => c.verdict === 'violation');
  const remediated = violations.filter((c) => c.remediation !== null);
  const minutes = remediated.map((c) => c.remediation!.minutes);
  // Every week of the period, empty ones included, so a quiet week is shown as one.
  const weeks = new Map<string, { compliant: number; violating: number }>(weeksOfPeriod(period.from, period.to).map((week) => [week, { compliant: 0, violating: 0 }]));
  for (const call of created) {
    const monday = weekOf(call.eventTime);
    const week = weeks.get(monday) ?? { compliant: 0, violating: 0 };
    if (call.verdict === 'compliant') week.compliant++;
    else week.violating++;
    weeks.set(monday, week);
  }
  return {
    kpis: {
      createModelCalls: calls.length,
      failedCalls: calls.length - created.length,
      modelsCreated: created.length,
      isolatedShare: isolatedShare(created.filter((c) => c.networkIsolation === true).length, created.length),
      violations: violations.length,
      exemptionsUsed: calls.filter((c) => c.verdict === 'exempt').length,
      violationsFixed: remediated.filter((c) => isFix(c.remediation!.how)).length,
      violationsQuarantined: remediated.filter((c) => !isFix(c.remediation!.how)).length,
      medianMinutesToRemediation: median(minutes),
      worstMinutesToRemediation: minutes.length ? Math.max(...minutes) : null,
      violatingModelsStillExisting: statesKnown ? violations.filter((c) => c.now?.exists === true).length : null,
      approvedExceptions: exceptions.filter((e) => e.approved).length,
    },
    isolation: isolationShares(created.map((c) => ({ isolated: c.networkIsolation === true, classification: c.classification, production: c.production }))),
    weeks: [...weeks.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      // A week without a model created has no share (null, shown as n/a), as the period's KPI does.
      .map(([week, w]) => ({ week, ...w, isolatedShare: isolatedShare(w.compliant, w.compliant + w.violating) })),
  };
}

/** Exceptions whose expiry falls after the period's start (or that never expire), each with the calls it covered. Pure. */
function exceptionsInForce(exemptions: readonly Exemption[], from: Date, calls: readonly AuditCall[]): AuditException[] {
  const out: AuditException[] = [];
  for (const exemption of exemptions) {
    if (exemption.expires !== null && expiryInstant(exemption.expires).getTime() <= from.getTime()) continue;
    const ref = exceptionRef(exemption);
    const register = exemption.kind === 'register';
    out.push({
      ...ref,
      approved: register && (exemption.missing?.length ?? 0) === 0,
      source: register ? 'register' : 'setting',
      matches: register ? exemption.pattern : `${exemption.kind} '${exemption.pattern}'`,
      coveredCalls: calls.filter((c) => c.verdict === 'exempt' && c.exception?.id === ref.id).map((c) => c.eventId ?? c.modelName ?? '?'),
    });
  }
  return out;
}
