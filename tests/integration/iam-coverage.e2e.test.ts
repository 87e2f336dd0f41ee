import { join } from 'node:path';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cfnLint } from '../support/cfn-lint.js';
import { createAwsClients, type AwsClients } from '../../shared/aws/clients.js';
import { loadConfig } from '../../shared/config.js';
import { createEnforceHandler } from '../../shared/lambda/enforce-handler.js';
import { createSweepHandler } from '../../shared/lambda/sweep-handler.js';
import { createHistoryHandler } from '../../shared/lambda/history-handler.js';
import { createModelRecord, gzipRecords, logFileKey } from '../support/archive-generator.js';
import { servicePolicies } from '../../shared/policy/service-policies.js';
import { recordAwsActions, type RecordedAction } from '../../local-aws/aws-action-recorder.js';
import { createModelEvent } from '../../local-aws/cloudtrail-events.js';
import { lambdaContext } from '../../local-aws/lambda-context.js';
import { createLocalStack, createModel, stackEnvironment, type LocalStack, stackPhysicalNames } from '../../local-aws/local-stack.js';
import { awsClientConfig, MOTO_ACCOUNT, motoEnvironment, startMoto, type MotoServer } from '../../local-aws/moto.js';
import { setProcessEnvironment } from '../support/process-environment.js';
import { disposePackagedServices, packageService, ruleEventPattern, type PackagedService } from '../../local-aws/packaged-template.js';
import { resolveIntrinsics, roleArn, roleStatements, type PhysicalNames, type Statement } from '../../local-aws/role-grants.js';
import { deniedCalls } from '../../local-aws/iam-simulate.js';
import { startWebhookListener } from '../../local-aws/webhook-listener.js';

/**
 * moto does not enforce IAM, so a call the deployed role would deny passes every other test. Here
 * every AWS call the functions make (recorded by an SDK middleware) must be allowed, as AWS
 * evaluates policies (iam-simulate, local-aws/iam-simulate.ts), by the function's role in the
 * packaged template, and by the policy `isolation-guard policy iam` prints.
 */
const REGION = 'eu-west-1';
const SLACK_PARAMETER = 'guard/slack-webhook';
const BUCKET = 'guard-evidence';
const TRAIL = 'guard-trail';
let moto: MotoServer;
let restoreEnvironment: (() => void) | undefined;
let clients: AwsClients;
let stack: LocalStack;
let packaged: PackagedService;
let slack: Awaited<ReturnType<typeof startWebhookListener>>;
let names: PhysicalNames;
const seen: Record<'enforce' | 'sweep' | 'history', RecordedAction[]> = { enforce: [], sweep: [], history: [] };

async function recording(into: RecordedAction[], run: () => Promise<unknown>) {
  const recorder = recordAwsActions({ account: MOTO_ACCOUNT });
  try {
    await run();
  } finally {
    recorder.stop();
    into.push(...recorder.distinct());
  }
}

beforeAll(async () => {
  moto = await startMoto();
  restoreEnvironment = setProcessEnvironment(motoEnvironment(moto.endpoint, REGION));
  clients = createAwsClients(awsClientConfig(moto.endpoint, REGION));
  slack = await startWebhookListener();
  // Delete mode and Slack: the widest grants the roles can have.
  packaged = await packageService({
    stage: 'iam',
    region: REGION,
    params: { mode: 'delete', slackWebhookParameter: SLACK_PARAMETER, evidenceObjectLock: 'governance', auditSource: `s3://${TRAIL}` },
  });
  stack = await createLocalStack(clients, { region: REGION, rulePattern: ruleEventPattern(packaged.template), slackWebhookUrl: slack.url, endpoint: moto.endpoint });
  await clients.s3.send(new CreateBucketCommand({ Bucket: BUCKET, CreateBucketConfiguration: { LocationConstraint: REGION } }));
  names = stackPhysicalNames(stack, REGION, BUCKET);

  // The functions as deployed: delete mode, every channel, the ledger; findings on the default bus.
  const env = stackEnvironment(stack, {
    ISOLATION_GUARD_MODE: 'delete',
    ISOLATION_GUARD_FINDING_BUS_NAME: 'default',
    ISOLATION_GUARD_SLACK_WEBHOOK_PARAMETER: SLACK_PARAMETER,
    ISOLATION_GUARD_EVIDENCE_BUCKET: BUCKET,
    ISOLATION_GUARD_REGIONS: REGION,
  });
  const config = loadConfig({ env });
  await createModel(clients, REGION, 'iam-open');
  await createModel(clients, REGION, 'iam-stack', undefined, { 'aws:cloudformation:stack-name': 'ml' });
  const enforce = createEnforceHandler({ config, clients, secretCacheMs: 0 });
  const event = (modelName: string, tags?: Record<string, string>) => createModelEvent({ modelName, account: MOTO_ACCOUNT, region: REGION, tags });
  await recording(seen.enforce, async () => {
    await enforce(event('iam-open') as never, lambdaContext());
    await enforce(event('iam-stack', { 'aws:cloudformation:stack-name': 'ml' }) as never, lambdaContext());
  });
  await createModel(clients, REGION, 'iam-sweep-open');
  await createModel(clients, REGION, 'iam-sweep-isolated', true);
  const sweep = createSweepHandler({ config, clients });
  await recording(seen.sweep, () => sweep({}, lambdaContext()));

  // The history function over the trail's archive: one log file with one CreateModel call.
  await clients.s3.send(new CreateBucketCommand({ Bucket: TRAIL, CreateBucketConfiguration: { LocationConstraint: REGION } }));
  const time = '2026-10-07T10:00:00Z';
  await clients.s3.send(
    new PutObjectCommand({
      Bucket: TRAIL,
      Key: logFileKey({ account: MOTO_ACCOUNT, region: REGION, day: '2026/10/07', time }),
      Body: gzipRecords([createModelRecord({ account: MOTO_ACCOUNT, region: REGION, time, modelName: 'iam-open' })]),
    }),
  );
  const history = createHistoryHandler({ config: loadConfig({ env: { ...env, ISOLATION_GUARD_AUDIT_SOURCE: `s3://${TRAIL}` } }), clients });
  await recording(seen.history, () => history({ from: '2026-10-01', to: '2026-10-31' }, lambdaContext()));
}, 240_000);

afterAll(async () => {
  restoreEnvironment?.();
  await slack?.close();
  await moto?.stop();
  disposePackagedServices();
});

const role = (id: string, statements = roleStatements(packaged.template, id, names)) => ({ arn: roleArn(packaged.template, id, names), statements });
const actionsOf = (calls: RecordedAction[]) => [...new Set(calls.map((c) => c.action))].sort();

describe('every AWS call a function makes is granted to it', () => {
  it('the enforce run exercised the Slack read, the ledger, SNS, findings, tagging and deletion', () => {
    expect(actionsOf(seen.enforce)).toEqual(
      expect.arrayContaining([
        'ssm:GetParameters',
        'sagemaker:DescribeModel',
        'sagemaker:AddTags',
        'sagemaker:DeleteModel',
        'sns:Publish',
        'events:PutEvents',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
      ]),
    );
    expect(slack.received.length).toBeGreaterThan(0);
  });

  it('by the enforce role of the packaged template', async () => {
    expect(await deniedCalls(role('EnforceRole'), seen.enforce)).toEqual([]);
  });

  it('by the sweep role of the packaged template', async () => {
    expect(actionsOf(seen.sweep)).toEqual(expect.arrayContaining(['sagemaker:ListModels', 'sagemaker:ListTags', 's3:PutObject', 'sns:Publish']));
    expect(await deniedCalls(role('SweepRole'), seen.sweep)).toEqual([]);
  });

  it('by the history role of the packaged template', async () => {
    expect(actionsOf(seen.history)).toEqual(expect.arrayContaining(['s3:ListBucket', 's3:GetObject', 's3:PutObject', 'sagemaker:DescribeModel', 'sns:Publish']));
    expect(await deniedCalls(role('HistoryRole'), seen.history)).toEqual([]);
  });

  it('the checker itself: a listing outside the prefixes a role names is caught (the history role without ListPipelineRuns)', async () => {
    const statements = roleStatements(packaged.template, 'HistoryRole', names).filter((s) => s.Sid !== 'ListPipelineRuns');
    expect((await deniedCalls(role('HistoryRole', statements), seen.history)).map((c) => `${c.action} ${c.prefix}`)).toEqual(['s3:ListBucket pipeline/']);
  });

  it('by the policies `isolation-guard policy iam` prints', async () => {
    const placeholders: Record<string, string> = {
      '<ALERT_TOPIC>': stack.topicArn.split(':').pop()!,
      '<LEDGER_TABLE>': stack.tableName,
      '<SLACK_PARAMETER>': SLACK_PARAMETER,
      '<EVIDENCE_BUCKET>': BUCKET,
      '<DEAD_LETTER_QUEUE>': 'guard-dead-letters',
      '<TRAIL_BUCKET>': TRAIL,
    };
    const policies = JSON.parse(
      JSON.stringify(servicePolicies({ deleteMode: true, account: MOTO_ACCOUNT, region: REGION })).replace(/<[A-Z_]+>/g, (p) => placeholders[p] ?? p),
    ) as Record<'enforce' | 'sweep' | 'audit', { Statement: Statement[] }>;
    const caller = `arn:aws:iam::${MOTO_ACCOUNT}:role/cli`;
    expect(await deniedCalls({ arn: caller, statements: policies.enforce.Statement }, seen.enforce)).toEqual([]);
    expect(await deniedCalls({ arn: caller, statements: policies.sweep.Statement }, seen.sweep)).toEqual([]);
    // `isolation-guard audit --evidence-bucket` reads what the history function reads; it writes
    // its report locally and announces nothing.
    const auditCalls = seen.history.filter((c) => c.action !== 's3:PutObject' && c.action !== 'sns:Publish');
    expect(auditCalls.length).toBeGreaterThan(0);
    expect(await deniedCalls({ arn: caller, statements: policies.audit.Statement }, auditCalls)).toEqual([]);
  });

  it('cfn-lint finds no error in the packaged templates (AWS\'s resource specifications)', async () => {
    const templates = ['cloudformation-template-create-stack.json', 'cloudformation-template-update-stack.json'].map((file) => join(packaged.dir, file));
    const errors = (await cfnLint(templates, [REGION])).filter((m) => m.Level === 'Error').map((m) => `${m.Rule.Id} ${m.Message}`);
    expect(errors).toEqual([]);
  }, 180_000);

  it('the checker itself: the role before the fix (ssm:GetParameter) would have been caught', async () => {
    const statements = roleStatements(packaged.template, 'EnforceRole', names).map((s) =>
      s.Sid === 'ReadSlackWebhook' ? { ...s, Action: 'ssm:GetParameter' } : s,
    );
    expect((await deniedCalls(role('EnforceRole', statements), seen.enforce)).map((c) => c.action)).toEqual(['ssm:GetParameters']);
  });
});

describe('the evidence bucket', () => {
  it('refuses requests not made over TLS, and locks evidence when evidenceObjectLock asks', () => {
    const policy = packaged.template.Resources.EvidenceBucketPolicy!.Properties!;
    expect(policy.PolicyDocument.Statement).toEqual([
      expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': false } } }),
    ]);
    const bucket = resolveIntrinsics(packaged.template.Resources.EvidenceBucket!.Properties, packaged.template, names) as Record<string, any>;
    expect(bucket.ObjectLockEnabled).toBe(true);
    expect(bucket.ObjectLockConfiguration.ObjectLockEnabled).toBe('Enabled');
    expect(bucket.ObjectLockConfiguration.Rule.DefaultRetention.Mode).toBe('GOVERNANCE');
    expect(Number(bucket.ObjectLockConfiguration.Rule.DefaultRetention.Days)).toBe(365);
  });
});
