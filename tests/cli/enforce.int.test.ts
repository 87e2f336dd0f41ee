import { DescribeModelCommand, ListTagsCommand } from '@aws-sdk/client-sagemaker';
import { GetQueueAttributesCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients, type AwsClients } from '../../shared/aws/clients.js';
import { createModelEvent } from '../../local-aws/cloudtrail-events.js';
import { jsonLines, runCli, runCliInProcess } from '../support/cli.js';
import { createLocalStack, createModel, drainQueue, type LocalStack } from '../../local-aws/local-stack.js';
import { awsClientConfig, MOTO_ACCOUNT, motoEnvironment, startMoto, type MotoServer } from '../../local-aws/moto.js';

const REGION = 'eu-west-1';
let moto: MotoServer;
let clients: AwsClients;
let stack: LocalStack;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  moto = await startMoto();
  clients = createAwsClients(awsClientConfig(moto.endpoint, REGION));
  const pattern = { source: ['aws.sagemaker'] };
  stack = await createLocalStack(clients, { region: REGION, rulePattern: pattern, endpoint: moto.endpoint, prefix: 'cli' });
  env = { ...motoEnvironment(moto.endpoint, REGION), AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
});
afterAll(async () => moto?.stop());

const event = (modelName: string, isolation?: boolean) => createModelEvent({ modelName, account: MOTO_ACCOUNT, region: REGION, isolation });

// Events on stdin run the built command; events from files and the queue run in-process
// (runCliInProcess, with the same environment).
describe('isolation-guard enforce', () => {
  it('works with only --topic-arn: decides, quarantines, publishes, prints one line per event', async () => {
    await createModel(clients, REGION, 'cli-open');
    await createModel(clients, REGION, 'cli-isolated', true);
    const stdin = [event('cli-open'), event('cli-isolated', true)].map((e) => JSON.stringify(e)).join('\n');
    const { code, stdout, stderr } = await runCli(['enforce', '--topic-arn', stack.topicArn, '--mode', 'quarantine', '-'], { stdin, env });
    expect(stderr).toBe('');
    expect(code).toBe(1);
    const lines = jsonLines(stdout);
    expect(lines.map((l: any) => [l.decision.modelName, l.decision.verdict, l.action.status, l.channels.sns, l.channels.slack])).toEqual([
      ['cli-open', 'violation', 'done', 'sent', 'not-configured'],
      ['cli-isolated', 'compliant', 'not-needed', 'not-needed', 'not-needed'],
    ]);
    const { ModelArn } = await clients.sagemakerIn(REGION).send(new DescribeModelCommand({ ModelName: 'cli-open' }));
    const { Tags } = await clients.sagemakerIn(REGION).send(new ListTagsCommand({ ResourceArn: ModelArn }));
    expect(Tags).toContainEqual({ Key: 'isolation-guard:quarantine', Value: 'network-isolation-disabled' });
    expect(await drainQueue(clients.sqs, stack.alertQueueUrl)).toHaveLength(1);
  });

  it('replays the dead-letter queue and deletes only what it handled in full', async () => {
    await createModel(clients, REGION, 'dlq-open');
    const onFailure = {
      version: '1.0',
      timestamp: new Date().toISOString(),
      requestContext: { requestId: 'r1', functionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:enforce', condition: 'RetriesExhausted', approximateInvokeCount: 3 },
      requestPayload: event('dlq-open'),
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      responsePayload: { errorType: 'EnforcementIncompleteError', errorMessage: 'sns failed' },
    };
    await clients.sqs.send(new SendMessageCommand({ QueueUrl: stack.deadLetterQueueUrl, MessageBody: JSON.stringify(onFailure) }));
    await clients.sqs.send(new SendMessageCommand({ QueueUrl: stack.deadLetterQueueUrl, MessageBody: 'not json at all' }));

    const { code, stdout, stderr } = await runCliInProcess(
      ['enforce', '--from-dlq', stack.deadLetterQueueUrl, '--topic-arn', stack.topicArn, '--idempotency-table', stack.tableName, '--dry-run'],
      { env },
    );
    expect(code).toBe(2);
    expect(jsonLines(stdout).map((l: any) => [l.decision.modelName, l.action.status])).toEqual([['dlq-open', 'not-needed']]);
    expect(stderr).toMatch(/dead letter .*: dead-letter message body is not JSON/);
    expect(await drainQueue(clients.sqs, stack.alertQueueUrl)).toHaveLength(1);
    // The unreadable letter stays (hidden for its visibility timeout); the handled one is gone.
    const { Attributes } = await clients.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: stack.deadLetterQueueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
    );
    expect(Number(Attributes!.ApproximateNumberOfMessages) + Number(Attributes!.ApproximateNumberOfMessagesNotVisible)).toBe(1);
  });

  it('exits 3 when an effect fails, naming the step', async () => {
    await createModel(clients, REGION, 'cli-broken-topic');
    const { code, stderr } = await runCli(['enforce', '--topic-arn', `arn:aws:sns:${REGION}:${MOTO_ACCOUNT}:missing`, '-'], {
      stdin: JSON.stringify(event('cli-broken-topic')),
      env,
    });
    expect(code).toBe(3);
    expect(stderr).toMatch(/sns failed/);
  });

  it('never deletes in dry run, even in delete mode', async () => {
    await createModel(clients, REGION, 'cli-dry');
    const { code, stdout } = await runCli(['enforce', '--mode', 'delete', '--dry-run', '--topic-arn', stack.topicArn, '-'], {
      stdin: JSON.stringify(event('cli-dry')),
      env,
    });
    expect(code).toBe(1);
    expect(jsonLines(stdout)[0]).toMatchObject({ action: { kind: 'delete', status: 'would-do' } });
    await expect(clients.sagemakerIn(REGION).send(new DescribeModelCommand({ ModelName: 'cli-dry' }))).resolves.toMatchObject({ ModelName: 'cli-dry' });
  });

  it('reads files through the same reader as evaluate: gzip, a malformed CreateModel record alerted as a violation, a near miss named, a broken document exit 2', async () => {
    await createModel(clients, REGION, 'cli-gz');
    await createModel(clients, REGION, 'cli-malformed');
    const dir = await mkdtemp(join(tmpdir(), 'enforce-files-'));
    const trail = join(dir, 'trail.json.gz');
    await writeFile(trail, gzipSync(JSON.stringify({ Records: [event('cli-gz').detail] })));
    const broken = join(dir, 'broken.ndjson');
    const malformed = { ...event('cli-malformed').detail, eventTime: 42 };
    const nearMiss = { ...event('cli-typo').detail, eventName: 'CreateModle' };
    await writeFile(broken, [JSON.stringify(malformed), JSON.stringify(nearMiss), '{not json'].join('\n'));

    const { code, stdout, stderr } = await runCliInProcess(['enforce', '--topic-arn', stack.topicArn, '--dry-run', trail, broken], { env });
    const lines = jsonLines(stdout) as any[];
    expect(lines.map((l) => [l.decision.modelName, l.decision.verdict])).toEqual([
      ['cli-gz', 'violation'],
      ['cli-malformed', 'violation'],
    ]);
    expect(stderr).toContain(`${broken}: line 1: eventTime: expected an ISO 8601 date-time: handled as a violation`);
    expect(stderr).toMatch(/broken\.ndjson: skipped line 2: eventSource "sagemaker\.amazonaws\.com", eventName "CreateModle": nearly a SageMaker CreateModel call/);
    expect(stderr).toMatch(/broken\.ndjson: line 3: not JSON/);
    // The broken document makes the run an input error, though both calls were handled.
    expect(code).toBe(2);
  });

  it('names a near miss inside a CloudTrail log file too (every record looked at, none only counted)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'enforce-log-'));
    // CloudTrail's own framing (compact, eventVersion first): the shape the parse pool may only count.
    // One file without the exact string "CreateModel" (an event-name typo), one with another spelling of the source.
    const typo = join(dir, 'typo.json.gz');
    const source = join(dir, 'source.json.gz');
    await writeFile(typo, gzipSync(JSON.stringify({ Records: [{ eventVersion: '1.09', ...event('cli-log-typo').detail, eventName: 'CreateModle' }] })));
    await writeFile(source, gzipSync(JSON.stringify({ Records: [{ eventVersion: '1.09', ...event('cli-log-source').detail, eventSource: 'SageMaker.amazonaws.com' }] })));
    const { code, stderr } = await runCliInProcess(['enforce', '--topic-arn', stack.topicArn, '--dry-run', typo, source], { env });
    expect(stderr).toMatch(/typo\.json\.gz: skipped Records\[0\]: eventSource "sagemaker\.amazonaws\.com", eventName "CreateModle": nearly a SageMaker CreateModel call/);
    expect(stderr).toMatch(/source\.json\.gz: skipped Records\[0\]: eventSource "SageMaker\.amazonaws\.com", eventName "CreateModel": nearly a SageMaker CreateModel call/);
    expect(stderr).toMatch(/holds no SageMaker CreateModel call \(2 other record\(s\) skipped\)/);
    expect(code).toBe(0);
  });
});
