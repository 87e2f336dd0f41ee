import { ListTagsCommand, DescribeModelCommand } from '@aws-sdk/client-sagemaker';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAwsClients, type AwsClients } from '../../shared/aws/clients.js';
import { loadConfig } from '../../shared/config.js';
import { createEnforceHandler } from '../../shared/lambda/enforce-handler.js';
import { Logger } from '@aws-lambda-powertools/logger';
import { createModelEvent } from '../../local-aws/cloudtrail-events.js';
import { lambdaContext } from '../../local-aws/lambda-context.js';
import { deployPackagedStack, SLACK_PARAMETER, type DeployedStack } from '../../local-aws/deployed-stack.js';
import { createModel, drainQueue, putCloudTrailEvents, stackEnvironment } from '../../local-aws/local-stack.js';
import { awsClientConfig, MOTO_ACCOUNT, motoEnvironment, startMoto, type MotoServer } from '../../local-aws/moto.js';
import { setProcessEnvironment } from '../support/process-environment.js';
import { invokePackagedHandler, packageService, type PackagedService } from '../../local-aws/packaged-template.js';
import { startWebhookListener } from '../../local-aws/webhook-listener.js';
import { resultSummary } from '../../shared/enforcement/result-summary.js';
import { EnforcementIncompleteError } from '../../shared/enforcement/errors.js';

const REGION = 'eu-west-1';
let moto: MotoServer;
let restoreEnvironment: (() => void) | undefined;
let clients: AwsClients;
/** The tests' own client set, so that the handler's SageMaker calls can be counted apart. */
let setup: AwsClients;
let stack: DeployedStack;
let slack: Awaited<ReturnType<typeof startWebhookListener>>;
let sagemakerCalls: string[];
let packaged: PackagedService;

/** The handler as the Lambda builds it, from ISOLATION_GUARD_* settings, with clients on moto. */
function handlerWith(env: Record<string, string> = {}, logger?: Logger) {
  const config = loadConfig({ env: stackEnvironment(stack, env) });
  return createEnforceHandler({ config, clients, secretCacheMs: 0, logger });
}

/** Sends CloudTrail events through the rule (pattern from the packaged template) and returns what it delivered. */
async function throughRule(...events: Array<ReturnType<typeof createModelEvent>>) {
  await putCloudTrailEvents(clients, events);
  return drainQueue(clients.sqs, stack.inboxQueueUrl);
}

const event = (modelName: string, extra: Partial<Parameters<typeof createModelEvent>[0]> = {}) =>
  createModelEvent({ modelName, account: MOTO_ACCOUNT, region: REGION, ...extra });

/** SNS notifications received by the queue subscribed to the alert topic. */
async function snsAlerts() {
  return (await drainQueue(clients.sqs, stack.alertQueueUrl)).map((envelope) => ({
    subject: envelope.Subject as string,
    body: JSON.parse(envelope.Message as string),
    attributes: Object.fromEntries(Object.entries(envelope.MessageAttributes ?? {}).map(([k, v]: [string, any]) => [k, v.Value])),
  }));
}

async function tagsOf(modelName: string) {
  const { ModelArn } = await setup.sagemakerIn(REGION).send(new DescribeModelCommand({ ModelName: modelName }));
  const { Tags = [] } = await setup.sagemakerIn(REGION).send(new ListTagsCommand({ ResourceArn: ModelArn }));
  return Object.fromEntries(Tags.map((t) => [t.Key, t.Value]));
}

beforeAll(async () => {
  moto = await startMoto();
  // @middy/ssm makes its own SSM client: it finds moto through the SDK's standard variables.
  restoreEnvironment = setProcessEnvironment(motoEnvironment(moto.endpoint, REGION));
  clients = createAwsClients(awsClientConfig(moto.endpoint, REGION));
  setup = createAwsClients(awsClientConfig(moto.endpoint, REGION));
  sagemakerCalls = [];
  clients.sagemakerIn(REGION).middlewareStack.add(
    (next, context) => async (args) => {
      sagemakerCalls.push(String(context.commandName));
      return next(args);
    },
    { step: 'initialize', name: 'countCalls' },
  );
  slack = await startWebhookListener();
  // The very template users deploy, deployed into moto's CloudFormation; the handler runs with the
  // deployed function's environment (local-aws/deployed-stack.ts).
  packaged = await packageService({ stage: 'test', region: REGION, params: { slackWebhookParameter: SLACK_PARAMETER } });
  stack = await deployPackagedStack(clients, packaged, { endpoint: moto.endpoint, slackWebhookUrl: slack.url });
});

afterAll(async () => {
  restoreEnvironment?.();
  await slack?.close();
  await moto?.stop();
});

beforeEach(async () => {
  sagemakerCalls.length = 0;
  slack.received.length = 0;
  await drainQueue(clients.sqs, stack.alertQueueUrl);
  await drainQueue(clients.sqs, stack.findingQueueUrl);
});

describe('enforce, end to end on moto', () => {
  it('quarantines a model created without isolation and alerts on SNS, Slack and the finding bus; an isolated model costs no call', async () => {
    await createModel(setup, REGION, 'e2e-open');
    await createModel(setup, REGION, 'e2e-isolated', true);
    const delivered = await throughRule(event('e2e-open'), event('e2e-isolated', { isolation: true }));
    expect(delivered).toHaveLength(2);

    const handler = handlerWith({ ISOLATION_GUARD_MODE: 'quarantine' });
    const outcomes = [];
    for (const delivery of delivered) outcomes.push(await handler(delivery as never, lambdaContext()));

    const open = outcomes.find((o) => 'handled' in o && o.handled.decision.modelName === 'e2e-open') as any;
    expect(open.handled).toMatchObject({
      decision: { verdict: 'violation', networkIsolation: null },
      action: { kind: 'quarantine', status: 'done' },
      channels: { sns: 'sent', slack: 'sent', finding: 'sent' },
    });
    const isolated = outcomes.find((o) => 'handled' in o && o.handled.decision.modelName === 'e2e-isolated') as any;
    expect(isolated.handled).toMatchObject({ decision: { verdict: 'compliant' }, channels: { sns: 'not-needed', slack: 'not-needed', finding: 'not-needed' } });

    expect(sagemakerCalls).toEqual(['DescribeModelCommand', 'AddTagsCommand']);
    expect(await tagsOf('e2e-open')).toMatchObject({ 'isolation-guard:quarantine': 'network-isolation-disabled' });
    expect(await tagsOf('e2e-isolated')).toEqual({});

    const alerts = await snsAlerts();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.attributes).toEqual({ severity: 'high', account: MOTO_ACCOUNT, region: REGION, action: 'quarantine', verdict: 'violation' });
    expect(alerts[0]!.subject.length).toBeLessThan(100);
    expect(JSON.stringify(alerts[0]!.body)).toContain('e2e-open');

    expect(slack.received).toHaveLength(1);
    expect(JSON.stringify(slack.received[0]!.body)).toContain('e2e-open');

    const findings = await drainQueue(clients.sqs, stack.findingQueueUrl);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ source: 'sagemaker-isolation-guard' });
    expect(JSON.stringify(findings[0]!.detail)).toContain('e2e-open');
  });

  it('gives one alert per channel and one action when the same event arrives twice', async () => {
    await createModel(setup, REGION, 'twice');
    const once = event('twice');
    const handler = handlerWith({ ISOLATION_GUARD_MODE: 'quarantine' });
    const first = (await handler(once as never, lambdaContext())) as any;
    const second = (await handler({ ...once, id: 'another-delivery' } as never, lambdaContext())) as any;
    expect(first.handled.channels).toEqual({ sns: 'sent', slack: 'sent', finding: 'sent' });
    expect(second.handled.channels).toEqual({ sns: 'already-sent', slack: 'already-sent', finding: 'already-sent' });
    expect(first.handled.action).toMatchObject({ kind: 'quarantine', status: 'done' });
    expect(second.handled.action).toMatchObject({ kind: 'quarantine', status: 'already-done', detail: `Already done by an earlier delivery: ${first.handled.action.detail}` });
    expect(resultSummary(second.handled)).toMatch(/^already done: an earlier delivery of event .+ handled twice; nothing was repeated\.$/);
    expect(sagemakerCalls.filter((c) => c === 'AddTagsCommand')).toHaveLength(1);
    expect(await snsAlerts()).toHaveLength(1);
    expect(slack.received).toHaveLength(1);
    expect(await drainQueue(clients.sqs, stack.findingQueueUrl)).toHaveLength(1);
  });

  it('honours Slack 429 Retry-After and then delivers', async () => {
    await createModel(setup, REGION, 'slack-busy');
    slack.script.push({ status: 429, headers: { 'Retry-After': '1' }, body: 'rate_limited' });
    const started = Date.now();
    const outcome = (await handlerWith()(event('slack-busy') as never, lambdaContext())) as any;
    expect(outcome.handled.channels.slack).toBe('sent');
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(slack.received.length).toBe(2);
  });

  it('when Slack is down, SNS still goes out; the retry sends only Slack', async () => {
    await createModel(setup, REGION, 'slack-down');
    for (let i = 0; i < 20; i++) slack.script.push({ status: 503, body: 'down' });
    const once = event('slack-down');
    const handler = handlerWith();
    const error = await handler(once as never, lambdaContext()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EnforcementIncompleteError);
    expect((error as EnforcementIncompleteError).failures).toHaveProperty('slack');
    expect(String((error as Error).message)).not.toContain(slack.url);
    expect(await snsAlerts()).toHaveLength(1);

    slack.script.length = 0;
    slack.received.length = 0;
    const retried = (await handler(once as never, lambdaContext())) as any;
    expect(retried.handled.channels).toEqual({ sns: 'already-sent', slack: 'sent', finding: 'already-sent' });
    expect(await snsAlerts()).toHaveLength(0);
    expect(slack.received).toHaveLength(1);
  });

  it('when SNS fails, the invocation fails (to be retried, then dead-lettered) and Slack still goes out', async () => {
    await createModel(setup, REGION, 'sns-broken');
    const handler = handlerWith({ ISOLATION_GUARD_TOPIC_ARN: `arn:aws:sns:${REGION}:${MOTO_ACCOUNT}:no-such-topic` });
    const error = await handler(event('sns-broken') as never, lambdaContext()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EnforcementIncompleteError);
    expect(Object.keys((error as EnforcementIncompleteError).failures)).toEqual(['sns']);
    expect(slack.received).toHaveLength(1);
  });

  it('reports a model already deleted as such, not as an error', async () => {
    const outcome = (await handlerWith({ ISOLATION_GUARD_MODE: 'delete' })(event('never-existed') as never, lambdaContext())) as any;
    expect(outcome.handled.model).toEqual({ exists: false, networkIsolation: null });
    expect(outcome.handled.action).toMatchObject({ kind: 'delete', status: 'already-done' });
    expect(outcome.handled.decision.reasons).toContain('DescribeModel: the model no longer exists.');
    expect((await snsAlerts())[0]!.attributes.verdict).toBe('violation');
  });

  it('deletes in delete mode, after the SNS alert recorded how to recreate the model', async () => {
    await createModel(setup, REGION, 'to-delete');
    const outcome = (await handlerWith({ ISOLATION_GUARD_MODE: 'delete' })(event('to-delete') as never, lambdaContext())) as any;
    expect(outcome.handled.action).toMatchObject({ kind: 'delete', status: 'done' });
    await expect(setup.sagemakerIn(REGION).send(new DescribeModelCommand({ ModelName: 'to-delete' }))).rejects.toMatchObject({ name: 'ValidationException' });
    const [alert] = await snsAlerts();
    expect(JSON.stringify(alert!.body)).toContain('pytorch-inference');
    expect(alert!.attributes.action).toBe('delete');
  });

  it('quarantines a CloudFormation-managed model in delete mode, and says why', async () => {
    await createModel(setup, REGION, 'cfn-managed', false, { 'aws:cloudformation:stack-name': 'ModelStack' });
    const outcome = (await handlerWith({ ISOLATION_GUARD_MODE: 'delete' })(
      event('cfn-managed', { invokedBy: 'cloudformation.amazonaws.com', tags: { 'aws:cloudformation:stack-name': 'ModelStack' } }) as never,
      lambdaContext(),
    )) as any;
    expect(outcome.handled.action).toMatchObject({ kind: 'quarantine', status: 'done' });
    expect(outcome.handled.action.detail).toMatch(/would only drift the stack/);
    expect(await tagsOf('cfn-managed')).toMatchObject({ 'isolation-guard:quarantine': 'network-isolation-disabled' });
    expect(sagemakerCalls).not.toContain('DeleteModelCommand');
  });

  it('changes nothing in dry run, and says what it would have done', async () => {
    await createModel(setup, REGION, 'dry');
    const outcome = (await handlerWith({ ISOLATION_GUARD_MODE: 'delete', ISOLATION_GUARD_DRY_RUN: 'true' })(event('dry') as never, lambdaContext())) as any;
    expect(outcome.handled.action).toMatchObject({ kind: 'delete', status: 'would-do' });
    expect(sagemakerCalls).toEqual(['DescribeModelCommand']);
    expect(await tagsOf('dry')).toEqual({});
    const [alert] = await snsAlerts();
    expect(alert!.body.dryRun).toBe(true);
  });

  it('alerts at low severity on an exemption used, and treats an expired one as a violation', async () => {
    await createModel(setup, REGION, 'sandbox-1', false, { 'isolation-guard:exempt': 'SEC-42' });
    const exemptEvent = event('sandbox-1', { tags: { 'isolation-guard:exempt': 'SEC-42' } });
    const valid = (await handlerWith({ ISOLATION_GUARD_MODE: 'quarantine', ISOLATION_GUARD_EXEMPT_TAG_KEYS: 'isolation-guard:exempt|2099-12-31' })(
      exemptEvent as never,
      lambdaContext(),
    )) as any;
    expect(valid.handled).toMatchObject({ decision: { verdict: 'exempt' }, action: { kind: 'none' } });
    expect((await snsAlerts())[0]!.attributes).toMatchObject({ severity: 'low', verdict: 'exempt' });

    await createModel(setup, REGION, 'sandbox-2', false, { 'isolation-guard:exempt': 'SEC-42' });
    const expired = (await handlerWith({ ISOLATION_GUARD_MODE: 'quarantine', ISOLATION_GUARD_EXEMPT_TAG_KEYS: 'isolation-guard:exempt|2020-01-01' })(
      event('sandbox-2', { tags: { 'isolation-guard:exempt': 'SEC-42' } }) as never,
      lambdaContext(),
    )) as any;
    expect(expired.handled).toMatchObject({ decision: { verdict: 'violation' }, action: { kind: 'quarantine', status: 'done' } });
    expect(expired.handled.decision.reasons.join(' ')).toMatch(/has expired/);
  });

  it('escapes hostile fields for Slack and keeps SNS within its limits', async () => {
    const hostile = event('hostile-model', {
      userAgent: `<!channel> <https://evil.example|click> & ${'x'.repeat(300_000)}`,
      tags: { owner: '<@U123> & <!here>' },
    });
    await createModel(setup, REGION, 'hostile-model');
    const outcome = (await handlerWith()(hostile as never, lambdaContext())) as any;
    expect(outcome.handled.channels).toMatchObject({ sns: 'sent', slack: 'sent' });
    const slackText = JSON.stringify(slack.received[0]!.body);
    expect(slackText).not.toMatch(/<!channel>|<!here>|<@U123>|<https:\/\/evil/);
    expect(slackText).toContain('&lt;!channel&gt;');
    const [alert] = await snsAlerts();
    expect(Buffer.byteLength(JSON.stringify(alert!.body))).toBeLessThan(256 * 1024);
    expect(alert!.subject).not.toMatch(/[\r\n]/);
  });

  it('alerts a CreateModel record with a missing field as a violation naming the field (fail closed), and fails on an event that is no record at all', async () => {
    const broken = event('whatever');
    delete (broken.detail as Record<string, unknown>).eventTime;
    const outcome = (await handlerWith()(broken as never, lambdaContext())) as any;
    expect(outcome.handled.decision.verdict).toBe('violation');
    expect(outcome.handled.decision.reasons.join(' ')).toMatch(/malformed \(detail\.eventTime: /);
    expect(await snsAlerts()).toHaveLength(1);
    const notARecord = { ...event('whatever'), detail: 'not a record' };
    await expect(handlerWith()(notARecord as never, lambdaContext())).rejects.toThrow('detail: expected a CloudTrail record object');
  });

  it('an event the parser middleware rejects ends where it always did: another detail-type is skipped, a missing envelope field still enforces', async () => {
    const otherType = { ...event('other-type'), 'detail-type': 'AWS Service Event via CloudTrail' };
    expect(await handlerWith()(otherType as never, lambdaContext())).toEqual({ skipped: 'EventBridge event of another type (AWS Service Event via CloudTrail)' });
    expect(await snsAlerts()).toHaveLength(0);

    await createModel(setup, REGION, 'no-envelope-time');
    const { time: _time, resources: _resources, ...bare } = event('no-envelope-time');
    const outcome = (await handlerWith()(bare as never, lambdaContext())) as any;
    expect(outcome.handled.decision).toMatchObject({ verdict: 'violation', modelName: 'no-envelope-time' });
    expect(outcome.handled.decision.reasons.join(' ')).not.toMatch(/malformed/);
    expect(await snsAlerts()).toHaveLength(1);
  });

  it('the packaged Lambda bundle, loaded as the runtime loads it, quarantines a model in moto and alerts', async () => {
    await createModel(setup, REGION, 'packaged-open');
    const [delivered] = await throughRule(event('packaged-open'));
    const result = (await invokePackagedHandler(packaged, 'enforce', delivered, {
      env: {
        ...motoEnvironment(moto.endpoint, REGION),
        ...stackEnvironment(stack, { ISOLATION_GUARD_MODE: 'quarantine' }),
      },
    })) as any;
    expect(result.handled).toMatchObject({
      decision: { verdict: 'violation', modelName: 'packaged-open' },
      action: { kind: 'quarantine', status: 'done' },
      channels: { sns: 'sent', slack: 'sent', finding: 'sent' },
    });
    expect(await tagsOf('packaged-open')).toMatchObject({ 'isolation-guard:quarantine': 'network-isolation-disabled' });
    expect(await snsAlerts()).toHaveLength(1);
    expect(slack.received).toHaveLength(1);
  });

  it('logs structured JSON correlated by event id, and never the Slack webhook URL', async () => {
    await createModel(setup, REGION, 'logged');
    for (let i = 0; i < 20; i++) slack.script.push({ status: 500 });
    const lines: string[] = [];
    const logger = new Logger({ serviceName: 'sagemaker-isolation-guard', logLevel: 'DEBUG' });
    const captured = { info: (line: string) => lines.push(line), error: (line: string) => lines.push(line) };
    // Powertools writes through its own Console: point it at our capture.
    (logger as unknown as { console: unknown }).console = { ...captured, warn: captured.info, debug: captured.info, log: captured.info, trace: captured.info };
    const once = event('logged');
    try {
      await handlerWith({}, logger)(once as never, lambdaContext()).catch(() => undefined);
    } finally {
      slack.script.length = 0;
    }
    const records = lines.join('\n').split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
    const enforced = records.find((r) => r.message === 'CreateModel enforced');
    expect(enforced).toMatchObject({ eventId: once.detail.eventID, verdict: 'violation', channels: { slack: 'failed' } });
    expect(records.find((r) => r.level === 'ERROR')).toMatchObject({ eventId: once.detail.eventID, error: { name: 'EnforcementIncompleteError' } });
    const secretPath = new URL(slack.url).pathname;
    expect(lines.join('')).not.toContain(secretPath);
  });
});
