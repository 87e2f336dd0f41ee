/**
 * 7. The sweep at organisation scale: per-call latencies measured on moto in this run feed the
 * model in fanout-model.ts, which gives the wall time and API calls of the single-process sweep
 * and of the fan-out at 10, 100 and 1,000 accounts, and where each hits Lambda's 15 minutes. The
 * model is first checked against a real single-process sweep on moto (its error is printed).
 */
import { CreateOrganizationCommand, CreateAccountCommand, ListAccountsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { DescribeModelCommand, ListModelsCommand, ListTagsCommand } from '@aws-sdk/client-sagemaker';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { CreateTopicCommand, PublishCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, DeleteMessageCommand, ReceiveMessageCommand, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { createAwsClients } from '../shared/aws/clients.js';
import { loadConfig } from '../shared/config.js';
import { enforcementDeps, enforcementSettings } from '../shared/enforcement/deps.js';
import { countFiledUnit } from '../shared/sweep/fanout.js';
import { sweepModels } from '../shared/sweep/sweep.js';
import { createLedgerTable, createModel } from '../local-aws/local-stack.js';
import { awsClientConfig, startMoto } from '../local-aws/moto.js';
import { fanOut, fanOutMaxModelsPerUnit, LAMBDA_LIMIT_MS, singleProcess, singleProcessMaxAccounts, type CallLatencies, type Settings } from './fanout-model.js';

const REGION = 'eu-west-1';
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function timeCall(rounds: number, call: (i: number) => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < rounds + 3; i++) {
    const start = performance.now();
    await call(i);
    if (i >= 3) times.push(performance.now() - start);
  }
  return median(times);
}

export async function fanOutBench(coldStartMs: number) {
  const rounds = Number(process.env.BENCH_FANOUT_ROUNDS ?? 30);
  const moto = await startMoto();
  try {
    const clients = createAwsClients(awsClientConfig(moto.endpoint, REGION));
    const sts = new STSClient(awsClientConfig(moto.endpoint, REGION));
    const orgs = new OrganizationsClient(awsClientConfig(moto.endpoint, 'us-east-1'));
    await orgs.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
    for (let i = 0; i < 25; i++) await orgs.send(new CreateAccountCommand({ AccountName: `a${i}`, Email: `a${i}@example.com` }));
    const sm = clients.sagemakerIn(REGION);
    const calibrationRegions = ['eu-west-1', 'us-east-1'];
    const perRegion = 100;
    for (const region of calibrationRegions) for (let i = 0; i < perRegion; i++) await createModel(clients, region, `m-${region}-${i}`, i % 10 === 0 ? undefined : true);
    await clients.s3.send(new CreateBucketCommand({ Bucket: 'bench-evidence', CreateBucketConfiguration: { LocationConstraint: REGION } }));
    for (let i = 0; i < 200; i++) await clients.s3.send(new PutObjectCommand({ Bucket: 'bench-evidence', Key: `sweep-runs/r/units/${i}.json`, Body: '{}' }));
    const partial = JSON.stringify({ startedAt: '', finishedAt: '', regions: [{ region: REGION, models: 100, error: null }], models: Array.from({ length: 100 }, (_, i) => ({ modelName: `m-${i}`, region: REGION, verdict: 'compliant', reasons: ['EnableNetworkIsolation is true'] })) });
    await createLedgerTable(clients.dynamodb, 'bench-steps');
    const { TopicArn } = await clients.sns.send(new CreateTopicCommand({ Name: 'bench-alerts' }));
    const { QueueUrl } = await clients.sqs.send(new CreateQueueCommand({ QueueName: 'bench-units' }));
    const { ModelArn } = await sm.send(new DescribeModelCommand({ ModelName: `m-${REGION}-1` }));

    const lat: CallLatencies = {
      assumeRole: await timeCall(rounds, (i) => sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${String(111111111111 + i)}:role/member`, RoleSessionName: 'bench' }))),
      listAccountsPage: await timeCall(rounds, () => orgs.send(new ListAccountsCommand({ MaxResults: 20 }))),
      listModelsPage: await timeCall(rounds, () => sm.send(new ListModelsCommand({ MaxResults: 100 }))),
      describeModel: await timeCall(rounds, (i) => sm.send(new DescribeModelCommand({ ModelName: `m-${REGION}-${i % perRegion}` }))),
      listTags: await timeCall(rounds, () => sm.send(new ListTagsCommand({ ResourceArn: ModelArn }))),
      snsPublish: await timeCall(rounds, () => clients.sns.send(new PublishCommand({ TopicArn, Message: '{"kind":"bench"}' }))),
      ledgerWrite: await timeCall(rounds, (i) => clients.dynamodb.send(new PutItemCommand({ TableName: 'bench-steps', Item: { id: { S: `k${i}` }, state: { S: 'done' } } }))),
      sqsSendBatch: await timeCall(rounds, (i) =>
        clients.sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: Array.from({ length: 10 }, (_, j) => ({ Id: String(j), MessageBody: JSON.stringify({ kind: 'sweep-unit', i, j }) })) })),
      ),
      sqsReceiveDelete: await timeCall(rounds, async () => {
        const { Messages = [] } = await clients.sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 1 }));
        if (Messages[0]) await clients.sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: Messages[0].ReceiptHandle }));
      }),
      s3Put: await timeCall(rounds, (i) => clients.s3.send(new PutObjectCommand({ Bucket: 'bench-evidence', Key: `sweep-runs/p/units/${i}.json`, Body: partial }))),
      s3Get: await timeCall(rounds, async (i) => (await clients.s3.send(new GetObjectCommand({ Bucket: 'bench-evidence', Key: `sweep-runs/p/units/${i}.json` }))).Body!.transformToString()),
      s3List: await timeCall(rounds, () => clients.s3.send(new ListObjectsV2Command({ Bucket: 'bench-evidence', Prefix: 'sweep-runs/r/units/' }))),
      counter: await timeCall(rounds, () => countFiledUnit(clients.dynamodb, 'bench-steps', 'bench')),
    };

    // Calibration: moto answers from one Python process, so the 8 inspections a unit runs at once
    // are mostly served one after another. Run A (one region, no alerts) measures the effective
    // in-unit concurrency; run B (two regions, 10% violating, alerts and the DynamoDB ledger on)
    // checks the model's prediction with it.
    const quiet = loadConfig({ env: {} });
    let started = performance.now();
    await sweepModels({ regions: ['eu-west-1'], reminderDays: 7 }, enforcementSettings(quiet), enforcementDeps(quiet, clients));
    const runAMs = performance.now() - started;
    const effectiveConcurrency = Math.max(1, (perRegion * (lat.describeModel + lat.listTags)) / Math.max(1, runAMs - lat.listModelsPage));
    const config = loadConfig({ env: { ISOLATION_GUARD_TOPIC_ARN: TopicArn!, ISOLATION_GUARD_IDEMPOTENCY_TABLE: 'bench-steps' } });
    started = performance.now();
    const real = await sweepModels({ regions: calibrationRegions, reminderDays: 7 }, enforcementSettings(config), enforcementDeps(config, clients));
    const realMs = performance.now() - started;
    const settings: Settings = { perUnitConcurrency: 8, workers: Number(process.env.BENCH_FANOUT_WORKERS ?? 50), coldStartMs, mergeConcurrency: 16, limitMs: LAMBDA_LIMIT_MS };
    const calibration = singleProcess(
      { accounts: 1, regions: calibrationRegions.length, modelsPerUnit: perRegion, violationShare: 0.1 },
      lat,
      { ...settings, perUnitConcurrency: effectiveConcurrency },
    );
    const predictedMs = calibration.wallMs - lat.assumeRole - lat.listAccountsPage; // the home account: no AssumeRole, no ListAccounts
    return { lat, settings, calibration: { realMs, predictedMs, models: real.models.length, effectiveConcurrency } };
  } finally {
    await moto.stop();
  }
}

const seconds = (ms: number) => (ms >= 60_000 ? `${(ms / 60_000).toFixed(1)} min` : `${(ms / 1000).toFixed(1)} s`);

export function printFanOut(result: Awaited<ReturnType<typeof fanOutBench>>): boolean {
  const { lat, settings, calibration } = result;
  const regions = Number(process.env.BENCH_FANOUT_REGIONS ?? 16);
  const modelsPerUnit = Number(process.env.BENCH_FANOUT_MODELS ?? 50);
  const violationShare = 0.05;
  console.log(`\n7. the sweep at organisation scale: simulation from latencies measured on moto (median of ${process.env.BENCH_FANOUT_ROUNDS ?? 30} calls each)`);
  console.log(`   latencies (ms): ${Object.entries(lat).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ')}`);
  const error = (calibration.predictedMs - calibration.realMs) / calibration.realMs;
  console.log(
    `   check: moto serves one request at a time, so a unit's 8 inspections at once ran as ${calibration.effectiveConcurrency.toFixed(2)} (run A, 100 models); with that, the model predicts ${seconds(calibration.predictedMs)} for a real sweep of ${calibration.models} models (2 regions, 10% violating, alerts on) that took ${seconds(calibration.realMs)} (${error >= 0 ? '+' : ''}${(error * 100).toFixed(0)}%)`,
  );
  console.log('   the table assumes AWS, where the 8 run in parallel and workers do not share a server');
  console.log(`   scenario: ${regions} regions, ${modelsPerUnit} models per account and region, ${violationShare * 100}% violating; fan-out: ${settings.workers} workers, cold start ${settings.coldStartMs.toFixed(0)} ms`);
  console.log('   accounts | single process: wall, calls, 15 min?   | fan-out: wall, calls, longest invocation, 15 min? | speed-up');
  for (const accounts of [10, 100, 1000]) {
    const scenario = { accounts, regions, modelsPerUnit, violationShare };
    const single = singleProcess(scenario, lat, settings);
    const fan = fanOut(scenario, lat, settings);
    console.log(
      `   ${String(accounts).padStart(8)} | ${seconds(single.wallMs).padStart(9)} ${String(single.totalCalls).padStart(9)} ${single.withinLimit ? 'fits     ' : 'EXCEEDS  '} | ${seconds(fan.wallMs).padStart(9)} ${String(fan.totalCalls).padStart(9)} ${seconds(fan.longestInvocationMs).padStart(9)} ${fan.withinLimit ? 'fits' : 'EXCEEDS'} | ${(single.wallMs / fan.wallMs).toFixed(1)}x`,
    );
  }
  const maxAccounts = singleProcessMaxAccounts({ regions, modelsPerUnit, violationShare }, lat, settings);
  const maxModels = fanOutMaxModelsPerUnit({ accounts: 1000, regions, violationShare }, lat, settings);
  console.log(`   limits: the single sweep exceeds 15 minutes past ${maxAccounts} accounts; a fan-out worker past ${maxModels.toLocaleString('en')} models in one account and region`);
  // The model must agree with a real sweep within 25% to be worth printing as evidence.
  return Math.abs(error) <= 0.25;
}
