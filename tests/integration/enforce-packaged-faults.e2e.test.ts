import { GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { DescribeModelCommand, ListTagsCommand } from '@aws-sdk/client-sagemaker';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAwsClients, type AwsClients } from '../../shared/aws/clients.js';
import { createModelEvent } from '../../local-aws/cloudtrail-events.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { createLocalStack, createModel, drainQueue, stackEnvironment, type LocalStack } from '../../local-aws/local-stack.js';
import { awsClientConfig, MOTO_ACCOUNT, motoEnvironment, startMoto, type MotoServer } from '../../local-aws/moto.js';
import { invokePackagedHandler, lambdaFunction, packageService, type PackagedService } from '../../local-aws/packaged-template.js';
import { startWebhookListener } from '../../local-aws/webhook-listener.js';

/**
 * The packaged `enforce.zip`, imported fresh per invocation as the Lambda runtime does (a new
 * container each time: nothing remembered in memory), with every AWS call through the fault proxy
 * in front of moto: what the deployed function does under slow replies, concurrent deliveries of one
 * event, a failing step ledger and a hanging one.
 */
const REGION = 'eu-west-1';
let moto: MotoServer;
let proxy: FaultProxy;
let setup: AwsClients;
let stack: LocalStack;
let packaged: PackagedService;
let slack: Awaited<ReturnType<typeof startWebhookListener>>;
/** The function's own timeout (s): the runtime kills an invocation that passes it. */
let functionTimeout: number;

const event = (modelName: string) => createModelEvent({ modelName, account: MOTO_ACCOUNT, region: REGION });

/** A failed delivery in a line or two (its error lines), for an assertion's message. */
const failureOf = (outcome: { failure?: string }) =>
  outcome.failure === undefined ? 'ok' : outcome.failure.split('\n').filter((line) => /Error|failed|did not finish/.test(line)).slice(0, 3).join(' | ').slice(0, 600);

/** One delivery of `delivery` to a fresh copy of the packaged function; its result, or its failure as text. */
async function deliver(delivery: unknown, mode: 'quarantine' | 'delete' = 'quarantine'): Promise<{ result?: any; failure?: string }> {
  return invokePackagedHandler(packaged, 'enforce', delivery, {
    env: { ...motoEnvironment(proxy.endpoint, REGION), ...stackEnvironment(stack, { ISOLATION_GUARD_MODE: mode }), POWERTOOLS_METRICS_DISABLED: 'true' },
    // The runtime's limit: an invocation still running then is killed (and retried: a second alert).
    timeoutMs: functionTimeout * 1000,
  }).then(
    (result) => ({ result }),
    (error: Error) => ({ failure: error.message }),
  );
}

const snsAlerts = async () => (await drainQueue(setup.sqs, stack.alertQueueUrl)).map((envelope) => String(envelope.Message));
const findings = async () => (await drainQueue(setup.sqs, stack.findingQueueUrl)).map((event) => JSON.stringify(event.detail));

async function tagsOf(modelName: string) {
  const { ModelArn } = await setup.sagemakerIn(REGION).send(new DescribeModelCommand({ ModelName: modelName }));
  const { Tags = [] } = await setup.sagemakerIn(REGION).send(new ListTagsCommand({ ResourceArn: ModelArn }));
  return Object.fromEntries(Tags.map((t) => [t.Key, t.Value]));
}

const modelExists = (name: string) =>
  setup
    .sagemakerIn(REGION)
    .send(new DescribeModelCommand({ ModelName: name }))
    .then(
      () => true,
      () => false,
    );

/** The claim's lease runs out (as 120 s later): set straight in moto, past the proxy. */
async function expireLease(eventId: string, step: string) {
  await setup.dynamodb
    .send(
      new UpdateItemCommand({
        TableName: stack.tableName,
        Key: { id: { S: `${eventId}#${step}` } },
        UpdateExpression: 'SET leaseUntil = :past',
        ConditionExpression: '#status = :running',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':past': { N: '0' }, ':running': { S: 'in-progress' } },
      }),
    )
    .catch(() => undefined); // already done: nothing to expire
}

beforeAll(async () => {
  moto = await startMoto();
  proxy = await startFaultProxy(moto.endpoint);
  setup = createAwsClients(awsClientConfig(moto.endpoint, REGION));
  slack = await startWebhookListener();
  stack = await createLocalStack(setup, { region: REGION, rulePattern: { source: ['aws.sagemaker'] }, slackWebhookUrl: slack.url, endpoint: moto.endpoint });
  packaged = await packageService({ stage: 'test', region: REGION });
  functionTimeout = Number(lambdaFunction(packaged.template, 'enforce')[1].Properties?.Timeout ?? 30);
}, 240_000);

afterAll(async () => {
  await slack?.close();
  await proxy?.close();
  await moto?.stop();
});

beforeEach(async () => {
  proxy.clearFaults();
  slack.received.length = 0;
  await drainQueue(setup.sqs, stack.alertQueueUrl);
  await drainQueue(setup.sqs, stack.findingQueueUrl);
});

describe('the packaged enforce function behind the fault proxy', () => {
  it('SNS answers after 2.5 s (its 2 s request timeout passed): one attempt, exactly one alert', async () => {
    await createModel(setup, REGION, 'slow-sns');
    proxy.fault('Publish', { answerLatencyMs: 2_500 });
    const { result, failure } = await deliver(event('slow-sns'));
    expect(failure).toBeUndefined();
    expect(result.handled).toMatchObject({ channels: { sns: 'sent', slack: 'sent', finding: 'sent' }, failures: {} });
    // Each blind retry of the SDK was one more alert (five attempts: five alerts).
    expect(await snsAlerts()).toHaveLength(1);
  }, 90_000);

  it('PutEvents answers late too: exactly one finding; a throttled Publish (nothing delivered) is still retried', async () => {
    await createModel(setup, REGION, 'slow-finding');
    proxy.fault('PutEvents', { answerLatencyMs: 2_500 });
    proxy.fault('Publish', { status: 429, times: 1 });
    const { result, failure } = await deliver(event('slow-finding'));
    expect(failure).toBeUndefined();
    expect(result.handled.channels).toMatchObject({ sns: 'sent', finding: 'sent' });
    expect(await findings()).toHaveLength(1);
    expect(await snsAlerts()).toHaveLength(1);
  }, 90_000);

  it('the reply to the claim is lost (the SDK sends it again): the claim is the owner\'s own, and the owner goes on', async () => {
    await createModel(setup, REGION, 'slow-claim');
    // The claim is written, its reply comes after the client's timeout; the SDK's retry meets the claim.
    proxy.fault('PutItem', { answerLatencyMs: 2_500, times: 1 });
    const { result, failure } = await deliver(event('slow-claim'));
    expect(failure).toBeUndefined();
    expect(result.handled).toMatchObject({ action: { kind: 'quarantine', status: 'done' }, channels: { sns: 'sent' }, failures: {} });
    expect(await tagsOf('slow-claim')).toMatchObject({ 'isolation-guard:quarantine': 'network-isolation-disabled' });
    expect(await snsAlerts()).toHaveLength(1);
  }, 90_000);

  it('eight concurrent deliveries of one event with a slow AddTags: every one succeeds, one alert per channel, none says failed', async () => {
    await createModel(setup, REGION, 'crowded');
    proxy.fault('AddTags', { latencyMs: 1_000 });
    const delivery = event('crowded');
    const outcomes = await Promise.all(Array.from({ length: 8 }, () => deliver(delivery)));
    // No delivery (the claim's owner included) is failed for a step another one runs.
    expect(outcomes.map(failureOf)).toStrictEqual(Array(8).fill('ok'));
    expect(outcomes.filter((o) => o.result.handled.action.status === 'done')).toHaveLength(1);
    const alerts = await snsAlerts();
    expect(alerts).toHaveLength(1);
    expect(slack.received).toHaveLength(1);
    expect(await findings()).toHaveLength(1);
    for (const text of [...alerts, JSON.stringify(slack.received[0]!.body)]) expect(text).not.toMatch(/failed|being run by another delivery/i);
    expect(await tagsOf('crowded')).toMatchObject({ 'isolation-guard:quarantine': 'network-isolation-disabled' });
  }, 120_000);

  it('delete mode, two concurrent deliveries and a slow DeleteModel: Slack and the finding never say the delete failed', async () => {
    await createModel(setup, REGION, 'crowded-delete');
    proxy.fault('DeleteModel', { latencyMs: 1_000 });
    const delivery = event('crowded-delete');
    const outcomes = await Promise.all([deliver(delivery, 'delete'), deliver(delivery, 'delete')]);
    expect(outcomes.map(failureOf)).toStrictEqual(['ok', 'ok']);
    expect(await modelExists('crowded-delete')).toBe(false);
    const found = await findings();
    expect(found).toHaveLength(1);
    expect(slack.received).toHaveLength(1);
    for (const text of [...found, JSON.stringify(slack.received[0]!.body), ...(await snsAlerts())]) expect(text).not.toMatch(/failed/i);
  }, 120_000);

  it('the "done" write fails for a while: it is retried, so a new container after the lease ran out sends nothing again', async () => {
    await createModel(setup, REGION, 'done-write');
    const delivery = event('done-write');
    // More failures than the SDK's own five attempts of one UpdateItem.
    proxy.fault('UpdateItem', { status: 500, bodyIncludes: `${delivery.detail.eventID}#sns`, times: 6 });
    const first = await deliver(delivery);
    expect(first.failure).toBeUndefined();
    expect(first.result.handled.failures).toStrictEqual({});
    expect(await snsAlerts()).toHaveLength(1);

    // A DLQ replay or a new container, after the 120 s lease.
    proxy.clearFaults();
    await expireLease(delivery.detail.eventID, 'sns');
    const item = await setup.dynamodb.send(new GetItemCommand({ TableName: stack.tableName, Key: { id: { S: `${delivery.detail.eventID}#sns` } } }));
    expect(item.Item?.status?.S).toBe('done');
    const second = await deliver(delivery);
    expect(second.result.handled.channels).toMatchObject({ sns: 'already-sent', slack: 'already-sent', finding: 'already-sent' });
    expect(await snsAlerts()).toHaveLength(0);
    expect(slack.received).toHaveLength(1);
  }, 120_000);

  it('the action\'s "done" write is lost for good: a new container after the lease finds the tag and does not tag again', async () => {
    await createModel(setup, REGION, 'lost-done');
    const delivery = event('lost-done');
    proxy.fault('UpdateItem', { status: 500, bodyIncludes: `${delivery.detail.eventID}#action` });
    const first = await deliver(delivery);
    expect(first.failure).toMatch(/step action ran but the step-ledger table .* could not record it as done/);
    expect(await tagsOf('lost-done')).toMatchObject({ 'isolation-guard:quarantine': 'network-isolation-disabled' });
    expect(await snsAlerts()).toHaveLength(1);

    // A new container after the 120 s lease: the claim is taken over, and the model's own state decides.
    proxy.clearFaults();
    await expireLease(delivery.detail.eventID, 'action');
    const tagged = proxy.calls.get('AddTags') ?? 0;
    const second = await deliver(delivery);
    expect(second.failure).toBeUndefined();
    expect(second.result.handled.action).toMatchObject({ kind: 'quarantine', status: 'already-done', detail: expect.stringMatching(/Already tagged isolation-guard:quarantine by an earlier delivery/) });
    expect(proxy.calls.get('AddTags') ?? 0).toBe(tagged);
    expect(await snsAlerts()).toHaveLength(0);
  }, 120_000);

  it('DynamoDB hangs in delete mode: the invocation ends inside the function timeout with every channel tried, and fails naming the ledger', async () => {
    await createModel(setup, REGION, 'ledger-hangs');
    for (const operation of ['PutItem', 'GetItem', 'UpdateItem', 'DeleteItem']) proxy.fault(operation, { hang: true });
    const { result, failure } = await deliver(event('ledger-hangs'), 'delete');
    expect(result).toBeUndefined();
    // Failed by the handler (retried, then dead-lettered), not killed by the runtime's timeout.
    expect(failure).not.toMatch(/did not finish within/);
    expect(failure).toMatch(/EnforcementIncompleteError/);
    expect(failure).toMatch(/step-ledger table .* cannot be used/);
    expect(await snsAlerts()).toHaveLength(1);
    expect(slack.received).toHaveLength(1);
    expect(await findings()).toHaveLength(1);
    expect(await modelExists('ledger-hangs')).toBe(false);
  }, 120_000);
});
