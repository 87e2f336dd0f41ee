import { CreateTopicCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients } from '../../shared/aws/clients.js';
import { createModelEvent } from '../../local-aws/cloudtrail-events.js';
import { jsonLines, runCli, runCliInProcess, type CliResult } from '../support/cli.js';
import { createModel, drainQueue } from '../../local-aws/local-stack.js';
import { awsClientConfig, MOTO_ACCOUNT, motoEnvironment, startMoto, type MotoServer } from '../../local-aws/moto.js';

// What a user sees when AWS says no: one plain sentence naming the call and the resource, what to
// check, and the documented exit code; never "internal error" or a stack trace into minified code.
// What a command says runs in-process (an unexpected error there rejects: the test fails); events on
// stdin and the SDK's notice on the process's stderr run the built command.

let moto: MotoServer;
let env: NodeJS.ProcessEnv;
/** The LookupEvents audit, started first: the CLI's retries of moto's missing call take about 3 s, spent while the other tests run. */
let lookupAudit: Promise<CliResult>;

beforeAll(async () => {
  moto = await startMoto();
  env = motoEnvironment(moto.endpoint, 'us-east-1');
  // The default source is LookupEvents, which covers the last 90 days: a period ending today.
  const day = (daysAgo: number) => new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10);
  lookupAudit = runCli(['audit', '--from', day(1), '--to', day(0), '--offline'], { env });
});
afterAll(async () => moto?.stop());

function expectPlainFailure(result: { code: number | null; stderr: string }, sentence: RegExp) {
  expect(result.code).toBe(2);
  expect(result.stderr).toMatch(sentence);
  expect(result.stderr).not.toMatch(/internal error|unexpected error|\n\s+at /);
}

describe('AWS errors on the command line', () => {
  it('audit of a bucket that does not exist', async () => {
    const result = await runCliInProcess(['audit', '--from', '2026-11-01', '--to', '2026-11-02', '--source', 's3://no-such-trail-bucket/AWSLogs', '--offline'], { env });
    expectPlainFailure(result, /S3 ListObjectsV2 on bucket no-such-trail-bucket failed: NoSuchBucket .*; check the bucket name/);
  });

  it('enforce --from-dlq with a queue that does not exist', async () => {
    const result = await runCliInProcess(['enforce', '--from-dlq', `${moto.endpoint}/${MOTO_ACCOUNT}/no-such-queue`, '--idempotency-table', 'ledger'], { env });
    expectPlainFailure(result, /SQS ReceiveMessage on queue .*no-such-queue failed: .*; check the queue URL/);
  });


  it('no credentials at all', async () => {
    const result = await runCliInProcess(['audit', '--from', '2026-11-01', '--to', '2026-11-02', '--source', 's3://bucket/x', '--offline'], {
      env: { ...env, AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined, AWS_PROFILE: undefined, AWS_SHARED_CREDENTIALS_FILE: '/nonexistent', AWS_CONFIG_FILE: '/nonexistent', AWS_EC2_METADATA_DISABLED: 'true' },
    });
    expectPlainFailure(result, /no AWS credentials were found/);
  });
});

describe('regions from the resources named', () => {
  it('enforce publishes to a topic in another region than AWS_REGION, from the ARN', async () => {
    const clients = createAwsClients(awsClientConfig(moto.endpoint, 'eu-west-1'));
    const { TopicArn } = await clients.sns.send(new CreateTopicCommand({ Name: 'far-alerts' }));
    const { QueueUrl } = await clients.sqs.send(new CreateQueueCommand({ QueueName: 'far-watch' }));
    const { Attributes } = await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
    await clients.sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: Attributes!.QueueArn! }));
    await createModel(clients, 'eu-west-1', 'far-open');
    const stdin = JSON.stringify(createModelEvent({ modelName: 'far-open', account: MOTO_ACCOUNT, region: 'eu-west-1' }));

    // The shell says us-east-1; the topic lives in eu-west-1.
    const result = await runCli(['enforce', '--topic-arn', TopicArn!, '-'], { stdin, env: { ...env, AWS_REGION: 'us-east-1' } });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(1);
    expect(jsonLines(result.stdout)[0]).toMatchObject({ channels: { sns: 'sent' } });
    expect(await drainQueue(clients.sqs, QueueUrl!)).toHaveLength(1);
  });

  it('warns that nobody will be told when no channel is configured', async () => {
    const stdin = JSON.stringify(createModelEvent({ modelName: 'nobody-told', account: MOTO_ACCOUNT, region: 'us-east-1' }));
    const result = await runCli(['enforce', '-'], { stdin, env });
    expect(result.stderr).toContain('warning: no alert channel is configured');
  });
});

describe('the SDK\'s Node version notice', () => {
  it('is not printed by the CLI', async () => {
    const result = await runCli(['audit', '--from', '2026-11-01', '--to', '2026-11-02', '--source', 's3://no-such-trail-bucket/x', '--offline'], {
      env: { ...env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: undefined },
    });
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).not.toMatch(/NodeDeprecationWarning|no longer support|Node\.js/);
  });
});

// Read last: the command started before the first test, so its retries ran while the others did.
describe('AWS errors on the command line, the slow one', () => {
  it('audit --source lookup against an endpoint without LookupEvents', async () => {
    const result = await lookupAudit;
    expectPlainFailure(result, /CloudTrail LookupEvents failed: .*; .*does not seem to implement this call/);
  });
});
