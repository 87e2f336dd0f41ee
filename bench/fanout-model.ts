/**
 * The sweep's wall time and API calls at organisation scale, single process against fan-out,
 * computed from per-call latencies (measured on moto in the same run, bench/fanout.ts). Pure: the
 * same inputs give the same figures, so the model is tested (tests/unit/fanout-model.unit.test.ts).
 */
export interface CallLatencies {
  assumeRole: number;
  listAccountsPage: number;
  listModelsPage: number;
  describeModel: number;
  listTags: number;
  snsPublish: number;
  ledgerWrite: number;
  sqsSendBatch: number;
  sqsReceiveDelete: number;
  s3Put: number;
  s3Get: number;
  s3List: number;
  counter: number;
}

export interface Scenario {
  accounts: number;
  regions: number;
  modelsPerUnit: number;
  /** Share of models without isolation: each costs a ledger round and an alert (first sweep of the window). */
  violationShare: number;
}

export interface Settings {
  /** Models inspected at once in a unit (the sweep's mapBounded). */
  perUnitConcurrency: number;
  /** Workers at once (the SQS event source's maximum concurrency). */
  workers: number;
  /** A worker's cold start (the bundle's init, measured), paid once per concurrent worker. */
  coldStartMs: number;
  /** S3 GETs at once in the merge. */
  mergeConcurrency: number;
  limitMs: number;
}

export const LAMBDA_LIMIT_MS = 15 * 60_000;

export interface Estimate {
  wallMs: number;
  calls: Record<string, number>;
  totalCalls: number;
  withinLimit: boolean;
  /** The longest single Lambda invocation (single: the whole sweep; fan-out: the planner, a unit or the merge). */
  longestInvocationMs: number;
}

/** One unit's work (one account and region) without the AssumeRole. */
function unitWork(s: Scenario, lat: CallLatencies, st: Settings) {
  const pages = Math.max(1, Math.ceil(s.modelsPerUnit / 100));
  const violations = Math.round(s.modelsPerUnit * s.violationShare);
  const inspect = Math.ceil(s.modelsPerUnit / st.perUnitConcurrency) * (lat.describeModel + lat.listTags);
  const alerts = Math.ceil(violations / st.perUnitConcurrency) * (2 * lat.ledgerWrite + lat.snsPublish);
  return {
    ms: pages * lat.listModelsPage + inspect + alerts,
    calls: { ListModels: pages, DescribeModel: s.modelsPerUnit, ListTags: s.modelsPerUnit, 'DynamoDB ledger': 2 * violations, 'SNS Publish': violations },
  };
}

const add = (into: Record<string, number>, calls: Record<string, number>, times = 1) => {
  for (const [name, n] of Object.entries(calls)) into[name] = (into[name] ?? 0) + n * times;
};
const total = (calls: Record<string, number>) => Object.values(calls).reduce((a, b) => a + b, 0);

/** Today's sweep: one Lambda, units one after the other, one AssumeRole per account. */
export function singleProcess(s: Scenario, lat: CallLatencies, st: Settings): Estimate {
  const unit = unitWork(s, lat, st);
  const units = s.accounts * s.regions;
  const listAccounts = Math.ceil(s.accounts / 20);
  const calls: Record<string, number> = { 'Organizations ListAccounts': listAccounts, 'STS AssumeRole': s.accounts };
  add(calls, unit.calls, units);
  calls['S3 PutObject'] = 2;
  const wallMs = listAccounts * lat.listAccountsPage + s.accounts * lat.assumeRole + units * unit.ms + 2 * lat.s3Put;
  return { wallMs, calls, totalCalls: total(calls), withinLimit: wallMs <= st.limitMs, longestInvocationMs: wallMs };
}

/** The fan-out: planner, workers in parallel (one unit each), the last one merges. */
export function fanOut(s: Scenario, lat: CallLatencies, st: Settings): Estimate & { plannerMs: number; unitMs: number; mergeMs: number } {
  const unit = unitWork(s, lat, st);
  const units = s.accounts * s.regions;
  const listAccounts = Math.ceil(s.accounts / 20);
  const batches = Math.ceil(units / 10);
  const plannerMs = listAccounts * lat.listAccountsPage + lat.s3Put + batches * lat.sqsSendBatch;
  // A worker: receive, assume the member role, sweep, file the partial, count it.
  const unitMs = lat.sqsReceiveDelete + lat.assumeRole + unit.ms + lat.s3Put + lat.counter;
  const waves = Math.ceil(units / st.workers);
  const workersMs = st.coldStartMs + waves * unitMs;
  const mergeMs = Math.ceil(units / 1000) * lat.s3List + Math.ceil(units / st.mergeConcurrency) * lat.s3Get + 3 * lat.s3Put + lat.ledgerWrite * 2;
  const calls: Record<string, number> = {
    'Organizations ListAccounts': listAccounts,
    'STS AssumeRole': units,
    'SQS SendMessageBatch': batches,
    'SQS Receive+Delete': 2 * units,
    'DynamoDB counter': units,
  };
  add(calls, unit.calls, units);
  calls['DynamoDB ledger'] = (calls['DynamoDB ledger'] ?? 0) + 2;
  calls['S3 PutObject'] = 1 + units + 3;
  calls['S3 GetObject'] = units + 2;
  calls['S3 ListObjectsV2'] = Math.ceil(units / 1000);
  const wallMs = plannerMs + workersMs + mergeMs;
  const longestInvocationMs = Math.max(plannerMs, st.coldStartMs + unitMs + mergeMs);
  return { wallMs, calls, totalCalls: total(calls), withinLimit: longestInvocationMs <= st.limitMs, longestInvocationMs, plannerMs, unitMs, mergeMs };
}

/** The most accounts the single sweep covers within the limit (other inputs fixed). */
export function singleProcessMaxAccounts(s: Omit<Scenario, 'accounts'>, lat: CallLatencies, st: Settings): number {
  let low = 0;
  let high = 10_000_000;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (singleProcess({ ...s, accounts: mid }, lat, st).withinLimit) low = mid;
    else high = mid - 1;
  }
  return low;
}

/** The most models one account and region may hold before its worker hits the limit. */
export function fanOutMaxModelsPerUnit(s: Omit<Scenario, 'modelsPerUnit'>, lat: CallLatencies, st: Settings): number {
  let low = 0;
  let high = 100_000_000;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (fanOut({ ...s, modelsPerUnit: mid }, lat, st).withinLimit) low = mid;
    else high = mid - 1;
  }
  return low;
}
