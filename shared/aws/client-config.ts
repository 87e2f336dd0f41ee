import { withErrorContext } from './error-context.js';

/**
 * The one AWS client configuration. Every SDK client of the project is made from `clientConfig`
 * (region, endpoint, credentials, request timeouts, adaptive retry with five attempts) and wrapped
 * by `configured` (the error context: service, operation and resource on every failure). The two
 * sends that are not idempotent (SNS Publish, EventBridge PutEvents) also get `withoutBlindRetries`
 * and a longer request timeout (`sendConfig`). The per-service files of shared/aws/ make their
 * clients from here, one file per service, so a bundle carries only the SDK clients it uses.
 */

export interface AwsClientOptions {
  region?: string;
  /**
   * Per-request bounds (ms): a call that hangs fails (and is retried) instead of holding a Lambda
   * until its timeout or a command line forever. `throwOnRequestTimeout` makes the SDK fail the call
   * rather than only warn.
   */
  requestHandler?: { connectionTimeout?: number; requestTimeout?: number; throwOnRequestTimeout?: boolean };
  /** An endpoint for every client (moto in tests); the SDK also honours AWS_ENDPOINT_URL by itself. */
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Regions of single resources that differ from `region` (a topic, queue or table named by ARN or URL). */
  regions?: { sns?: string; sqs?: string; dynamodb?: string };
  /**
   * Per-request bound of the sends that are not idempotent (SNS Publish, EventBridge PutEvents), ms.
   * They get one attempt (`withoutBlindRetries`), so they may wait longer for a slow reply than a
   * call that is retried. Default: three times `requestHandler.requestTimeout`.
   */
  sendRequestTimeout?: number;
}

/** Attempts of every client (adaptive retry: SageMaker throttles per account; a burst must slow us down, not fail us). */
export const MAX_ATTEMPTS = 5;

/** The SDK configuration of a client: the options' region, endpoint, credentials and timeouts, adaptive retry. */
export function clientConfig(options: AwsClientOptions) {
  const { regions: _regions, sendRequestTimeout: _send, ...rest } = options;
  return { ...rest, retryMode: 'adaptive', maxAttempts: MAX_ATTEMPTS } as const;
}

/** The configuration of a client that sends once (no blind retry), so waits longer for its reply. */
export function sendConfig(options: AwsClientOptions) {
  const config = clientConfig(options);
  const requestTimeout = options.requestHandler?.requestTimeout;
  const sendTimeout = options.sendRequestTimeout ?? (requestTimeout === undefined ? undefined : requestTimeout * 3);
  return sendTimeout === undefined ? config : { ...config, requestHandler: { ...options.requestHandler, requestTimeout: sendTimeout } };
}

/** A client made from `clientConfig`, with the error context every client carries. */
export const configured = withErrorContext;

/** Socket errors raised before the request was written: the service cannot have it. */
const NOT_CONNECTED_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * Whether a failed call provably did not reach the service's effect: it was throttled or answered
 * with a server error (the service said it did not take it), or no connection was ever made
 * (refused, unresolvable, the connection timeout). A request timeout, a reset or a broken pipe
 * after the request was written prove nothing: the service may have it.
 */
export function provablyNotDelivered(error: unknown, errorType?: string): boolean {
  const failure = error as { code?: unknown; name?: unknown; message?: unknown; $metadata?: { httpStatusCode?: number } } | null;
  if (errorType === 'THROTTLING') return true;
  const status = failure?.$metadata?.httpStatusCode;
  if (typeof status === 'number' && (status === 429 || status >= 500)) return true;
  if (typeof failure?.code === 'string' && NOT_CONNECTED_CODES.has(failure.code)) return true;
  // The SDK's connection timeout (as opposed to its request timeout): the socket never connected.
  return failure?.name === 'TimeoutError' && typeof failure.message === 'string' && /did not establish a connection/.test(failure.message);
}

interface RetryingClient {
  config: { retryStrategy: () => Promise<unknown> };
}
interface RetryStrategyLike {
  acquireInitialRetryToken(scope: string): Promise<unknown>;
  refreshRetryTokenForRetry(token: unknown, errorInfo: { error: unknown; errorType?: string }): Promise<unknown>;
  recordSuccess(token: unknown): void;
}

/**
 * SNS Publish and EventBridge PutEvents are not idempotent: the SDK's blind retry of a call whose
 * reply was slow is a second alert (a 2 s request timeout and five attempts gave five alerts). The
 * client keeps its retry strategy (backoff, rate limiter) for the errors that prove nothing was
 * delivered, and gives up at once on any other: one attempt, and the step ledger decides what the
 * next delivery does. Returns the client.
 */
export function withoutBlindRetries<C extends RetryingClient>(client: C): C {
  const resolve = client.config.retryStrategy;
  client.config.retryStrategy = async () => {
    const inner = (await resolve()) as RetryStrategyLike;
    const strategy: RetryStrategyLike = {
      acquireInitialRetryToken: (scope) => inner.acquireInitialRetryToken(scope),
      refreshRetryTokenForRetry: (token, errorInfo) => {
        if (!provablyNotDelivered(errorInfo.error, errorInfo.errorType)) return Promise.reject(errorInfo.error);
        return inner.refreshRetryTokenForRetry(token, errorInfo);
      },
      recordSuccess: (token) => inner.recordSuccess(token),
    };
    return strategy;
  };
  return client;
}
