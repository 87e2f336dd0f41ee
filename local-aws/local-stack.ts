import { CreateTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateEventBusCommand, PutEventsCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateModelCommand } from '@aws-sdk/client-sagemaker';
import { CreateTopicCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { AwsClients } from '../shared/aws/clients.js';
import { MOTO_ACCOUNT } from './moto.js';
import type { PhysicalNames } from './role-grants.js';

/**
 * The stack's resources, created in moto the way serverless.yml declares them (topic, ledger
 * table, dead-letter queue, the CloudTrail rule with the packaged pattern), plus what a test or
 * the demo watches them through: a queue subscribed to the topic, a queue behind the rule (it
 * stands where the Lambda target is), a bus and queue for finding events.
 */
export interface LocalStack {
  topicArn: string;
  alertQueueUrl: string;
  inboxQueueUrl: string;
  deadLetterQueueUrl: string;
  findingBusName: string;
  findingQueueUrl: string;
  tableName: string;
  slackParameterName: string | null;
  /** A deployed stack's enforce function environment (local-aws/deployed-stack.ts). */
  functionEnvironment?: Record<string, string>;
}

/** A queue and its ARN (to subscribe or target it). */
export async function queue(sqs: SQSClient, name: string): Promise<{ url: string; arn: string }> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  return { url: QueueUrl!, arn: Attributes!.QueueArn! };
}

export async function createLocalStack(
  clients: AwsClients,
  options: { region: string; rulePattern: Record<string, unknown>; slackWebhookUrl?: string; endpoint: string; prefix?: string },
): Promise<LocalStack> {
  const prefix = options.prefix ?? 'guard';
  const { TopicArn } = await clients.sns.send(new CreateTopicCommand({ Name: `${prefix}-alerts` }));
  const alerts = await queue(clients.sqs, `${prefix}-alerts-watch`);
  await clients.sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: alerts.arn }));

  const inbox = await queue(clients.sqs, `${prefix}-rule-target`);
  await clients.eventBridge.send(new PutRuleCommand({ Name: `${prefix}-createmodel`, EventPattern: JSON.stringify(options.rulePattern) }));
  await clients.eventBridge.send(new PutTargetsCommand({ Rule: `${prefix}-createmodel`, Targets: [{ Id: 'enforce', Arn: inbox.arn }] }));

  const findingBusName = `${prefix}-findings`;
  await clients.eventBridge.send(new CreateEventBusCommand({ Name: findingBusName }));
  const findings = await queue(clients.sqs, `${prefix}-findings-watch`);
  await clients.eventBridge.send(
    new PutRuleCommand({ Name: `${prefix}-findings`, EventBusName: findingBusName, EventPattern: JSON.stringify({ source: ['sagemaker-isolation-guard'] }) }),
  );
  await clients.eventBridge.send(new PutTargetsCommand({ Rule: `${prefix}-findings`, EventBusName: findingBusName, Targets: [{ Id: 'watch', Arn: findings.arn }] }));

  const deadLetters = await queue(clients.sqs, `${prefix}-dead-letters`);
  const tableName = `${prefix}-steps`;
  await createLedgerTable(clients.dynamodb, tableName);

  let slackParameterName: string | null = null;
  if (options.slackWebhookUrl) {
    slackParameterName = `/${prefix}/slack-webhook`;
    const ssm = new SSMClient({ region: options.region, endpoint: options.endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
    await ssm.send(new PutParameterCommand({ Name: slackParameterName, Type: 'SecureString', Value: options.slackWebhookUrl }));
    ssm.destroy();
  }

  return {
    topicArn: TopicArn!,
    alertQueueUrl: alerts.url,
    inboxQueueUrl: inbox.url,
    deadLetterQueueUrl: deadLetters.url,
    findingBusName,
    findingQueueUrl: findings.url,
    tableName,
    slackParameterName,
  };
}

/** The `enforce` function's environment as serverless.yml sets it, pointing at this stack. */
export function stackEnvironment(stack: LocalStack, extra: Record<string, string> = {}): Record<string, string> {
  // A deployed stack: exactly what CloudFormation gave the function.
  if (stack.functionEnvironment) return { ...stack.functionEnvironment, ...extra };
  return {
    ISOLATION_GUARD_TOPIC_ARN: stack.topicArn,
    ISOLATION_GUARD_FINDING_BUS_NAME: stack.findingBusName,
    ISOLATION_GUARD_IDEMPOTENCY_TABLE: stack.tableName,
    ...(stack.slackParameterName ? { ISOLATION_GUARD_SLACK_WEBHOOK_PARAMETER: stack.slackParameterName } : {}),
    ...extra,
  };
}

/** The step-ledger table as serverless.yml declares it (key `id`, a string). */
export async function createLedgerTable(dynamodb: DynamoDBClient, tableName: string) {
  await dynamodb.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    }),
  );
}

/** Creates a model in moto (the harness keeps EnableNetworkIsolation). */
export async function createModel(clients: AwsClients, region: string, name: string, isolation?: boolean, tags: Record<string, string> = {}) {
  return clients.sagemakerIn(region).send(
    new CreateModelCommand({
      ModelName: name,
      ExecutionRoleArn: `arn:aws:iam::${MOTO_ACCOUNT}:role/SageMakerExecution`,
      PrimaryContainer: { Image: '763104351884.dkr.ecr.eu-west-1.amazonaws.com/pytorch-inference:2.3-cpu-py311', ModelDataUrl: 's3://models/m.tar.gz' },
      ...(isolation === undefined ? {} : { EnableNetworkIsolation: isolation }),
      Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
    }),
  );
}

/** Sends events as CloudTrail would (source aws.sagemaker) to the default bus. */
export async function putCloudTrailEvents(clients: AwsClients, events: Array<{ source: string; 'detail-type': string; detail: unknown }>) {
  const { FailedEntryCount, Entries } = await clients.eventBridge.send(
    new PutEventsCommand({
      Entries: events.map((event) => ({ Source: event.source, DetailType: event['detail-type'], Detail: JSON.stringify(event.detail) })),
    }),
  );
  if (FailedEntryCount) throw new Error(`PutEvents failed: ${JSON.stringify(Entries)}`);
}

/** Everything in a queue now (drains it): message bodies parsed as JSON. */
export async function drainQueue(sqs: SQSClient, queueUrl: string): Promise<Array<Record<string, any>>> {
  const bodies: Array<Record<string, any>> = [];
  for (;;) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, MessageAttributeNames: ['All'] }),
    );
    if (Messages.length === 0) return bodies;
    for (const message of Messages) {
      bodies.push(JSON.parse(message.Body ?? 'null'));
      await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }));
    }
  }
}

/**
 * The physical names a packaged role's `Ref` and `Fn::GetAtt` resolve to for a stack made here (by
 * createLocalStack or deployPackagedStack), to read the role's statements as deployed.
 */
export function stackPhysicalNames(
  stack: { topicArn: string; tableName: string; deadLetterQueueUrl: string },
  region: string,
  evidenceBucket?: string,
  account = MOTO_ACCOUNT,
): PhysicalNames {
  return {
    region,
    account,
    refs: { AlertTopic: stack.topicArn, IdempotencyTable: stack.tableName, DeadLetterQueue: stack.deadLetterQueueUrl, ...(evidenceBucket ? { EvidenceBucket: evidenceBucket } : {}) },
    atts: {
      'IdempotencyTable.Arn': `arn:aws:dynamodb:${region}:${account}:table/${stack.tableName}`,
      'DeadLetterQueue.Arn': `arn:aws:sqs:${region}:${account}:${stack.deadLetterQueueUrl.split('/').pop()}`,
      ...(evidenceBucket ? { 'EvidenceBucket.Arn': `arn:aws:s3:::${evidenceBucket}` } : {}),
    },
  };
}
