import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SNSClient } from '@aws-sdk/client-sns';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';

export interface AwsClients {
  /** SageMaker in a given region (one client per region, made on first use). */
  sagemakerIn: (region: string) => SageMakerClient;
  sns: SNSClient;
  eventBridge: EventBridgeClient;
  dynamodb: DynamoDBClient;
  sqs: SQSClient;
  s3: S3Client;
}

/** What the enforce pipeline uses: its bundle carries only these SDK clients (not S3, not SQS). */
export type EnforceClients = Pick<AwsClients, 'sagemakerIn' | 'sns' | 'eventBridge' | 'dynamodb'>;

export interface AwsClientOptions {
  region?: string;
  /** An endpoint for every client (moto in tests); the SDK also honours AWS_ENDPOINT_URL by itself. */
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /**
   * Per-request time limits (ms): a call that hangs fails and is retried instead of holding the
   * command forever. The CLI sets them; in a Lambda the function's timeout bounds every call.
   */
  requestTimeoutMs?: number;
  connectionTimeoutMs?: number;
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
    sqs: new SQSClient(config),
    // Path-style addressing works with every bucket name, and with moto.
    s3: new S3Client({ ...config, forcePathStyle: true }),
  };
}

/**
 * The enforce function's clients only. A separate factory so that the enforce bundle, which
 * imports this one alone, leaves the other SDK clients out (they are tree-shaken).
 */
export function createEnforceClients(options: AwsClientOptions = {}): EnforceClients {
  const config = clientConfig(options);
  const sagemakers = new Map<string, SageMakerClient>();
  return {
    sagemakerIn: (region) => {
      let client = sagemakers.get(region);
      if (!client) sagemakers.set(region, (client = new SageMakerClient({ ...config, region })));
      return client;
    },
    sns: new SNSClient(config),
    eventBridge: new EventBridgeClient(config),
    dynamodb: new DynamoDBClient(config),
  };
}

function clientConfig(options: AwsClientOptions) {
  const { requestTimeoutMs, connectionTimeoutMs, ...rest } = options;
  const timeouts =
    requestTimeoutMs || connectionTimeoutMs ? { requestHandler: { requestTimeout: requestTimeoutMs, connectionTimeout: connectionTimeoutMs, throwOnRequestTimeout: true } } : {};
  return { ...rest, ...timeouts, retryMode: 'adaptive', maxAttempts: 5 } as const;
}
