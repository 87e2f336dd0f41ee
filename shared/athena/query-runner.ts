import { queryExecutionState, queryResultPages, startQueryExecution, stopQueryExecution, type AthenaClient } from '../aws/athena-client.js';
import { errorText } from '../model/error-text.js';
import { AthenaQueryError } from './errors.js';

export interface AthenaQuerySettings {
  workgroup: string;
  /** `s3://BUCKET/PREFIX/` for the results; null: the workgroup's own location. */
  outputLocation: string | null;
  /** Query context (the table's database). */
  database?: string;
}

export interface PollOptions {
  /** First wait between GetQueryExecution calls, doubled each time up to `maxDelayMs`. */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** Give up (and stop the query) after this long. */
  timeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

export interface FinishedQuery {
  queryExecutionId: string;
  dataScannedBytes: number;
  engineMs: number;
  polls: number;
}

/** Delays of the polling loop: `initial`, doubled, capped at `max` (pure, so the schedule is tested). */
export function backoffDelays(initialMs: number, maxMs: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => Math.min(maxMs, initialMs * 2 ** i));
}

/**
 * Starts a query and polls it with exponential backoff until it ends. SUCCEEDED returns its
 * statistics; FAILED and CANCELLED throw with Athena's reason; running past `timeoutMs` stops the
 * query (so it stops costing) and throws.
 */
export async function runAthenaQuery(client: AthenaClient, sql: string, settings: AthenaQuerySettings, poll: PollOptions = {}): Promise<FinishedQuery> {
  try {
    return await runAndPoll(client, sql, settings, poll);
  } catch (error) {
    throw asAthenaError(error, `workgroup ${settings.workgroup}`);
  }
}

/** An AWS error (access denied, no such workgroup or table) as a typed error naming the call, never a stack trace. */
function asAthenaError(error: unknown, where: string): AthenaQueryError {
  if (error instanceof AthenaQueryError) return error;
  return new AthenaQueryError(null, 'ERROR', `Athena (${where}): ${errorText(error)}`, { cause: error });
}

async function runAndPoll(client: AthenaClient, sql: string, settings: AthenaQuerySettings, poll: PollOptions): Promise<FinishedQuery> {
  const sleep = poll.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const now = poll.now ?? Date.now;
  const id = await startQueryExecution(client, sql, settings);
  if (!id) throw new AthenaQueryError(null, 'UNKNOWN', 'Athena StartQueryExecution returned no QueryExecutionId');
  const deadline = now() + (poll.timeoutMs ?? 30 * 60_000);
  let delay = poll.initialDelayMs ?? 250;
  const maxDelay = poll.maxDelayMs ?? 5_000;
  for (let polls = 1; ; polls++) {
    const { state, dataScannedBytes, engineMs, reason: said } = await queryExecutionState(client, id);
    if (state === 'SUCCEEDED') return { queryExecutionId: id, dataScannedBytes, engineMs, polls };
    if (state === 'FAILED' || state === 'CANCELLED') {
      const reason = said ?? (state === 'CANCELLED' ? 'cancelled' : 'no reason given');
      throw new AthenaQueryError(id, state, `Athena query ${id} ${state === 'FAILED' ? 'failed' : 'was cancelled'}: ${reason}`);
    }
    if (now() + delay > deadline) {
      await stopQueryExecution(client, id).catch(() => undefined);
      throw new AthenaQueryError(id, 'TIMEOUT', `Athena query ${id} still ${state} after ${Math.round((poll.timeoutMs ?? 30 * 60_000) / 1000)} s: stopped`);
    }
    await sleep(delay);
    delay = Math.min(maxDelay, delay * 2);
  }
}

/**
 * The rows of a finished query, page by page (the SDK's paginator, 1,000 rows a page), each as an
 * object keyed by column name. Athena's first row of a SELECT repeats the column names: skipped.
 */
export async function* queryRows(client: AthenaClient, queryExecutionId: string, pageSize = 1000): AsyncGenerator<Array<Record<string, string | null>>> {
  let columns: string[] | null = null;
  let first = true;
  const pages = queryResultPages(client, queryExecutionId, pageSize);
  for (;;) {
    let next: Awaited<ReturnType<typeof pages.next>>;
    try {
      next = await pages.next();
    } catch (error) {
      throw asAthenaError(error, `results of ${queryExecutionId}`);
    }
    if (next.done) return;
    const page = next.value;
    columns ??= page.columns;
    let rows = page.rows;
    if (first && rows.length > 0 && rows[0]!.length > 0 && rows[0]!.every((value, i) => value === columns![i])) rows = rows.slice(1);
    first = false;
    yield rows.map((row) => Object.fromEntries(columns!.map((name, i) => [name, row[i] ?? null])));
  }
}

/** Athena's price, US dollars per terabyte scanned (us-east-1; most regions), 10 MB minimum per query, rounded up to the megabyte. */
export const ATHENA_USD_PER_TB = 5;
export function athenaCostEstimate(bytes: number): number {
  const mb = Math.max(10, Math.ceil(bytes / 1_000_000));
  return Math.round(((mb * 1_000_000) / 1e12) * ATHENA_USD_PER_TB * 1e6) / 1e6;
}
