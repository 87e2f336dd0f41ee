import { CloudFormationClient, CreateStackCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeModelCommand, ListTagsCommand } from '@aws-sdk/client-sagemaker';
import { CreateQueueCommand, GetQueueAttributesCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients, type AwsClients } from '../../shared/aws/clients.js';
import { createModelEvent } from '../../local-aws/cloudtrail-events.js';
import { jsonLines, runCliInProcess } from '../support/cli.js';
import { createLocalStack, createModel, drainQueue, type LocalStack } from '../../local-aws/local-stack.js';
import { awsClientConfig, MOTO_ACCOUNT, motoEnvironment, startMoto, type MotoServer } from '../../local-aws/moto.js';

/**
 * `enforce --from-dlq` as the alarm text and the README show it (no --idempotency-table): the
 * replay is idempotent by default, with the ledger table of the stack whose queue it is.
 */
const REGION = 'eu-west-1';
let moto: MotoServer;
let clients: AwsClients;
let stack: LocalStack;
let env: NodeJS.ProcessEnv;

/** What Lambda's on-failure destination puts in the queue. */
const deadLetter = (event: unknown) =>
  JSON.stringify({
    version: '1.0',
    requestContext: { requestId: 'r1', functionArn: `arn:aws:lambda:${REGION}:${MOTO_ACCOUNT}:function:enforce`, condition: 'RetriesExhausted', approximateInvokeCount: 3 },
    requestPayload: event,
    responsePayload: { errorType: 'EnforcementIncompleteError', errorMessage: 'slack failed' },
  });

async function queueDepth(url: string) {
  const { Attributes } = await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
  return Number(Attributes!.ApproximateNumberOfMessages) + Number(Attributes!.ApproximateNumberOfMessagesNotVisible);
}

beforeAll(async () => {
  moto = await startMoto();
  clients = createAwsClients(awsClientConfig(moto.endpoint, REGION));
  stack = await createLocalStack(clients, { region: REGION, rulePattern: { source: ['aws.sagemaker'] }, endpoint: moto.endpoint, prefix: 'replay' });
  env = { ...motoEnvironment(moto.endpoint, REGION), AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
}, 60_000);
afterAll(async () => moto?.stop());

describe('isolation-guard enforce --from-dlq without --idempotency-table', () => {
  it('refuses when no ledger table is known, and leaves the queue as it was', async () => {
    const lonely = (await clients.sqs.send(new CreateQueueCommand({ QueueName: 'lonely-dlq' }))).QueueUrl!;
    await createModel(clients, REGION, 'refused-open');
    await clients.sqs.send(new SendMessageCommand({ QueueUrl: lonely, MessageBody: deadLetter(createModelEvent({ modelName: 'refused-open', account: MOTO_ACCOUNT, region: REGION })) }));
    const run = await runCliInProcess(['enforce', '--from-dlq', lonely, '--topic-arn', stack.topicArn, '--mode', 'quarantine'], { env });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/no step-ledger table.*pass --idempotency-table/);
    expect(run.stdout).toBe('');
    expect(await drainQueue(clients.sqs, stack.alertQueueUrl)).toHaveLength(0);
    expect(await queueDepth(lonely)).toBe(1);
  }, 60_000);

  it("takes the table from the outputs of the stack whose queue it is: the same event replayed twice alerts and tags once", async () => {
    // The stack's outputs, as serverless.yml declares them, pointing at the queue and table in use.
    const cloudFormation = new CloudFormationClient(awsClientConfig(moto.endpoint, REGION));
    const template = {
      Resources: { Placeholder: { Type: 'AWS::SNS::Topic', Properties: { TopicName: 'replay-placeholder' } } },
      Outputs: { DeadLetterQueueUrl: { Value: stack.deadLetterQueueUrl }, IdempotencyTableName: { Value: stack.tableName } },
    };
    await cloudFormation.send(new CreateStackCommand({ StackName: 'sagemaker-isolation-guard-prod', TemplateBody: JSON.stringify(template) }));
    const { Stacks } = await cloudFormation.send(new DescribeStacksCommand({ StackName: 'sagemaker-isolation-guard-prod' }));
    expect(Stacks?.[0]?.Outputs?.map((o) => o.OutputKey).sort()).toEqual(['DeadLetterQueueUrl', 'IdempotencyTableName']);

    await createModel(clients, REGION, 'replayed-open');
    const event = createModelEvent({ modelName: 'replayed-open', account: MOTO_ACCOUNT, region: REGION });
    // Twice: two deliveries of the same event ended in the queue (or one replay ran twice).
    for (let i = 0; i < 2; i++) await clients.sqs.send(new SendMessageCommand({ QueueUrl: stack.deadLetterQueueUrl, MessageBody: deadLetter(event) }));

    const run = await runCliInProcess(['enforce', '--from-dlq', stack.deadLetterQueueUrl, '--topic-arn', stack.topicArn, '--mode', 'quarantine'], { env });
    expect(run.stderr).toMatch(/replaying with the step-ledger table replay-steps \(output IdempotencyTableName of stack sagemaker-isolation-guard-prod\)/);
    expect(run.code).toBe(1);
    expect(jsonLines(run.stdout).map((l: any) => l.channels.sns)).toEqual(['sent', 'already-sent']);
    expect(await drainQueue(clients.sqs, stack.alertQueueUrl)).toHaveLength(1);
    expect(await queueDepth(stack.deadLetterQueueUrl)).toBe(0);
    const quarantinedAt = async () => {
      const { ModelArn } = await clients.sagemakerIn(REGION).send(new DescribeModelCommand({ ModelName: 'replayed-open' }));
      const { Tags = [] } = await clients.sagemakerIn(REGION).send(new ListTagsCommand({ ResourceArn: ModelArn }));
      return Tags.find((t) => t.Key === 'isolation-guard:quarantined-at')?.Value;
    };
    const taggedAt = await quarantinedAt();
    expect(taggedAt).toBeDefined();

    // And a later replay of the same event (a third copy) changes nothing.
    await clients.sqs.send(new SendMessageCommand({ QueueUrl: stack.deadLetterQueueUrl, MessageBody: deadLetter(event) }));
    const again = await runCliInProcess(['enforce', '--from-dlq', stack.deadLetterQueueUrl, '--topic-arn', stack.topicArn, '--mode', 'quarantine'], { env });
    expect(jsonLines(again.stdout).map((l: any) => [l.channels.sns, l.action.status])).toEqual([['already-sent', 'already-done']]);
    expect(await drainQueue(clients.sqs, stack.alertQueueUrl)).toHaveLength(0);
    // Not tagged again: a second AddTags would have written a later quarantined-at.
    expect(await quarantinedAt()).toBe(taggedAt);
  }, 90_000);
});
