import { AdaptiveRetryStrategy, DefaultRateLimiter } from '@smithy/core/retry';
import type { SageMakerClient } from '@aws-sdk/client-sagemaker';

/**
 * The SDK's own adaptive retry, as our clients use it (shared/aws/clients.ts: adaptive, five
 * attempts; the same rules of what is retried, the same rate limiter), with its waits cut short.
 * After a throttle it backs off up to 1, 2, 4 and 8 s and its rate limiter lets one request through
 * every 2 s: seconds of sleep in a test that is about what happens after the retries (absorbed, or
 * the last attempt failed), not how long the SDK waits between them.
 */
function shortRetries(attempts = 5): AdaptiveRetryStrategy {
  return new AdaptiveRetryStrategy(attempts, {
    maxAttempts: attempts,
    backoff: { computeNextBackoffDelay: () => 10, setDelayBase: () => undefined },
    rateLimiter: new DefaultRateLimiter({ minFillRate: 100, minCapacity: attempts }),
  });
}

/** Gives a client (the one a test throttles) short retries; its other settings stay. */
export function withShortRetries<T extends Pick<SageMakerClient, 'config'>>(client: T, attempts = 5): T {
  const strategy = shortRetries(attempts);
  client.config.retryStrategy = async () => strategy;
  return client;
}
