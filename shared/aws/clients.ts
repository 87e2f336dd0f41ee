import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SNSClient } from '@aws-sdk/client-sns';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { STSClient } from '@aws-sdk/client-sts';
import { clientConfig, configured, sendConfig, withoutBlindRetries, type AwsClientOptions } from './client-config.js';
import { securityHubImporter, type SecurityHubImporter } from './security-hub-import.js';
import { once } from '../model/once.js';

export interface AwsClients {
  /** SageMaker in a given region (one client per region, made on first use). */
  sagemakerIn: (region: string) => SageMakerClient;
  sns: SNSClient;
  eventBridge: EventBridgeClient;
  dynamodb: DynamoDBClient;
  sqs: SQSClient;
  s3: S3Client;
  /** BatchImportFindings (shared/aws/security-hub-import.ts), with the home region and credentials. */
  securityHub: SecurityHubImporter;
  sts: STSClient;
}

/** What the enforce pipeline uses: its bundle carries only these SDK clients (not S3, not SQS). */
export type EnforceClients = Pick<AwsClients, 'sagemakerIn' | 'sns' | 'eventBridge' | 'dynamodb' | 'securityHub' | 'sts'>;

/**
 * The clients, made once per cold start (or per CLI run) and passed to the code that uses them,
 * each from the one configuration (shared/aws/client-config.ts).
 */
export function createAwsClients(options: AwsClientOptions = {}): AwsClients {
  const config = clientConfig(options);
  return {
    ...createEnforceClients(options),
    sqs: configured(new SQSClient({ ...config, region: options.regions?.sqs ?? options.region })),
    // Path-style addressing works with every bucket name, and with moto.
    s3: configured(new S3Client({ ...config, forcePathStyle: true })),
  };
}

/**
 * The enforce function's clients only. A separate factory so that the enforce bundle, which
 * imports this one alone, leaves the other SDK clients out (they are tree-shaken).
 */
export function createEnforceClients(options: AwsClientOptions = {}): EnforceClients {
  const config = clientConfig(options);
  const sagemakers = new Map<string, SageMakerClient>();
  // Security Hub and STS work in the home region (the topic may live in another). STS is made on
  // first use (Security Hub's product ARN): an enforce cold start without that channel never makes it.
  const sts = once(() => configured(new STSClient(config)));
  return {
    sagemakerIn: (region) => {
      let client = sagemakers.get(region);
      if (!client) sagemakers.set(region, (client = configured(new SageMakerClient({ ...config, region }))));
      return client;
    },
    sns: withoutBlindRetries(configured(new SNSClient({ ...sendConfig(options), region: options.regions?.sns ?? options.region }))),
    eventBridge: withoutBlindRetries(configured(new EventBridgeClient(sendConfig(options)))),
    dynamodb: configured(new DynamoDBClient({ ...config, region: options.regions?.dynamodb ?? options.region })),
    securityHub: securityHubImporter({
      region: () => sts().config.region(),
      credentials: () => sts().config.credentials(),
      // The SDK clients honour AWS_ENDPOINT_URL by themselves; this call does the same.
      endpoint: options.endpoint ?? process.env.AWS_ENDPOINT_URL_SECURITYHUB ?? process.env.AWS_ENDPOINT_URL,
    }),
    get sts() {
      return sts();
    },
  };
}
