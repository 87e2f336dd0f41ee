import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { GetObjectCommand, ListObjectsV2Command, CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { CreateTopicCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountRouter, type AccountRouter } from '../../shared/aws/accounts.js';
import { createAwsClients, type AwsClients } from '../../shared/aws/clients.js';
import { loadConfig } from '../../shared/config.js';
import { dynamoDbStepLedger } from '../../shared/enforcement/dynamodb-step-ledger.js';
import { withExceptionRegister } from '../../shared/governance/exception-register.js';
import { createSweepPlannerHandler, createSweepWorkerHandler } from '../../shared/lambda/sweep-fanout-handler.js';
import { sweepUnitKey } from '../../shared/aws/evidence-keys.js';
import { mergeSweepRun } from '../../shared/sweep/fanout.js';
import { memoryStepLedger } from '../../shared/enforcement/step-ledger.js';
import { createLedgerTable, createModel, drainQueue } from '../../local-aws/local-stack.js';
import { lambdaContext } from '../../local-aws/lambda-context.js';
import { awsClientConfig, startMoto, type MotoServer } from '../../local-aws/moto.js';

const ACCOUNTS = ['111111111111', '222222222222', '333333333333'];
const REGIONS = ['eu-west-1', 'us-east-1'];
const HOME = 'eu-west-1';
let moto: MotoServer;
let home: AwsClients;
let units: { url: string; arn: string };
let deadLetters: { url: string; arn: string };
let alerts: string;
let topicArn: string;

async function queue(name: string, attributes: Record<string, string> = {}) {
  const { QueueUrl } = await home.sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  const { Attributes } = await home.sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  return { url: QueueUrl!, arn: Attributes!.QueueArn! };
}

async function inAccount(account: string, region: string): Promise<SageMakerClient> {
  const sts = new STSClient(awsClientConfig(moto.endpoint, region));
  const { Credentials } = await sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account}:role/Admin`, RoleSessionName: 'setup' }));
  return new SageMakerClient({
    endpoint: moto.endpoint,
    region,
    credentials: { accessKeyId: Credentials!.AccessKeyId!, secretAccessKey: Credentials!.SecretAccessKey!, sessionToken: Credentials!.SessionToken! },
  });
}

/** The member role in moto, with faults injected by account: denied (AssumeRole refused) and throttled (SageMaker refuses, every time). */
function router(faults: { denied?: string; throttled?: { account: string; region: string } } = {}): AccountRouter {
  const real = accountRouter(home, {
    ...awsClientConfig(moto.endpoint, HOME),
    member: { roleName: 'isolation-guard-member', externalId: 'org-secret' },
    stsPlugins: [
      {
        applyToStack: (stack: any) =>
          stack.add(
            (next: any) => async (args: any) => {
              if (faults.denied && String(args.input?.RoleArn ?? '').includes(`::${faults.denied}:`)) {
                throw Object.assign(new Error(`User is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::${faults.denied}:role/isolation-guard-member`), { name: 'AccessDenied' });
              }
              return next(args);
            },
            { step: 'initialize', name: 'deny', override: true },
          ),
      },
    ],
  });
  return {
    ...real,
    async sagemakerFor(where) {
      if (faults.throttled && where.account === faults.throttled.account && where.region === faults.throttled.region) {
        throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
      }
      return real.sagemakerFor(where);
    },
  };
}

function config(extra: Record<string, string> = {}) {
  return loadConfig({
    env: {
      ISOLATION_GUARD_EVIDENCE_BUCKET: 'guard-evidence',
      ISOLATION_GUARD_SWEEP_QUEUE_URL: units.url,
      ISOLATION_GUARD_TOPIC_ARN: topicArn,
      ISOLATION_GUARD_IDEMPOTENCY_TABLE: 'guard-steps',
      ISOLATION_GUARD_MEMBER_ROLE_NAME: 'isolation-guard-member',
      ISOLATION_GUARD_EXTERNAL_ID: 'org-secret',
      ISOLATION_GUARD_ACCOUNTS: ACCOUNTS.join(','),
      ISOLATION_GUARD_REGIONS: REGIONS.join(','),
      ...extra,
    },
  });
}

/** An exception register file with one approved entry (`open-*`: the unisolated model of each account). */
function register(id: string, expires: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'fanout-register-')), 'exceptions.json');
  const entry = { id, modelName: 'open-*', reason: 'vendor licence server', ticket: 'SEC-42', approvedBy: 'security-lead@example.com', owner: 'ml-platform@example.com', expires };
  writeFileSync(path, JSON.stringify({ exceptions: [entry] }));
  return path;
}

/** The run's inventory snapshot, as its merge record names it. */
async function mergedSnapshot(runId: string, bucket = 'guard-evidence') {
  const merged = await readJson(`sweep-runs/${runId}/merged.json`, bucket);
  return readJson(merged.snapshot.find((f: string) => f.endsWith('.json')).replace(`s3://${bucket}/`, ''), bucket);
}

/** A bucket of a test's own: its runs are no other planner's to merge, whatever order the tests run in. */
async function ownBucket(name: string): Promise<string> {
  await home.s3.send(new CreateBucketCommand({ Bucket: name, CreateBucketConfiguration: { LocationConstraint: HOME } }));
  return name;
}

/** A unit's message as one worker invocation (its first receive). */
function unitEvent(unit: unknown): SQSEvent {
  return { Records: [{ messageId: 'unit-1', body: JSON.stringify(unit), attributes: { ApproximateReceiveCount: '1' } }] } as unknown as SQSEvent;
}

/**
 * Lambda's SQS event source, as far as the workers see it: up to ten messages at once, each a
 * worker invocation of one record, running concurrently; a record reported failed becomes visible
 * again at once (as after its visibility timeout), a done one is deleted.
 */
async function runWorkers(worker: ReturnType<typeof createSweepWorkerHandler>): Promise<number> {
  let invocations = 0;
  for (let idle = 0; idle < 2; ) {
    const { Messages = [] } = await home.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: units.url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }),
    );
    if (Messages.length === 0) {
      idle++;
      continue;
    }
    idle = 0;
    await Promise.all(
      Messages.map(async (message) => {
        invocations++;
        const event = {
          Records: [
            {
              messageId: message.MessageId!,
              receiptHandle: message.ReceiptHandle!,
              body: message.Body!,
              attributes: { ApproximateReceiveCount: message.Attributes?.ApproximateReceiveCount ?? '1' },
              messageAttributes: {},
              md5OfBody: '',
              eventSource: 'aws:sqs',
              eventSourceARN: units.arn,
              awsRegion: HOME,
            },
          ],
        } as unknown as SQSEvent;
        const { batchItemFailures } = await worker(event, lambdaContext('sweepWorker'));
        if (batchItemFailures.length === 0) await home.sqs.send(new DeleteMessageCommand({ QueueUrl: units.url, ReceiptHandle: message.ReceiptHandle }));
        else await home.sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: units.url, ReceiptHandle: message.ReceiptHandle, VisibilityTimeout: 0 }));
      }),
    );
  }
  return invocations;
}

async function keys(prefix: string): Promise<string[]> {
  const { Contents = [] } = await home.s3.send(new ListObjectsV2Command({ Bucket: 'guard-evidence', Prefix: prefix }));
  return Contents.map((c) => c.Key!).sort();
}
const readJson = async (key: string, bucket = 'guard-evidence') => JSON.parse(await (await home.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToString());

beforeAll(async () => {
  moto = await startMoto();
  home = createAwsClients(awsClientConfig(moto.endpoint, HOME));
  await home.s3.send(new CreateBucketCommand({ Bucket: 'guard-evidence', CreateBucketConfiguration: { LocationConstraint: HOME } }));
  await createLedgerTable(home.dynamodb, 'guard-steps');
  deadLetters = await queue('guard-sweep-units-dlq');
  // As serverless.yml declares it: three receives, then the dead-letter queue.
  units = await queue('guard-sweep-units', { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: deadLetters.arn, maxReceiveCount: 3 }) });
  ({ TopicArn: topicArn } = (await home.sns.send(new CreateTopicCommand({ Name: 'guard-alerts' }))) as { TopicArn: string });
  const watch = await queue('guard-alerts-watch');
  await home.sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: watch.arn, Attributes: { RawMessageDelivery: 'true' } }));
  alerts = watch.url;
  for (const account of ACCOUNTS) {
    for (const region of REGIONS) {
      const client = await inAccount(account, region);
      const clients = { sagemakerIn: () => client } as unknown as AwsClients;
      await createModel(clients, region, `open-${account}`);
      await createModel(clients, region, `closed-${account}`, true);
    }
  }
});
afterAll(async () => moto?.stop());

// The first four cases are the steps of one story, in the order written (vitest's default): one
// bucket and one ledger, where a later planner merges what an earlier case left open. The two
// reminder cases have buckets of their own and pass in any order (checked with
// --sequence.shuffle.tests).
describe('the sweep fanned out over SQS (moto, three accounts, two regions)', () => {
  it('queues one unit per account and region; workers sweep them concurrently and one merge files the snapshot', async () => {
    const cfg = config();
    const ledger = dynamoDbStepLedger({ client: home.dynamodb, tableName: 'guard-steps' });
    const planner = createSweepPlannerHandler({ config: cfg, clients: home, ledger, now: () => new Date('2026-11-29T06:00:00Z') });
    const planned = await planner({}, lambdaContext('sweepPlanner'));
    expect(planned).toEqual({ runId: '20261129T060000Z', queued: 6, finalised: [] });
    const plan = await readJson('sweep-runs/20261129T060000Z/plan.json');
    expect(plan.units).toEqual(ACCOUNTS.flatMap((account) => REGIONS.map((region) => ({ account, region }))));

    const worker = createSweepWorkerHandler({ config: cfg, clients: home, router: router(), ledger });
    expect(await runWorkers(worker)).toBe(6);

    expect(await keys('sweep-runs/20261129T060000Z/units/')).toHaveLength(6);
    const snapshots = (await keys('inventory/')).filter((k) => k.endsWith('.json'));
    expect(snapshots).toHaveLength(1);
    const snapshot = await readJson(snapshots[0]!);
    expect(snapshot.startedAt).toBe('2026-11-29T06:00:00.000Z');
    expect(snapshot.summary).toMatchObject({ models: 12, isolated: 6, violations: 6, regionsFailed: [] });
    expect(snapshot.regions).toHaveLength(6);
    for (const account of ACCOUNTS) {
      expect(snapshot.models.filter((m: { account: string; verdict: string }) => m.account === account && m.verdict === 'violation')).toHaveLength(2);
    }
    expect(await readJson('sweep-runs/20261129T060000Z/merged.json')).toMatchObject({ units: 6, missing: [] });
    const messages = await drainQueue(home.sqs, alerts);
    const runSummaries = messages.filter((m) => m.kind === 'sweep-run');
    const alerted = messages.filter((m) => m.kind !== 'sweep-run');
    expect(alerted).toHaveLength(6); // one per violating model
    expect(new Set(alerted.map((a) => `${a.model?.account ?? a.account}/${a.model?.region ?? a.region}/${a.model?.name ?? a.modelName}`)).size).toBe(6);
    expect(runSummaries).toEqual([expect.objectContaining({ runId: '20261129T060000Z', models: 12, violations: 6, unitsNotRead: [] })]);

    // At-least-once delivery: every unit delivered again. The ledger keeps alerts and the merge to one.
    for (const unit of ACCOUNTS.flatMap((account) => REGIONS.map((region) => ({ kind: 'sweep-unit', runId: '20261129T060000Z', account, region, of: 6 })))) {
      await home.sqs.send(new SendMessageCommand({ QueueUrl: units.url, MessageBody: JSON.stringify(unit) }));
    }
    expect(await runWorkers(worker)).toBe(6);
    expect(await drainQueue(home.sqs, alerts)).toHaveLength(0);
    expect((await keys('inventory/')).filter((k) => k.endsWith('.json'))).toHaveLength(1);
  });

  it('files a denied account as denied at once, retries a throttled unit, dead-letters it, and the run still merges naming it', async () => {
    const cfg = config();
    const ledger = dynamoDbStepLedger({ client: home.dynamodb, tableName: 'guard-steps' });
    const planner = createSweepPlannerHandler({ config: cfg, clients: home, ledger, now: () => new Date('2026-11-30T06:00:00Z') });
    await planner({}, lambdaContext('sweepPlanner'));
    const worker = createSweepWorkerHandler({ config: cfg, clients: home, router: router({ denied: ACCOUNTS[1], throttled: { account: ACCOUNTS[2]!, region: 'us-east-1' } }), ledger });
    // 5 units once each, the throttled one three times (the queue's maxReceiveCount).
    expect(await runWorkers(worker)).toBe(8);

    const dead = await drainQueue(home.sqs, deadLetters.url);
    expect(dead).toEqual([{ kind: 'sweep-unit', runId: '20261130T060000Z', account: ACCOUNTS[2], region: 'us-east-1', of: 6 }]);
    // The run's snapshot, as its merge record names it (snapshots are filed under the day they were
    // merged, the real clock's: not a date this test could pin).
    const merged = await readJson('sweep-runs/20261130T060000Z/merged.json');
    expect(merged.snapshot).toHaveLength(2);
    const snapshot = await readJson(merged.snapshot.find((f: string) => f.endsWith('.json')).replace('s3://guard-evidence/', ''));
    expect(snapshot.startedAt).toBe('2026-11-30T06:00:00.000Z');
    const failed = snapshot.regions.filter((r: { error: string | null }) => r.error !== null);
    expect(failed.map((r: { account: string; region: string; error: string }) => [r.account, r.region, r.error.split(':')[0]])).toEqual([
      [ACCOUNTS[1], 'eu-west-1', 'AccessDenied'],
      [ACCOUNTS[1], 'us-east-1', 'AccessDenied'],
      [ACCOUNTS[2], 'us-east-1', 'ThrottlingException'],
    ]);
    expect(snapshot.summary.models).toBe(6); // the first account's two regions, the third's eu-west-1
    const summaries = (await drainQueue(home.sqs, alerts)).filter((m) => m.kind === 'sweep-run');
    expect(summaries).toHaveLength(1);
    expect(summaries[0]!.unitsNotRead.map((u: { account: string; region: string }) => `${u.account}/${u.region}`)).toEqual([
      `${ACCOUNTS[1]}/eu-west-1`,
      `${ACCOUNTS[1]}/us-east-1`,
      `${ACCOUNTS[2]}/us-east-1`,
    ]);
  });

  it('refuses a unit that is not one, naming the field, and leaves it to the dead-letter queue', async () => {
    const worker = createSweepWorkerHandler({ config: config(), clients: home, router: router() });
    const result = await worker(
      { Records: [{ messageId: 'm-1', body: JSON.stringify({ kind: 'sweep-unit', runId: '20261129T060000Z', account: 'all', region: 'eu-west-1', of: 1 }), attributes: { ApproximateReceiveCount: '1' } }] } as unknown as SQSEvent,
      lambdaContext('sweepWorker'),
    );
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-1' }] });
  });

  it("merges a run that never completed at the next planner run, naming every unit it lacks", async () => {
    const cfg = config();
    const ledger = dynamoDbStepLedger({ client: home.dynamodb, tableName: 'guard-steps' });
    await createSweepPlannerHandler({ config: cfg, clients: home, ledger, now: () => new Date('2026-12-01T06:00:00Z') })({}, lambdaContext('sweepPlanner'));
    const lost = await drainQueue(home.sqs, units.url); // the units never reach a worker
    expect(lost).toHaveLength(6);
    const next = await createSweepPlannerHandler({ config: cfg, clients: home, ledger, now: () => new Date('2026-12-02T06:00:00Z') })({}, lambdaContext('sweepPlanner'));
    expect(next).toEqual({ runId: '20261202T060000Z', queued: 6, finalised: ['20261201T060000Z'] });
    const merged = await readJson('sweep-runs/20261201T060000Z/merged.json');
    expect(merged.missing).toHaveLength(6);
    const snapshot = await readJson(merged.snapshot.find((f: string) => f.endsWith('.json')).replace('s3://guard-evidence/', ''));
    expect(snapshot.summary.regionsFailed).toHaveLength(6);
    expect(snapshot.regions[0].error).toMatch(/no partial inventory was filed/);
    await drainQueue(home.sqs, units.url);
  });
  it('reminds of an expiring exception once per run, from the merge, naming the models it covers in every unit', async () => {
    const [first, second] = [ACCOUNTS[0]!, ACCOUNTS[1]!];
    const bucket = await ownBucket('guard-evidence-remind');
    const cfg = withExceptionRegister(config({ ISOLATION_GUARD_EVIDENCE_BUCKET: bucket, ISOLATION_GUARD_ACCOUNTS: `${first},${second}`, ISOLATION_GUARD_REGIONS: HOME, ISOLATION_GUARD_EXCEPTIONS: register('EXC-FAN', '2026-12-05') }));
    const ledger = dynamoDbStepLedger({ client: home.dynamodb, tableName: 'guard-steps' });
    const now = () => new Date('2026-11-28T06:00:00Z'); // 7 days and 18 hours before the exception ends
    await drainQueue(home.sqs, alerts);
    expect(await createSweepPlannerHandler({ config: cfg, clients: home, ledger, now })({}, lambdaContext('sweepPlanner'))).toEqual({ runId: '20261128T060000Z', queued: 2, finalised: [] });
    // Two units (one account each), swept at once by two workers.
    const worker = createSweepWorkerHandler({ config: cfg, clients: home, router: router(), ledger, now });
    expect(await runWorkers(worker)).toBe(2);

    // The units filed no reminders of their own: the merge sent them.
    for (const account of [first, second]) expect((await readJson(`sweep-runs/20261128T060000Z/units/${account}_${HOME}.json`, bucket)).reminders).toBeUndefined();
    const snapshot = await mergedSnapshot('20261128T060000Z', bucket);
    const covered = snapshot.models.filter((m: { exception: { id: string } | null }) => m.exception?.id === 'EXC-FAN').map((m: { modelArn: string }) => m.modelArn);
    expect(covered.map((arn: string) => arn.split(':')[4]).sort()).toEqual([first, second]);
    const reminders = (await drainQueue(home.sqs, alerts)).filter((m) => m.kind === 'exception-expiring');
    expect(reminders).toHaveLength(1);
    expect(reminders[0]).toMatchObject({ exception: { id: 'EXC-FAN', expires: '2026-12-05' }, owner: 'ml-platform@example.com', daysLeft: 7 });
    expect([...reminders[0]!.coveredModels].sort()).toEqual([...covered].sort());
    expect(reminders[0]!.notRead).toEqual([]);
    expect(snapshot.reminders).toEqual([{ id: 'EXC-FAN', expires: '2026-12-05', daysLeft: 7, status: 'sent' }]);

    // Every unit delivered again: the run is merged already, and no unit reminds by itself.
    for (const account of [first, second]) {
      await home.sqs.send(new SendMessageCommand({ QueueUrl: units.url, MessageBody: JSON.stringify({ kind: 'sweep-unit', runId: '20261128T060000Z', account, region: HOME, of: 2 }) }));
    }
    expect(await runWorkers(worker)).toBe(2);
    expect((await drainQueue(home.sqs, alerts)).filter((m) => m.kind === 'exception-expiring')).toHaveLength(0);
  });

  it('a run merged by the next planner with a unit missing still reminds, over the models it has', async () => {
    const [first, second] = [ACCOUNTS[0]!, ACCOUNTS[1]!];
    const bucket = await ownBucket('guard-evidence-lost');
    const cfg = withExceptionRegister(config({ ISOLATION_GUARD_EVIDENCE_BUCKET: bucket, ISOLATION_GUARD_ACCOUNTS: `${first},${second}`, ISOLATION_GUARD_REGIONS: HOME, ISOLATION_GUARD_EXCEPTIONS: register('EXC-LOST', '2026-12-03') }));
    const ledger = dynamoDbStepLedger({ client: home.dynamodb, tableName: 'guard-steps' });
    const runAt = () => new Date('2026-11-26T06:00:00Z');
    await createSweepPlannerHandler({ config: cfg, clients: home, ledger, now: runAt })({}, lambdaContext('sweepPlanner'));
    // Only the first account's unit reaches a worker; the second is lost.
    const queued = await drainQueue(home.sqs, units.url);
    expect(queued).toHaveLength(2);
    const worker = createSweepWorkerHandler({ config: cfg, clients: home, router: router(), ledger, now: runAt });
    expect(await worker(unitEvent(queued.find((u) => u.account === first)), lambdaContext('sweepWorker'))).toEqual({ batchItemFailures: [] });
    expect((await drainQueue(home.sqs, alerts)).filter((m) => m.kind === 'exception-expiring')).toHaveLength(0);

    const next = await createSweepPlannerHandler({ config: cfg, clients: home, ledger, now: () => new Date('2026-11-27T08:00:00Z') })({}, lambdaContext('sweepPlanner'));
    expect(next.finalised).toEqual(['20261126T060000Z']);
    const reminders = (await drainQueue(home.sqs, alerts)).filter((m) => m.kind === 'exception-expiring');
    expect(reminders).toHaveLength(1);
    expect(reminders[0]!.coveredModels.map((arn: string) => arn.split(':')[4])).toEqual([first]);
    // The owner is told the list may be short: the unit not read is named.
    expect(reminders[0]!.notRead).toEqual([`${second}/${HOME}`]);
    // Its clock is the merge's: 2026-12-04T00:00Z is 6 days and 16 hours after the next planner (the run's would give 7).
    expect((await mergedSnapshot('20261126T060000Z', bucket)).reminders).toEqual([{ id: 'EXC-LOST', expires: '2026-12-03', daysLeft: 6, status: 'sent' }]);
    await drainQueue(home.sqs, units.url); // the next run's units: not this test's
  });
});

describe('the merge reads run files as a role listing only under sweep-runs/ (S3: a missing key is then 403, not 404)', () => {
  /**
   * S3 answers GetObject of a missing key with 404 NoSuchKey only to a caller granted s3:ListBucket
   * without condition; the planner's and workers' roles list under an `s3:prefix` condition, so AWS
   * answers them 403 AccessDenied. moto answers 404 to everyone: this client answers as AWS does to
   * those roles (fault injection on the SDK's response), and, for `realDenial`, denies one key that exists.
   */
  function s3AsPrefixListingRole(realDenial?: string) {
    const s3 = createAwsClients(awsClientConfig(moto.endpoint, HOME)).s3;
    s3.middlewareStack.add(
      (next: any, context: any) => async (args: any) => {
        if (context.commandName === 'GetObjectCommand' && args.input.Key === realDenial) {
          throw Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
        }
        try {
          return await next(args);
        } catch (error) {
          if (context.commandName === 'GetObjectCommand' && (error as { name?: string }).name === 'NoSuchKey') {
            throw Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
          }
          throw error;
        }
      },
      { step: 'initialize', name: 'prefixListingRole' },
    );
    return s3;
  }

  async function filedRun(bucket: string, runId: string) {
    await home.s3.send(new CreateBucketCommand({ Bucket: bucket, CreateBucketConfiguration: { LocationConstraint: HOME } }));
    const put = (key: string, value: unknown) => home.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: JSON.stringify(value) }));
    await put(`sweep-runs/${runId}/plan.json`, { runId, startedAt: '2026-11-29T06:00:00.000Z', units: [{ account: null, region: HOME }] });
    await put(sweepUnitKey({ runId, account: null, region: HOME }), { startedAt: '2026-11-29T06:00:00.000Z', finishedAt: '2026-11-29T06:00:05.000Z', models: [], regions: [{ region: HOME, models: 0, error: null }] });
  }

  it('merges a run whose merged.json is missing although S3 answers 403 for it (and still 404 as moto does)', async () => {
    for (const [bucket, s3] of [
      ['merge-403', s3AsPrefixListingRole()],
      ['merge-404', createAwsClients(awsClientConfig(moto.endpoint, HOME)).s3],
    ] as const) {
      const runId = '20261129T060000Z';
      await filedRun(bucket, runId);
      const outcome = await mergeSweepRun({ s3, bucket, ledger: memoryStepLedger() }, runId);
      expect(outcome, bucket).toMatchObject({ merged: true, units: 1, missing: [] });
      // Merged once: a second merge reads merged.json and stops.
      expect(await mergeSweepRun({ s3, bucket, ledger: memoryStepLedger() }, runId), bucket).toMatchObject({ merged: false, reason: 'already-merged' });
    }
  });

  it('a 403 on a file that exists is a real denial: the merge fails naming it, never reads it as missing', async () => {
    const runId = '20261129T070000Z';
    await filedRun('merge-denied', runId);
    const s3 = s3AsPrefixListingRole(`sweep-runs/${runId}/plan.json`);
    await expect(mergeSweepRun({ s3, bucket: 'merge-denied', ledger: memoryStepLedger() }, runId)).rejects.toThrow(/Access Denied/);
  });
});

describe('the fanned-out sweep on AWS\'s rules (iam-simulate)', () => {
  it('every call the planner and the workers make is allowed to their packaged roles, or, as a member account, to the member role', async () => {
    const { recordAwsActions } = await import('../../local-aws/aws-action-recorder.js');
    const { deniedCalls } = await import('../../local-aws/iam-simulate.js');
    const { packageService, disposePackagedServices } = await import('../../local-aws/packaged-template.js');
    const { resolveIntrinsics, roleArn, roleStatements } = await import('../../local-aws/role-grants.js');
    const { memberTemplate } = await import('../support/member-template.js');
    const packaged = await packageService({
      stage: 'fanout',
      region: HOME,
      params: { sweepTopology: 'fanout', memberRoleName: 'isolation-guard-member', accounts: ACCOUNTS.join(','), regions: REGIONS.join(',') },
    });
    try {
      const bucket = await ownBucket('fanout-iam');
      // A ledger of its own: the other tests' alerts do not stand in for this run's.
      await createLedgerTable(home.dynamodb, 'guard-steps-iam');
      const cfg = config({ ISOLATION_GUARD_EVIDENCE_BUCKET: bucket, ISOLATION_GUARD_IDEMPOTENCY_TABLE: 'guard-steps-iam' });
      const ledger = dynamoDbStepLedger({ client: home.dynamodb, tableName: 'guard-steps-iam' });
      const recorder = recordAwsActions({ account: '123456789012' });
      const planned: ReturnType<typeof recorder.distinct> = [];
      const worked: ReturnType<typeof recorder.distinct> = [];
      try {
        await createSweepPlannerHandler({ config: cfg, clients: home, ledger, now: () => new Date('2026-11-30T06:00:00Z') })({}, lambdaContext('sweepPlanner'));
        planned.push(...recorder.distinct());
        recorder.clear();
        const plan = await readJson('sweep-runs/20261130T060000Z/plan.json', bucket);
        // The units the planner queued, taken off as Lambda's event source would (not the worker's calls).
        await drainQueue(home.sqs, units.url);
        recorder.clear();
        const worker = createSweepWorkerHandler({ config: cfg, clients: home, router: router(), ledger });
        for (const { account, region } of plan.units) {
          await worker(unitEvent({ kind: 'sweep-unit', runId: '20261130T060000Z', account, region, of: plan.units.length }), lambdaContext('sweepWorker'));
        }
        worked.push(...recorder.distinct());
      } finally {
        recorder.stop();
      }
      const names = {
        region: HOME,
        account: '123456789012',
        refs: { AlertTopic: topicArn, IdempotencyTable: 'guard-steps-iam', EvidenceBucket: bucket, SweepUnitsQueue: units.url },
        atts: {
          'IdempotencyTable.Arn': `arn:aws:dynamodb:${HOME}:123456789012:table/guard-steps-iam`,
          'EvidenceBucket.Arn': `arn:aws:s3:::${bucket}`,
          'SweepUnitsQueue.Arn': units.arn,
          'DeadLetterQueue.Arn': deadLetters.arn,
        },
      };
      const central = (id: string) => ({ arn: roleArn(packaged.template, id, names), statements: roleStatements(packaged.template, id, names) });
      const member = (account: string) => {
        const template = memberTemplate();
        const memberNames = { region: HOME, account, refs: { AllowDelete: 'false', ImportFindings: 'false', CreateMemberRole: 'true', MemberRoleName: 'isolation-guard-member' }, atts: {} };
        const policies = resolveIntrinsics(template.Resources.MemberRole!.Properties!.Policies, template, memberNames) as Array<{ PolicyDocument: { Statement: unknown[] } }>;
        return { arn: `arn:aws:iam::${account}:role/isolation-guard-member`, statements: policies.flatMap((p) => p.PolicyDocument.Statement) };
      };
      const trustOf = (call: { resource: string }) => {
        const template = memberTemplate();
        const account = call.resource.split(':')[4]!;
        const refs = { CentralAccountId: '123456789012', ExternalId: 'org-secret', CentralRoleArns: [roleArn(packaged.template, 'SweepWorkerRole', names)] as never };
        return resolveIntrinsics(template.Resources.MemberRole!.Properties!.AssumeRolePolicyDocument, template, { region: HOME, account, refs, atts: {} }) as never;
      };
      expect(planned.map((c) => c.action)).toEqual(expect.arrayContaining(['sqs:SendMessage', 's3:PutObject', 's3:ListBucket']));
      expect(await deniedCalls(central('SweepPlannerRole'), planned)).toEqual([]);
      const asCentral = worked.filter((c) => !ACCOUNTS.includes(c.caller));
      const asMembers = worked.filter((c) => ACCOUNTS.includes(c.caller));
      expect(asCentral.map((c) => c.action)).toEqual(expect.arrayContaining(['sts:AssumeRole', 's3:PutObject', 'sns:Publish']));
      expect(asMembers.map((c) => c.action)).toEqual(expect.arrayContaining(['sagemaker:ListModels', 'sagemaker:DescribeModel']));
      const workerRole = central('SweepWorkerRole');
      expect(
        await deniedCalls(
          workerRole,
          asCentral,
          (call): Record<string, string> => (call.action === 'sts:AssumeRole' ? { 'sts:ExternalId': 'org-secret', 'aws:PrincipalArn': workerRole.arn } : {}),
          (call) => (call.action === 'sts:AssumeRole' ? trustOf(call) : undefined),
        ),
      ).toEqual([]);
      for (const account of ACCOUNTS) expect(await deniedCalls(member(account), asMembers.filter((c) => c.caller === account)), account).toEqual([]);
    } finally {
      disposePackagedServices();
    }
  }, 240_000);
});
