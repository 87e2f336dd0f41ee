import { SlackDeliveryError } from './errors.js';

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

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

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
  const sleep = options.sleep ?? defaultSleep;
  const now = options.now ?? Date.now;
  const maxTotalMs = options.maxTotalMs ?? 8_000;
  const maxAttempts = options.maxAttempts ?? 4;
  const timeoutMs = options.timeoutMs ?? 4_000;

  return {
    async send(payload) {
      // The URL is a secret: refuse plain http (anyone on the path could read it and post), except
      // to this machine (a local listener in tests and trials). The URL itself is never shown.
      if (!isHttpsOrLoopback(options.url)) {
        throw new SlackDeliveryError('the Slack webhook URL must be https (value not shown: it is a secret)', null, 0, false);
      }
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
            // Retry-After in seconds; absent, unreadable or zero: wait a second all the same.
            const header = response.headers.get('retry-after');
            const retryAfter = header === null || header.trim() === '' ? Number.NaN : Number(header);
            waitMs = Math.max(MIN_RATE_LIMIT_WAIT_MS, Number.isFinite(retryAfter) ? retryAfter * 1000 : 0);
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
          if (kind === 'TimeoutError' || kind === 'AbortError') {
            // Slack may have received the post and be slow to answer: posting again would show the
            // alert twice. Counted as sent, unconfirmed; SNS carries the same alert.
            return { attempts: attempt, unconfirmed: `Slack did not answer within ${timeoutMs} ms; not posted again, to avoid a duplicate` };
          }
          if (!NOT_CONNECTED.has(kind)) {
            // The connection broke after the post was written (a reset): Slack may have it, and a
            // second post would show the alert twice. Only a connection never made is retried.
            return { attempts: attempt, unconfirmed: `the connection to Slack broke after the message was sent (${kind}); not posted again, to avoid a duplicate` };
          }
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
