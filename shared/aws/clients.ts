import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SNSClient } from '@aws-sdk/client-sns';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { STSClient } from '@aws-sdk/client-sts';
import { securityHubImporter, type SecurityHubImporter } from '../alerts/security-hub-import.js';
import { withErrorContext } from './error-context.js';

export interface AwsClients {
  /** SageMaker in a given region (one client per region, made on first use). */
  sagemakerIn: (region: string) => SageMakerClient;
  sns: SNSClient;
  eventBridge: EventBridgeClient;
  dynamodb: DynamoDBClient;
  sqs: SQSClient;
  s3: S3Client;
  /** BatchImportFindings (shared/alerts/security-hub-import.ts), with the home region and credentials. */
  securityHub: SecurityHubImporter;
  sts: STSClient;
}

/** What the enforce pipeline uses: its bundle carries only these SDK clients (not S3, not SQS). */
export type EnforceClients = Pick<AwsClients, 'sagemakerIn' | 'sns' | 'eventBridge' | 'dynamodb' | 'securityHub' | 'sts'>;

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

/**
 * The clients, made once per cold start (or per CLI run) and passed to the code that uses them.
 * Adaptive retry: SageMaker throttles DescribeModel per account, and a burst of CreateModel calls
 * must slow us down, not fail us.
 */
export function createAwsClients(options: AwsClientOptions = {}): AwsClients {
  const config = clientConfig(options);
  return {
    ...createEnforceClients(options),
    sqs: withErrorContext(new SQSClient({ ...config, region: options.regions?.sqs ?? options.region })),
    // Path-style addressing works with every bucket name, and with moto.
    s3: withErrorContext(new S3Client({ ...config, forcePathStyle: true })),
  };
}

/**
 * The enforce function's clients only. A separate factory so that the enforce bundle, which
 * imports this one alone, leaves the other SDK clients out (they are tree-shaken).
 */
export function createEnforceClients(options: AwsClientOptions = {}): EnforceClients {
  const config = clientConfig(options);
  const sagemakers = new Map<string, SageMakerClient>();
  // Security Hub and STS work in the home region (the topic may live in another).
  const sts = withErrorContext(new STSClient(config));
  return {
    sagemakerIn: (region) => {
      let client = sagemakers.get(region);
      if (!client) sagemakers.set(region, (client = withErrorContext(new SageMakerClient({ ...config, region }))));
      return client;
    },
    sns: withoutBlindRetries(withErrorContext(new SNSClient({ ...sendConfig(config, options), region: options.regions?.sns ?? options.region }))),
    eventBridge: withoutBlindRetries(withErrorContext(new EventBridgeClient(sendConfig(config, options)))),
    dynamodb: withErrorContext(new DynamoDBClient({ ...config, region: options.regions?.dynamodb ?? options.region })),
    securityHub: securityHubImporter({
      region: () => sts.config.region(),
      credentials: () => sts.config.credentials(),
      // The SDK clients honour AWS_ENDPOINT_URL by themselves; this call does the same.
      endpoint: options.endpoint ?? process.env.AWS_ENDPOINT_URL_SECURITYHUB ?? process.env.AWS_ENDPOINT_URL,
    }),
    sts,
  };
}

function clientConfig(options: AwsClientOptions) {
  const { regions: _regions, sendRequestTimeout: _send, ...rest } = options;
  return { ...rest, retryMode: 'adaptive', maxAttempts: 5 } as const;
}

/** The configuration of a client that sends once (no blind retry), so waits longer for its reply. */
function sendConfig(config: ReturnType<typeof clientConfig>, options: AwsClientOptions) {
  const requestTimeout = options.requestHandler?.requestTimeout;
  const sendTimeout = options.sendRequestTimeout ?? (requestTimeout === undefined ? undefined : requestTimeout * 3);
  return sendTimeout === undefined ? config : { ...config, requestHandler: { ...options.requestHandler, requestTimeout: sendTimeout } };
}
