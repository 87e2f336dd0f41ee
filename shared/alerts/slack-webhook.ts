import { SlackDeliveryError } from './errors.js';
import { retryAfterMs, withBackoff } from '../aws/backoff.js';

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
  send(payload: unknown): Promise<{ attempts: number; unconfirmed?: string }>;
}

const MIN_RATE_LIMIT_WAIT_MS = 1_000;

/** Network errors raised before anything was sent (no connection was made): safe to post again. */
const NOT_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

/** https, or http to this machine only. */
function isHttpsOrLoopback(url: string): boolean {
  try {
    const parsed = new URL(url);
    if (parsed.protocol === 'https:') return true;
    return parsed.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(parsed.hostname);
  } catch {
    return false;
  }
}

/**
 * Posts to a Slack incoming webhook. 2xx: done. 429: waits `Retry-After` seconds (at least one),
 * then retries. 5xx and a connection never made (refused, unresolvable): exponential backoff with
 * jitter. A timeout or a connection broken after the post: not posted again (Slack may have it),
 * reported as unconfirmed. Other 4xx: gives up at once (the payload or
 * the hook is wrong; retrying cannot help). Bounded by attempts and total time (8 s by default),
 * well inside the enforce function's timeout.
 */
export function slackWebhookSender(options: SlackWebhookOptions): SlackSender {
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 4_000;
  // 250 ms, 500 ms, 1 s, ... with full jitter (+50 ms), bounded by attempts and total time.
  const policy = {
    maxAttempts: options.maxAttempts ?? 4,
    maxTotalMs: options.maxTotalMs ?? 8_000,
    baseMs: 250,
    jitter: true,
    minMs: 50,
    ...(options.sleep ? { sleep: options.sleep } : {}),
    ...(options.now ? { now: options.now } : {}),
  };

  return {
    async send(payload) {
      // The URL is a secret: refuse plain http (anyone on the path could read it and post), except
      // to this machine (a local listener in tests and trials). The URL itself is never shown.
      if (!isHttpsOrLoopback(options.url)) {
        throw new SlackDeliveryError('the Slack webhook URL must be https (value not shown: it is a secret)', null, 0, false);
      }
      const body = JSON.stringify(payload);
      type Failure = { problem: string; status: number | null };
      return withBackoff<{ attempts: number; unconfirmed?: string }, Failure>(
        policy,
        async (attempt) => {
          let status: number | null = null;
          try {
            const response = await doFetch(options.url, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body,
              signal: AbortSignal.timeout(timeoutMs),
            });
            status = response.status;
            await response.text().catch(() => '');
            if (response.ok) return { done: { attempts: attempt } };
            if (status === 429) {
              // Retry-After in seconds; absent, unreadable or zero: wait a second all the same.
              const header = response.headers.get('retry-after');
              return {
                retry: { problem: `Slack rate-limited the webhook (HTTP 429, Retry-After ${header ?? '-'})`, status },
                waitMs: retryAfterMs(header, MIN_RATE_LIMIT_WAIT_MS),
              };
            }
            if (status >= 500) return { retry: { problem: `Slack answered HTTP ${status}`, status } };
            throw new SlackDeliveryError(`Slack refused the message (HTTP ${status})`, status, attempt, false);
          } catch (error) {
            if (error instanceof SlackDeliveryError) throw error;
            // Network errors carry the URL in places (undici's cause): keep only their kind.
            const kind = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
            if (kind === 'TimeoutError' || kind === 'AbortError') {
              // Slack may have received the post and be slow to answer: posting again would show the
              // alert twice. Counted as sent, unconfirmed; SNS carries the same alert.
              return { done: { attempts: attempt, unconfirmed: `Slack did not answer within ${timeoutMs} ms; not posted again, to avoid a duplicate` } };
            }
            if (!NOT_CONNECTED.has(kind)) {
              // The connection broke after the post was written (a reset): Slack may have it, and a
              // second post would show the alert twice. Only a connection never made is retried.
              return {
                done: { attempts: attempt, unconfirmed: `the connection to Slack broke after the message was sent (${kind}); not posted again, to avoid a duplicate` },
              };
            }
            return { retry: { problem: `could not reach Slack (${kind})`, status } };
          }
        },
        (failure, attempts, elapsed) => new SlackDeliveryError(`${failure.problem}; gave up after ${attempts} attempt(s) in ${elapsed} ms`, failure.status, attempts, true),
      );
    },
  };
}
