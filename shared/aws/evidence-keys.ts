/**
 * The keys of the evidence bucket, written and read back in one place (pure): each kind of evidence
 * has a builder its writer uses and a parser its reader uses (null for a key that is not of that
 * kind), so a change to a layout changes both sides at once. Keys start with their kind and then
 * their time, so S3's key order is time order and a range of keys is a period.
 *
 * - `reports/<from>_<to>/audit-<time>.{json,html}`: the history Lambda's audit reports (read back by `audit --source evidence:`).
 * - `inventory/YYYY/MM/DD/<time>.{json,html}`: the sweep's inventory snapshots (the audit reads the latest).
 * - `pipeline/YYYY/MM/DD/<time>-<passed|rejected>-<run>.json`: `scan --evidence-bucket` (the audit counts them by key).
 * - `sweep-runs/<runId>/{plan.json,units/<account|home>_<region>.json,merged.json}`: a fanned-out sweep's run state.
 */

/** A time as a key segment: ISO 8601 with `:` and `.` as `-` (`2026-11-29T06-01-10-000Z`); sorts like the time. */
export const keyTime = (iso: string): string => iso.replace(/[:.]/g, '-');

const KEY_TIME = String.raw`(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2})-(\d{3})Z`;

/** A key segment written by `keyTime` back as a Date (from the match of KEY_TIME's five groups). */
const timeOf = (groups: readonly string[]): Date => new Date(`${groups[0]}T${groups[1]}:${groups[2]}:${groups[3]}.${groups[4]}Z`);

const day = (date: Date): string => date.toISOString().slice(0, 10);

export type EvidenceFormat = 'json' | 'html';

// ---- Audit reports (the history Lambda) ----

export const REPORTS_PREFIX = 'reports/';

/** The folder of a period's reports: `reports/2026-10-01_2026-11-01/`. */
export const periodReportsPrefix = (from: Date, to: Date): string => `${REPORTS_PREFIX}${day(from)}_${day(to)}/`;

/** The folder of a calendar month's reports (`YYYY-MM`): `reports/2026-10-01_2026-11-01/`. */
export function monthReportsPrefix(month: string): string {
  const start = new Date(`${month}-01T00:00:00Z`);
  const end = new Date(start);
  end.setUTCMonth(end.getUTCMonth() + 1);
  return periodReportsPrefix(start, end);
}

/** `reports/2026-10-01_2026-11-01/audit-2026-11-01T06-00-00-000Z.json`. */
export const auditReportKey = (period: { from: Date; to: Date }, filedAt: Date, format: EvidenceFormat): string =>
  `${periodReportsPrefix(period.from, period.to)}audit-${keyTime(filedAt.toISOString())}.${format}`;

const AUDIT_REPORT_KEY = new RegExp(String.raw`^reports/(\d{4}-\d{2}-\d{2})_(\d{4}-\d{2}-\d{2})/audit-${KEY_TIME}\.(json|html)$`);

/** An audit report's key read back: its period's first and end days, when it was filed, its format. */
export function parseAuditReportKey(key: string): { from: string; to: string; filedAt: Date; format: EvidenceFormat } | null {
  const match = AUDIT_REPORT_KEY.exec(key);
  if (!match) return null;
  const [, from, to, ...rest] = match as unknown as string[];
  return { from: from!, to: to!, filedAt: timeOf(rest.slice(0, 5)), format: rest[5] as EvidenceFormat };
}

// ---- Inventory snapshots (the sweep) ----

export const INVENTORY_PREFIX = 'inventory/';

/** `inventory/2026/11/29/2026-11-29T06-01-10-000Z.json`, from the sweep's `finishedAt` (ISO 8601). */
export const inventorySnapshotKey = (finishedAt: string, format: EvidenceFormat): string =>
  `${INVENTORY_PREFIX}${finishedAt.slice(0, 4)}/${finishedAt.slice(5, 7)}/${finishedAt.slice(8, 10)}/${keyTime(finishedAt)}.${format}`;

const INVENTORY_KEY = new RegExp(String.raw`^inventory/\d{4}/\d{2}/\d{2}/${KEY_TIME}\.(json|html)$`);

/** An inventory snapshot's key read back: when the sweep finished, and the format. */
export function parseInventorySnapshotKey(key: string): { finishedAt: Date; format: EvidenceFormat } | null {
  const match = INVENTORY_KEY.exec(key);
  if (!match) return null;
  const groups = match.slice(1) as string[];
  return { finishedAt: timeOf(groups.slice(0, 5)), format: groups[5] as EvidenceFormat };
}

// ---- Pipeline records (scan --evidence-bucket) ----

export const PIPELINE_PREFIX = 'pipeline/';
export type PipelineResult = 'passed' | 'rejected';

/** `pipeline/2026/11/29/2026-11-29T19-30-00-000Z-rejected-<run>.json`: keys sort by time and carry the result. */
export function pipelineRecordKey(scannedAt: string, result: PipelineResult, runId: string | null): string {
  const run = (runId ?? 'local').replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 100);
  return `${PIPELINE_PREFIX}${scannedAt.slice(0, 4)}/${scannedAt.slice(5, 7)}/${scannedAt.slice(8, 10)}/${keyTime(scannedAt)}-${result}-${run}.json`;
}

/** The folder of a day's pipeline records: `pipeline/2026/11/29/`. */
export const pipelineDayPrefix = (date: Date): string => `${PIPELINE_PREFIX}${day(date).replace(/-/g, '/')}/`;

const PIPELINE_KEY = new RegExp(String.raw`^pipeline/\d{4}/\d{2}/\d{2}/${KEY_TIME}-(passed|rejected)-[^/]*\.json$`);

/** A pipeline record's key read back: its time and result (the run id is only a label); null for a key that is not ours. */
export function parsePipelineKey(key: string): { at: Date; result: PipelineResult } | null {
  const match = PIPELINE_KEY.exec(key);
  if (!match) return null;
  const groups = match.slice(1) as string[];
  return { at: timeOf(groups.slice(0, 5)), result: groups[5] as PipelineResult };
}

// ---- Sweep runs (the fanned-out sweep) ----

export const SWEEP_RUNS_PREFIX = 'sweep-runs/';
/** A run id: its start, `20261129T060000Z` (sorts by time, safe in keys). */
export const SWEEP_RUN_ID = /^\d{8}T\d{6}Z$/;

/** A run's id from its start: `20261129T060000Z`. */
export const runIdOf = (at: Date): string => at.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');

export const sweepPlanKey = (runId: string): string => `${SWEEP_RUNS_PREFIX}${runId}/plan.json`;
export const sweepMergedKey = (runId: string): string => `${SWEEP_RUNS_PREFIX}${runId}/merged.json`;
export const sweepUnitsPrefix = (runId: string): string => `${SWEEP_RUNS_PREFIX}${runId}/units/`;

/** A unit's partial inventory: `sweep-runs/<runId>/units/<account>_<region>.json` (`home`: the service's own account). */
export const sweepUnitKey = (unit: { runId: string; account: string | null; region: string }): string =>
  `${sweepUnitsPrefix(unit.runId)}${unit.account ?? 'home'}_${unit.region}.json`;

const UNIT_KEY = /^sweep-runs\/(\d{8}T\d{6}Z)\/units\/(home|\d{12})_([a-z0-9-]+)\.json$/;

/** A unit's key read back; null for a key that is not a unit's. */
export function parseSweepUnitKey(key: string): { runId: string; account: string | null; region: string } | null {
  const match = UNIT_KEY.exec(key);
  if (!match) return null;
  return { runId: match[1]!, account: match[2] === 'home' ? null : match[2]!, region: match[3]! };
}

/** The run id of a run's folder (`sweep-runs/<runId>/`, from a delimiter listing); null for a folder that is not a run's. */
export function parseSweepRunFolder(folder: string): string | null {
  if (!folder.startsWith(SWEEP_RUNS_PREFIX) || !folder.endsWith('/')) return null;
  const runId = folder.slice(SWEEP_RUNS_PREFIX.length, -1);
  return SWEEP_RUN_ID.test(runId) ? runId : null;
}
