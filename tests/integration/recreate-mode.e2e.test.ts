import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  DescribeEndpointCommand,
  DescribeModelCommand,
  ListModelsCommand,
  ListTagsCommand,
} from '@aws-sdk/client-sagemaker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients, type AwsClients } from '../../shared/aws/clients.js';
import { loadConfig } from '../../shared/config.js';
import { createEnforceHandler } from '../../shared/lambda/enforce-handler.js';
import { recordAwsActions, type RecordedAction } from '../../local-aws/aws-action-recorder.js';
import { createModelEvent } from '../../local-aws/cloudtrail-events.js';
import { deployPackagedStack, type DeployedStack } from '../../local-aws/deployed-stack.js';
import { deniedCalls, simulate } from '../../local-aws/iam-simulate.js';
import { lambdaContext } from '../../local-aws/lambda-context.js';
import { createModel, drainQueue, stackEnvironment, stackPhysicalNames } from '../../local-aws/local-stack.js';
import { awsClientConfig, MOTO_ACCOUNT, motoEnvironment, startMoto, type MotoServer } from '../../local-aws/moto.js';
import { packageService, type PackagedService } from '../../local-aws/packaged-template.js';
import { setProcessEnvironment } from '../support/process-environment.js';
import { roleArn, roleStatements, type PhysicalNames } from '../../local-aws/role-grants.js';

// The enforce Lambda's `recreate` mode, through the packaged template deployed into moto: a violating
// model tagged isolation-guard:auto-fix=allowed is recreated with isolation and its endpoint moved,
// once; an untagged one is only alerted on; every call is granted by the role the template gives.

const REGION = 'eu-west-1';
let moto: MotoServer;
let restoreEnvironment: (() => void) | undefined;
let clients: AwsClients;
let packaged: PackagedService;
let stack: DeployedStack;
let names: PhysicalNames;
const calls: RecordedAction[] = [];
const outcomes: Record<string, any> = {};

const sagemaker = () => clients.sagemakerIn(REGION);
const modelNames = async () => ((await sagemaker().send(new ListModelsCommand({}))).Models ?? []).map((m) => m.ModelName).sort();
const tagsOf = async (name: string) =>
  Object.fromEntries(
    ((await sagemaker().send(new ListTagsCommand({ ResourceArn: `arn:aws:sagemaker:${REGION}:${MOTO_ACCOUNT}:model/${name}` }))).Tags ?? []).map((t) => [t.Key, t.Value]),
  );

async function served(model: string) {
  await sagemaker().send(
    new CreateEndpointConfigCommand({
      EndpointConfigName: `${model}-config`,
      ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: model, InitialInstanceCount: 1, InstanceType: 'ml.m5.large' }],
    }),
  );
  await sagemaker().send(new CreateEndpointCommand({ EndpointName: `${model}-endpoint`, EndpointConfigName: `${model}-config` }));
}

beforeAll(async () => {
  moto = await startMoto();
  restoreEnvironment = setProcessEnvironment(motoEnvironment(moto.endpoint, REGION));
  clients = createAwsClients(awsClientConfig(moto.endpoint, REGION));
  packaged = await packageService({ stage: 'recreate', region: REGION, params: { mode: 'recreate' } });
  stack = await deployPackagedStack(clients, packaged, { endpoint: moto.endpoint });
  names = stackPhysicalNames(stack, REGION, stack.evidenceBucket);

  const tags = { 'isolation-guard:auto-fix': 'allowed', team: 'ml' };
  await createModel(clients, REGION, 'auto-open', undefined, tags);
  await served('auto-open');
  await createModel(clients, REGION, 'manual-open', undefined, { team: 'ml' });
  await served('manual-open');

  // The handler as the deployed function builds it, with the deployed function's environment.
  const handler = createEnforceHandler({ config: loadConfig({ env: stackEnvironment(stack) }), clients, secretCacheMs: 0 });
  const auto = createModelEvent({ modelName: 'auto-open', account: MOTO_ACCOUNT, region: REGION, tags });
  const recorder = recordAwsActions({ account: MOTO_ACCOUNT });
  try {
    outcomes.auto = await handler(auto as never, lambdaContext());
    outcomes.manual = await handler(createModelEvent({ modelName: 'manual-open', account: MOTO_ACCOUNT, region: REGION, tags: { team: 'ml' } }) as never, lambdaContext());
    // The same event delivered again: the recreate is in the step ledger, not made twice.
    outcomes.again = await handler(auto as never, lambdaContext());
  } finally {
    recorder.stop();
    calls.push(...recorder.calls);
  }
}, 240_000);

afterAll(async () => {
  restoreEnvironment?.();
  await moto?.stop();
});

describe('enforce in recreate mode, from the packaged template', () => {
  it('the deployed function runs in recreate mode with the auto-fix tag key', () => {
    expect(stack.functionEnvironment).toMatchObject({ ISOLATION_GUARD_MODE: 'recreate', ISOLATION_GUARD_AUTO_FIX_TAG_KEY: 'isolation-guard:auto-fix' });
  });

  it('recreates a violating model tagged auto-fix=allowed with isolation, moves its endpoint, and alerts with what was done', async () => {
    expect(outcomes.auto.handled).toMatchObject({ decision: { verdict: 'violation' }, action: { kind: 'recreate', status: 'done' }, channels: { sns: 'sent' } });
    expect(outcomes.auto.handled.action.detail).toContain('Recreated as auto-open-isolated with network isolation; endpoint(s) auto-open-endpoint now serve it');
    expect((await sagemaker().send(new DescribeModelCommand({ ModelName: 'auto-open-isolated' }))).EnableNetworkIsolation).toBe(true);
    expect(await tagsOf('auto-open-isolated')).toStrictEqual({ 'isolation-guard:auto-fix': 'allowed', team: 'ml', 'isolation-guard:replaces': 'auto-open' });
    expect(await tagsOf('auto-open')).toMatchObject({ 'isolation-guard:replaced-by': 'auto-open-isolated' });
    expect((await sagemaker().send(new DescribeEndpointCommand({ EndpointName: 'auto-open-endpoint' }))).EndpointConfigName).toBe('auto-open-config-isolated');
    const alerts = (await drainQueue(clients.sqs, stack.alertQueueUrl)).map((m) => JSON.parse(m.Message as string));
    const alert = alerts.find((a) => JSON.stringify(a).includes('"auto-open"'));
    expect(JSON.stringify(alert)).toContain('Recreated as auto-open-isolated');
    expect(alerts.some((a) => JSON.stringify(a).includes('manual-open'))).toBe(true);
  });

  it('only alerts on a model without the tag, and does not recreate twice when the event comes again', async () => {
    expect(outcomes.manual.handled).toMatchObject({ action: { kind: 'none', status: 'not-needed' }, channels: { sns: 'sent' } });
    expect(outcomes.manual.handled.action.detail).toContain('no tag isolation-guard:auto-fix=allowed');
    expect(await modelNames()).toStrictEqual(['auto-open', 'auto-open-isolated', 'manual-open']);
    expect(outcomes.again.handled.action).toMatchObject({ kind: 'recreate', status: 'already-done' });
    expect(calls.filter((c) => c.action === 'sagemaker:CreateModel')).toHaveLength(1);
    expect(calls.filter((c) => c.action === 'sagemaker:UpdateEndpoint')).toHaveLength(1);
  });

  it("every call is granted by the enforce role; CreateModel only for an isolated model carrying the auto-fix tag", async () => {
    const statements = roleStatements(packaged.template, 'EnforceRole', names);
    const role = { arn: roleArn(packaged.template, 'EnforceRole', names), statements };
    const made = [...new Map(calls.map((c) => [`${c.action} ${c.resource}`, c])).values()];
    expect(made.map((c) => c.action)).toEqual(expect.arrayContaining(['sagemaker:CreateModel', 'iam:PassRole', 'sagemaker:CreateEndpointConfig', 'sagemaker:UpdateEndpoint']));
    expect(await deniedCalls(role, made)).toEqual([]);
    const create = statements.find((s) => s.Sid === 'CreateIsolatedModels')!;
    expect(create.Condition).toStrictEqual({ Bool: { 'sagemaker:NetworkIsolation': 'true' }, StringEquals: { 'aws:RequestTag/isolation-guard:auto-fix': 'allowed' } });
    const createModel = (context: Record<string, string>) =>
      simulate({ principal: role.arn, action: 'sagemaker:CreateModel', resource: `arn:aws:sagemaker:${REGION}:${MOTO_ACCOUNT}:model/other`, identityPolicies: [{ Version: '2012-10-17', Statement: statements }], context });
    const request = { 'sagemaker:NetworkIsolation': 'true', 'aws:RequestTag/isolation-guard:auto-fix': 'allowed' };
    expect(await createModel(request)).toBe('Allowed');
    expect(await createModel({ ...request, 'sagemaker:NetworkIsolation': 'false' })).not.toBe('Allowed');
    expect(await createModel({ 'sagemaker:NetworkIsolation': 'true' })).not.toBe('Allowed');
    expect(statements.find((s) => s.Sid === 'PassExecutionRole')).toMatchObject({
      Action: 'iam:PassRole',
      Resource: `arn:aws:iam::${MOTO_ACCOUNT}:role/*`,
      Condition: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
    });
  });

});
