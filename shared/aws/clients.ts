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
    sns: withErrorContext(new SNSClient({ ...config, region: options.regions?.sns ?? options.region })),
    eventBridge: withErrorContext(new EventBridgeClient(config)),
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
  const { regions: _regions, ...rest } = options;
  return { ...rest, retryMode: 'adaptive', maxAttempts: 5 } as const;
}
