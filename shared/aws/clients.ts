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

export interface AwsClientOptions {
  region?: string;
  /** Per-request bounds (ms): a hanging AWS endpoint must end in an error the pipeline can handle, not in the Lambda's timeout. */
  requestHandler?: { connectionTimeout?: number; requestTimeout?: number; throwOnRequestTimeout?: boolean };

  /** An endpoint for every client (moto in tests); the SDK also honours AWS_ENDPOINT_URL by itself. */
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

/**
 * The clients, made once per cold start (or per CLI run) and passed to the code that uses them.
 * Adaptive retry: SageMaker throttles DescribeModel per account, and a burst of CreateModel calls
 * must slow us down, not fail us.
 */
export function createAwsClients(options: AwsClientOptions = {}): AwsClients {
  const config = { ...options, retryMode: 'adaptive', maxAttempts: 5 } as const;
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
    sqs: new SQSClient(config),
    // Path-style addressing works with every bucket name, and with moto.
    s3: new S3Client({ ...config, forcePathStyle: true }),
  };
}
