import { IsolationGuardError } from '../errors.js';

/**
 * Slack refused or did not answer in time. Never carries the webhook URL: its path is the secret
 * (anyone holding it can post to the channel), so neither the message nor `cause` mentions it.
 */
export class SlackDeliveryError extends IsolationGuardError {
  constructor(
    message: string,
    readonly status: number | null,
    readonly attempts: number,
    readonly retriable: boolean,
  ) {
    super(message);
  }
}

export interface SlackWebhookOptions {
  url: string;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  /** Give up once retrying would pass this long in total. */
  maxTotalMs?: number;
  maxAttempts?: number;
  /** Per request. */
  timeoutMs?: number;
}

export interface SlackSender {
  send(payload: unknown): Promise<{ attempts: number }>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Posts to a Slack incoming webhook. 2xx: done. 429: waits `Retry-After` seconds, then retries.
 * 5xx and network errors: exponential backoff with jitter. Other 4xx: gives up at once (the
 * payload or the hook is wrong; retrying cannot help). Bounded by attempts and total time.
 */
export function slackWebhookSender(options: SlackWebhookOptions): SlackSender {
  const doFetch = options.fetch ?? fetch;
  const sleep = options.sleep ?? defaultSleep;
  const now = options.now ?? Date.now;
  const maxTotalMs = options.maxTotalMs ?? 20_000;
  const maxAttempts = options.maxAttempts ?? 5;
  const timeoutMs = options.timeoutMs ?? 5_000;

  return {
    async send(payload) {
      const started = now();
      const body = JSON.stringify(payload);
      for (let attempt = 1; ; attempt++) {
        let status: number | null = null;
        let waitMs: number;
        let problem: string;
        try {
          const response = await doFetch(options.url, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body,
            signal: AbortSignal.timeout(timeoutMs),
          });
          status = response.status;
          await response.text().catch(() => '');
          if (response.ok) return { attempts: attempt };
          if (status === 429) {
            const retryAfter = Number(response.headers.get('retry-after'));
            waitMs = Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter * 1000 : 1000;
            problem = `Slack rate-limited the webhook (HTTP 429, Retry-After ${response.headers.get('retry-after') ?? '-'})`;
          } else if (status >= 500) {
            waitMs = backoff(attempt);
            problem = `Slack answered HTTP ${status}`;
          } else {
            throw new SlackDeliveryError(`Slack refused the message (HTTP ${status})`, status, attempt, false);
          }
        } catch (error) {
          if (error instanceof SlackDeliveryError) throw error;
          // Network errors carry the URL in places (undici's cause): keep only their kind.
          const kind = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
          waitMs = backoff(attempt);
          problem = `could not reach Slack (${kind})`;
        }
        const elapsed = now() - started;
        if (attempt >= maxAttempts || elapsed + waitMs > maxTotalMs) {
          throw new SlackDeliveryError(`${problem}; gave up after ${attempt} attempt(s) in ${elapsed} ms`, status, attempt, true);
        }
        await sleep(waitMs);
      }
    },
  };
}

/** 250 ms, 500 ms, 1 s, ... with full jitter: retries from many invocations do not align. */
const backoff = (attempt: number) => Math.round(Math.random() * 250 * 2 ** (attempt - 1)) + 50;
