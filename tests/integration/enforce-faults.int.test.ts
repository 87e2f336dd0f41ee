import { DescribeModelCommand, ListTagsCommand } from '@aws-sdk/client-sagemaker';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAwsClients, type AwsClients } from '../../shared/aws/clients.js';
import { loadConfig } from '../../shared/config.js';
import { createEnforceHandler } from '../../shared/lambda/enforce-handler.js';
import { createModelEvent } from '../../local-aws/cloudtrail-events.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { lambdaContext } from '../../local-aws/lambda-context.js';
import { createLocalStack, createModel, drainQueue, stackEnvironment, type LocalStack } from '../../local-aws/local-stack.js';
import { awsClientConfig, MOTO_ACCOUNT, motoEnvironment, startMoto, type MotoServer } from '../../local-aws/moto.js';
import { setProcessEnvironment } from '../support/process-environment.js';
import { withShortRetries } from '../support/short-retries.js';
import { startWebhookListener } from '../../local-aws/webhook-listener.js';
import { EnforcementIncompleteError } from '../../shared/enforcement/errors.js';

/**
 * The enforce Lambda under faults (moto behind the fault-injecting proxy): the violation is always
 * told, never twice, and never missed. A failure before the alert step must not silence the alert.
 */
const REGION = 'eu-west-1';
let moto: MotoServer;
let restoreEnvironment: (() => void) | undefined;
let proxy: FaultProxy;
let setup: AwsClients;
let clients: AwsClients;
let stack: LocalStack;
let slack: Awaited<ReturnType<typeof startWebhookListener>>;

/**
 * The handler's clients are bounded as the Lambda's are (ENFORCE_REQUEST_BOUNDS: 1 s to connect, 2 s a
 * request, asserted in tests/unit/client-timeouts.unit.test.ts). The SageMaker client, whose DescribeModel
 * hangs below, is bounded shorter: a hang costs the test five attempts of 300 ms, not of 2 s, and ends
 * the same way. (The others keep 2 s: moto on a busy machine can take longer than 300 ms to answer.)
 */
const BOUNDS = { connectionTimeout: 1_000, requestTimeout: 2_000, throwOnRequestTimeout: true } as const;
const SAGEMAKER_BOUNDS = { connectionTimeout: 300, requestTimeout: 300, throwOnRequestTimeout: true } as const;
const ATTEMPTS = 5;

const handlerWith = (env: Record<string, string> = {}) =>
  createEnforceHandler({ config: loadConfig({ env: stackEnvironment(stack, { ISOLATION_GUARD_MODE: 'quarantine', ...env }) }), clients, secretCacheMs: 0 });

const event = (modelName: string, extra: Partial<Parameters<typeof createModelEvent>[0]> = {}) =>
  createModelEvent({ modelName, account: MOTO_ACCOUNT, region: REGION, ...extra });

async function snsAlerts() {
  // The message as text: what a subscriber reads (its layout is the alert renderer's business).
  return (await drainQueue(setup.sqs, stack.alertQueueUrl)).map((envelope) => ({ subject: envelope.Subject as string, message: envelope.Message as string }));
}

async function tagsOf(modelName: string) {
  const { ModelArn } = await setup.sagemakerIn(REGION).send(new DescribeModelCommand({ ModelName: modelName }));
  const { Tags = [] } = await setup.sagemakerIn(REGION).send(new ListTagsCommand({ ResourceArn: ModelArn }));
  return Object.fromEntries(Tags.map((t) => [t.Key, t.Value]));
}

/** The invocation's failure (it must fail: the event is retried, then kept in the dead-letter queue). */
async function failureOf(promise: Promise<unknown>): Promise<EnforcementIncompleteError> {
  const error = await promise.then(
    () => expect.unreachable('the invocation succeeded'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(EnforcementIncompleteError);
  return error as EnforcementIncompleteError;
}

beforeAll(async () => {
  moto = await startMoto();
  proxy = await startFaultProxy(moto.endpoint);
  // @middy/ssm makes its own client: through the proxy too, so SSM faults can be injected.
  restoreEnvironment = setProcessEnvironment(motoEnvironment(proxy.endpoint, REGION));
  setup = createAwsClients(awsClientConfig(moto.endpoint, REGION));
  // The handler's clients, bounded as the Lambda's are; SageMaker's shorter (see BOUNDS).
  const sagemakerIn = createAwsClients({ ...awsClientConfig(proxy.endpoint, REGION), requestHandler: SAGEMAKER_BOUNDS }).sagemakerIn;
  clients = { ...createAwsClients({ ...awsClientConfig(proxy.endpoint, REGION), requestHandler: BOUNDS }), sagemakerIn };
  // DescribeModel is also the call throttled below: its client retries as the Lambda's does, without the long waits.
  withShortRetries(sagemakerIn(REGION), ATTEMPTS);
  slack = await startWebhookListener();
  stack = await createLocalStack(setup, { region: REGION, rulePattern: { source: ['aws.sagemaker'] }, slackWebhookUrl: slack.url, endpoint: moto.endpoint });
}, 120_000);

afterAll(async () => {
  restoreEnvironment?.();
  await slack?.close();
  await proxy?.close();
  await moto?.stop();
});

beforeEach(async () => {
  proxy.clearFaults();
  slack.received.length = 0;
  await drainQueue(setup.sqs, stack.alertQueueUrl);
});

describe('DescribeModel fails before the alert step', () => {
  it.each([
    ['denied', { accessDenied: true }],
    ['throttled beyond retries', { status: 429 }],
    ['hanging', { hang: true }],
  ])('%s: alerts on what the request shows, says it is unconfirmed, acts on nothing, fails the invocation; the retry does the rest', async (what, fault) => {
    const name = `unconfirmed-${what.split(' ')[0]}`;
    await createModel(setup, REGION, name);
    proxy.fault('DescribeModel', fault);
    const delivery = event(name);
    const started = Date.now();

    const failed = await failureOf(handlerWith()(delivery as never, lambdaContext()));
    // Bounded: five attempts of at most SAGEMAKER_BOUNDS.requestTimeout each, then the alert (with the
    // Lambda's 2 s, 10 s: well inside its 30 s). Unbounded, the hanging case would wait for the test's timeout.
    expect(Date.now() - started).toBeLessThan(ATTEMPTS * SAGEMAKER_BOUNDS.requestTimeout + 9_000);
    expect(failed.failures.confirm).toMatch(/DescribeModel failed/);
    const alerts = await snsAlerts();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.subject).toMatch(/\(unconfirmed\)/);
    expect(alerts[0]!.message).toContain('Unconfirmed: the model could not be looked at');
    expect(slack.received).toHaveLength(1);
    expect((slack.received[0]!.body as { text: string }).text).toMatch(/^\[unconfirmed\]/);
    expect(await tagsOf(name)).toEqual({});

    // Lambda's retry, with DescribeModel back: confirmed, quarantined, and the confirmed alert goes out once.
    proxy.clearFaults();
    const retried = (await handlerWith()(delivery as never, lambdaContext())) as any;
    expect(retried.handled).toMatchObject({ decision: { verdict: 'violation' }, action: { kind: 'quarantine', status: 'done' }, failures: {} });
    expect(await tagsOf(name)).toMatchObject({ 'isolation-guard:quarantine': 'network-isolation-disabled' });
    const confirmed = await snsAlerts();
    expect(confirmed).toHaveLength(1);
    expect(confirmed[0]!.subject).not.toMatch(/\(unconfirmed\)/);
    await handlerWith()(delivery as never, lambdaContext());
    expect(await snsAlerts()).toHaveLength(0);
  }, 60_000);
});

describe('the step ledger fails', () => {
  it('a missing table: the alert and the action still happen, and the failure names the table', async () => {
    await createModel(setup, REGION, 'ledger-missing');
    const failed = await failureOf(handlerWith({ ISOLATION_GUARD_IDEMPOTENCY_TABLE: 'no-such-ledger' })(event('ledger-missing') as never, lambdaContext()));
    expect(failed.failures.ledger).toMatch(/the step-ledger table no-such-ledger does not exist/);
    expect(await snsAlerts()).toHaveLength(1);
    expect(slack.received).toHaveLength(1);
    expect(await tagsOf('ledger-missing')).toMatchObject({ 'isolation-guard:quarantine': 'network-isolation-disabled' });
  }, 60_000);

  it('the "done" write fails: the retry does not send the alert again', async () => {
    await createModel(setup, REGION, 'ledger-done-fails');
    const delivery = event('ledger-done-fails');
    proxy.fault('UpdateItem', { status: 500 });
    const failed = await failureOf(handlerWith()(delivery as never, lambdaContext()));
    expect(failed.failures.ledger).toMatch(/could not record it as done/);
    expect(await snsAlerts()).toHaveLength(1);
    expect(slack.received).toHaveLength(1);

    proxy.clearFaults();
    await handlerWith()(delivery as never, lambdaContext()).catch(() => undefined);
    expect(await snsAlerts()).toHaveLength(0);
    expect(slack.received).toHaveLength(1);
  }, 60_000);
});

describe('the Slack webhook cannot be read from SSM', () => {
  it('costs only Slack: the SNS alert goes out and the invocation fails naming the parameter', async () => {
    await createModel(setup, REGION, 'ssm-denied');
    proxy.fault('GetParameters', { accessDenied: true });
    const failed = await failureOf(handlerWith()(event('ssm-denied') as never, lambdaContext()));
    expect(failed.failures.slack).toMatch(/could not be read from SSM parameter \/guard\/slack-webhook/);
    expect(await snsAlerts()).toHaveLength(1);
    expect(slack.received).toHaveLength(0);
  }, 60_000);
});

describe('records with a missing or malformed field are violations with that reason', () => {
  it.each([
    ['eventTime', (detail: any) => void (detail.eventTime = 'yesterday'), /eventTime/],
    ['recipientAccountId', (detail: any) => void (detail.recipientAccountId = 'abc'), /recipientAccountId: expected a 12-digit account id/],
    ['awsRegion', (detail: any) => void delete detail.awsRegion, /awsRegion/],
  ])('%s', async (_field, spoil, reason) => {
    const delivery = event('malformed-model', { isolation: true }) as any;
    spoil(delivery.detail);
    const outcome = (await handlerWith()(delivery as never, lambdaContext())) as any;
    expect(outcome.handled.decision.verdict).toBe('violation');
    expect(outcome.handled.decision.reasons.join(' ')).toMatch(reason);
    expect(outcome.handled.decision.reasons.join(' ')).toMatch(/malformed/);
    const alerts = await snsAlerts();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.subject).toMatch(/\(unconfirmed\)/);
  }, 60_000);

  it('a record without requestParameters', async () => {
    const delivery = event('no-request') as any;
    delete delivery.detail.requestParameters;
    delete delivery.detail.responseElements;
    const outcome = (await handlerWith()(delivery as never, lambdaContext())) as any;
    expect(outcome.handled.decision.verdict).toBe('violation');
    expect(await snsAlerts()).toHaveLength(1);
  }, 60_000);
});

describe('a model deleted and recreated with isolation before the event is handled', () => {
  it('is still a violation: the alert says the original is gone and a new one exists, and nothing is done to the new one', async () => {
    // The event is an hour old; the model of that name was created just now, with isolation.
    await createModel(setup, REGION, 'recreated', true);
    const hourAgo = new Date(Date.now() - 3_600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const outcome = (await handlerWith()(event('recreated', { eventTime: hourAgo }) as never, lambdaContext())) as any;
    expect(outcome.handled.decision.verdict).toBe('violation');
    expect(outcome.handled.decision.reasons.join(' ')).toMatch(/the model this call created is gone, and a different one now has its name/);
    expect(outcome.handled.action.status).not.toBe('done');
    expect(await tagsOf('recreated')).toEqual({});
    expect(await snsAlerts()).toHaveLength(1);
  }, 60_000);

  it('a model recreated with isolation within seconds of a call that asked for none: still a violation, alerted once, nothing done to the new model', async () => {
    // The call said false; by the time the event is handled the name holds an isolated model made
    // just after it. No time window erases the verdict: the request is the evidence.
    await createModel(setup, REGION, 'same-minute', true);
    const outcome = (await handlerWith()(event('same-minute', { isolation: false }) as never, lambdaContext())) as any;
    expect(outcome.handled.decision.verdict).toBe('violation');
    expect(outcome.handled.decision.reasons.join(' ')).toMatch(/The request set EnableNetworkIsolation to false\..*not the model this call created/);
    expect(await tagsOf('same-minute')).toEqual({});
    const alerts = await snsAlerts();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.message).toContain('not the model this call created');
  }, 60_000);
});
