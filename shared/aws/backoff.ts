/**
 * The one retry loop with backoff for the calls made outside an SDK client (the SDK clients retry
 * by themselves, shared/aws/client-config.ts): the Slack webhook (429 with Retry-After, 5xx, a
 * connection never made) and Security Hub's signed BatchImportFindings (throttling, 5xx).
 */

/** One attempt's outcome: done with its value, or worth another attempt, after `waitMs` when the answer said (a Retry-After), else after the backoff. */
export type AttemptOutcome<T, F> = { done: T } | { retry: F; waitMs?: number };

export interface BackoffPolicy {
  maxAttempts: number;
  /** The first backoff delay (ms), doubled at each attempt. */
  baseMs: number;
  /** Full jitter: a random delay up to the exponential one, so retries from many invocations do not align. */
  jitter?: boolean;
  /** Added to every backoff delay (ms). */
  minMs?: number;
  /** Give up rather than wait past this long since the first attempt (ms). */
  maxTotalMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The backoff delay before attempt `attempt + 1`: base × 2^(attempt−1), jittered when asked, plus `minMs`. */
export function backoffDelay(attempt: number, policy: Pick<BackoffPolicy, 'baseMs' | 'jitter' | 'minMs'>): number {
  const exponential = policy.baseMs * 2 ** (attempt - 1);
  return (policy.jitter ? Math.round(Math.random() * exponential) : exponential) + (policy.minMs ?? 0);
}

/** A Retry-After header (seconds) in ms; absent, unreadable or shorter: `minMs`. */
export function retryAfterMs(header: string | null, minMs: number): number {
  const seconds = header === null || header.trim() === '' ? Number.NaN : Number(header);
  return Math.max(minMs, Number.isFinite(seconds) ? seconds * 1000 : 0);
}

/**
 * Runs `attempt` until it is done, waiting between attempts; an attempt that throws ends the loop
 * with its error (a failure retrying cannot help). Past `maxAttempts`, or when the next wait would
 * pass `maxTotalMs`, throws `giveUp(the last failure, attempts, elapsed ms)`.
 */
export async function withBackoff<T, F>(
  policy: BackoffPolicy,
  attempt: (attempt: number) => Promise<AttemptOutcome<T, F>>,
  giveUp: (failure: F, attempts: number, elapsedMs: number) => Error,
): Promise<T> {
  const sleep = policy.sleep ?? defaultSleep;
  const now = policy.now ?? Date.now;
  const started = now();
  for (let n = 1; ; n++) {
    const outcome = await attempt(n);
    if ('done' in outcome) return outcome.done;
    const waitMs = outcome.waitMs ?? backoffDelay(n, policy);
    const elapsed = now() - started;
    if (n >= policy.maxAttempts || (policy.maxTotalMs !== undefined && elapsed + waitMs > policy.maxTotalMs)) throw giveUp(outcome.retry, n, elapsed);
    await sleep(waitMs);
  }
}
