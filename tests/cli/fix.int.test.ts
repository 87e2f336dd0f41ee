import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeModelCommand,
  ListEndpointConfigsCommand,
  ListModelsCommand,
  ListTagsCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients } from '../../shared/aws/clients.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, runCliInProcess } from '../support/cli.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { recordAwsActions, type RecordedAction } from '../../local-aws/aws-action-recorder.js';
import { deniedCalls } from '../../local-aws/iam-simulate.js';
import { servicePolicies } from '../../shared/policy/service-policies.js';
import { awsClientConfig, MOTO_ACCOUNT, motoEnvironment, startMoto, type MotoServer } from '../../local-aws/moto.js';

// `isolation-guard fix` against the local AWS: the plan, apply, --delete-old, the IaC refusal,
// a model already isolated, a model that does not exist, and a step that fails (exit 3).

const REGION = 'eu-west-1';
const ROLE = `arn:aws:iam::${MOTO_ACCOUNT}:role/SageMakerExecution`;
let moto: MotoServer;
let proxy: FaultProxy;
let env: NodeJS.ProcessEnv;
let sagemaker: SageMakerClient;

async function model(name: string, options: { isolation?: boolean; tags?: Record<string, string>; environment?: Record<string, string> } = {}) {
  await sagemaker.send(
    new CreateModelCommand({
      ModelName: name,
      ExecutionRoleArn: ROLE,
      PrimaryContainer: { Image: '763104351884.dkr.ecr.eu-west-1.amazonaws.com/pytorch-inference:2.3-cpu-py311', ModelDataUrl: `s3://models/${name}.tar.gz`, Environment: options.environment ?? { SAGEMAKER_PROGRAM: 'inference.py' } },
      VpcConfig: { SecurityGroupIds: ['sg-0123456789abcdef0'], Subnets: ['subnet-0123456789abcdef0'] },
      ...(options.isolation === undefined ? {} : { EnableNetworkIsolation: options.isolation }),
      Tags: Object.entries(options.tags ?? {}).map(([Key, Value]) => ({ Key, Value })),
    }),
  );
}

async function serve(config: string, endpoints: string[], models: string[]) {
  await sagemaker.send(
    new CreateEndpointConfigCommand({
      EndpointConfigName: config,
      ProductionVariants: models.map((ModelName, i) => ({ VariantName: `v${i}`, ModelName, InitialInstanceCount: 1, InstanceType: 'ml.m5.large', InitialVariantWeight: 1 })),
    }),
  );
  for (const EndpointName of endpoints) await sagemaker.send(new CreateEndpointCommand({ EndpointName, EndpointConfigName: config }));
}

const modelNames = async () => ((await sagemaker.send(new ListModelsCommand({}))).Models ?? []).map((m) => m.ModelName).sort();
const configNames = async () => ((await sagemaker.send(new ListEndpointConfigsCommand({}))).EndpointConfigs ?? []).map((c) => c.EndpointConfigName).sort();
const endpointConfig = async (EndpointName: string) => (await sagemaker.send(new DescribeEndpointCommand({ EndpointName }))).EndpointConfigName;
const tagsOf = async (name: string) =>
  Object.fromEntries(
    ((await sagemaker.send(new ListTagsCommand({ ResourceArn: `arn:aws:sagemaker:${REGION}:${MOTO_ACCOUNT}:model/${name}` }))).Tags ?? []).map((t) => [t.Key, t.Value]),
  );
/** Every AWS call the `fix` runs made: `policy iam`'s fix policy must grant them (moto enforces no IAM). */
const fixCalls: RecordedAction[] = [];
async function fix(...args: string[]) {
  const recorder = recordAwsActions({ account: MOTO_ACCOUNT });
  try {
    return await runCliInProcess(['fix', ...args, '--region', REGION], { env });
  } finally {
    recorder.stop();
    fixCalls.push(...recorder.distinct());
  }
}

beforeAll(async () => {
  moto = await startMoto();
  proxy = await startFaultProxy(moto.endpoint);
  env = motoEnvironment(proxy.endpoint, REGION);
  sagemaker = createAwsClients(awsClientConfig(moto.endpoint, REGION)).sagemakerIn(REGION);
  await model('scorer', { tags: { team: 'ml', [`isolation-guard:quarantine`]: 'network-isolation-disabled' }, environment: { HF_MODEL_ID: 'bert-base-uncased' } });
  await model('other');
  await serve('scorer-config', ['scorer-endpoint'], ['scorer', 'other']);
  await serve('other-config', ['other-endpoint'], ['other']);
});
afterAll(async () => {
  await proxy?.close();
  await moto?.stop();
});

describe('isolation-guard fix', () => {
  it('without --apply prints the plan, names the model, configs, endpoints and steps, and changes nothing (exit 0)', async () => {
    const before = await modelNames();
    const result = await fix('scorer');
    expect(result.code).toBe(0);
    const out = result.stdout;
    expect(out).toContain(`Fix for model scorer (${REGION}, account ${MOTO_ACCOUNT})`);
    expect(out).toContain('Old model:  scorer (no network isolation');
    expect(out).toContain('New model:  scorer-isolated (EnableNetworkIsolation=true)');
    expect(out).toContain('Endpoint configs naming scorer: scorer-config\n');
    expect(out).toContain('Endpoints on them: scorer-endpoint (InService, on scorer-config)\n');
    // The container downloads from a hub at start: said plainly.
    expect(out).toMatch(/Warning: The model's environment names a hub or URL \(HF_MODEL_ID\)/);
    const steps = out.split('\n').filter((line) => /^ {4}\d+\. /.test(line)).map((line) => line.trim().replace(/:.*/, ''));
    expect(steps).toStrictEqual([
      '1. CreateModel scorer-isolated',
      '2. CreateEndpointConfig scorer-config-isolated',
      '3. UpdateEndpoint scorer-endpoint',
      '4. AddTags scorer',
    ]);
    expect(out).toContain('Nothing was changed: run again with --apply');
    // The README's "Fixing a model" shows this very plan.
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Fixing a model'));
    expect(section.slice(section.indexOf('```text\n') + 8, section.indexOf('```', section.indexOf('```text\n') + 8))).toBe(out);
    expect(await modelNames()).toStrictEqual(before);
    expect(await configNames()).toStrictEqual(['other-config', 'scorer-config']);
    expect(await endpointConfig('scorer-endpoint')).toBe('scorer-config');
    expect(proxy.calls.get('CreateModel') ?? 0).toBe(0);

    const json = await fix('scorer', '--format', 'json');
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({
      model: 'scorer',
      status: 'ready',
      newModel: 'scorer-isolated',
      endpointConfigs: ['scorer-config'],
      endpoints: [{ name: 'scorer-endpoint', status: 'InService', from: 'scorer-config', to: 'scorer-config-isolated' }],
      applied: false,
    });
  });

  it('with --apply creates the isolated copy, moves the endpoint onto a copied config, waits for InService and keeps the old model (exit 0)', async () => {
    const result = await fix('scorer', '--apply');
    expect(result.stderr).toContain('scorer-endpoint: Updating');
    expect(result.stderr).toContain('scorer-endpoint: InService');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Done: every endpoint serves scorer-isolated.');

    const created = await sagemaker.send(new DescribeModelCommand({ ModelName: 'scorer-isolated' }));
    const old = await sagemaker.send(new DescribeModelCommand({ ModelName: 'scorer' }));
    expect(created.EnableNetworkIsolation).toBe(true);
    expect(created.PrimaryContainer).toStrictEqual(old.PrimaryContainer);
    expect(created.ExecutionRoleArn).toBe(ROLE);
    expect(created.VpcConfig).toStrictEqual(old.VpcConfig);
    // Its tags, less the quarantine, plus the model it replaces; the old one says it was replaced.
    expect(await tagsOf('scorer-isolated')).toStrictEqual({ team: 'ml', 'isolation-guard:replaces': 'scorer' });
    expect(await tagsOf('scorer')).toMatchObject({ 'isolation-guard:replaced-by': 'scorer-isolated' });

    expect(await endpointConfig('scorer-endpoint')).toBe('scorer-config-isolated');
    const copy = await sagemaker.send(new DescribeEndpointConfigCommand({ EndpointConfigName: 'scorer-config-isolated' }));
    expect(copy.ProductionVariants?.map((v) => [v.VariantName, v.ModelName, v.InstanceType])).toStrictEqual([
      ['v0', 'scorer-isolated', 'ml.m5.large'],
      ['v1', 'other', 'ml.m5.large'],
    ]);
    // The old model and config stay without --delete-old; the other endpoint is untouched.
    expect(await modelNames()).toStrictEqual(['other', 'scorer', 'scorer-isolated']);
    expect(await configNames()).toContain('scorer-config');
    expect(await endpointConfig('other-endpoint')).toBe('other-config');

    // Run again: every endpoint serves the replacement; nothing is made twice.
    const again = await fix('scorer', '--apply');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Use scorer-isolated, the isolated replacement a previous run created');
    expect(again.stdout).toContain('Endpoints on them: none');
  });

  it("the sweep's inventory counts the replaced model as fixed, apart from one only quarantined", async () => {
    await model('held', { tags: { 'isolation-guard:quarantine': 'network-isolation-disabled' } });
    const result = await runCliInProcess(['sweep', '--regions', REGION, '--format', 'json'], { env });
    const inventory = JSON.parse(result.stdout);
    const row = (name: string) => inventory.models.find((m: { modelName: string }) => m.modelName === name);
    expect(row('scorer')).toMatchObject({ verdict: 'violation', quarantined: true, fixed: true });
    expect(row('held')).toMatchObject({ verdict: 'violation', quarantined: true, fixed: false });
    expect(row('other')).toMatchObject({ quarantined: false, fixed: false });
    expect(inventory.summary).toMatchObject({ fixed: 1, quarantined: 1 });
    expect(result.stderr).toContain('1 fixed, 1 quarantined');
    const md = (await runCliInProcess(['sweep', '--regions', REGION, '--format', 'md'], { env })).stdout;
    expect(md).toContain('fixed: 1; quarantined (still without isolation): 1;');
  });

  it('with --delete-old deletes the old model and the configs no endpoint uses once every endpoint moved', async () => {
    await model('ranker');
    await serve('ranker-config', ['ranker-a', 'ranker-b'], ['ranker']);
    await serve('ranker-unused', [], ['ranker']);
    const result = await fix('ranker', '--apply', '--delete-old');
    expect(result.code).toBe(0);
    expect(await modelNames()).not.toContain('ranker');
    expect(await modelNames()).toContain('ranker-isolated');
    expect(await endpointConfig('ranker-a')).toBe('ranker-config-isolated');
    expect(await endpointConfig('ranker-b')).toBe('ranker-config-isolated');
    const configs = await configNames();
    expect(configs).toContain('ranker-config-isolated');
    expect(configs).not.toContain('ranker-config');
    expect(configs).not.toContain('ranker-unused');
    // One copy for the two endpoints on one config.
    expect(proxy.calls.get('CreateEndpointConfig')).toBe(2);
  });

  it('refuses a model that infrastructure as code manages, printing the template change, unless --force (exit 2)', async () => {
    await model('stacked', { tags: { 'aws:cloudformation:stack-name': 'ml-prod' } });
    await model('terraformed', { tags: { 'managed-by': 'terraform' } });
    const cfn = await fix('stacked', '--apply');
    expect(cfn.code).toBe(2);
    expect(cfn.stdout).toContain('CloudFormation stack ml-prod manages this model');
    expect(cfn.stdout).toContain('Change to make in the template: CloudFormation: set `EnableNetworkIsolation: true` on the `AWS::SageMaker::Model` resource');
    expect(cfn.stderr).toMatch(/model stacked: Not fixed/);
    const tf = await fix('terraformed', '--apply', '--iac-tag-keys', 'managed-by');
    expect(tf.code).toBe(2);
    expect(tf.stdout).toContain('Terraform: set `enable_network_isolation = true` on the `aws_sagemaker_model` resource');
    expect(await modelNames()).not.toContain('stacked-isolated');
    expect(await modelNames()).not.toContain('terraformed-isolated');

    const forced = await fix('stacked', '--apply', '--force');
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain('Warning: --force: CloudFormation stack ml-prod manages this model');
    expect(await modelNames()).toContain('stacked-isolated');
  });

  it('says there is nothing to do for a model that already has isolation (exit 0)', async () => {
    await model('already', { isolation: true });
    const result = await fix('already', '--apply');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('already already has network isolation: nothing to do.');
    expect(await modelNames()).not.toContain('already-isolated');
  });

  it('names a model that does not exist (exit 2), and bad input', async () => {
    const result = await fix('ghost-model');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`model ghost-model: no such model in ${REGION}`);
    expect((await runCliInProcess(['fix', 'bad_name!'], { env })).stderr).toContain('MODEL_NAME: not a SageMaker model name');
    expect((await runCliInProcess(['fix'], { env })).code).toBe(2);
    expect((await fix('x', '--account', '210987654321')).stderr).toContain('--account: needs --member-role-name');
  });

  it('fixes a model of another account of the organisation through the member role (--account)', async () => {
    const member = '210987654321';
    const sts = new STSClient(awsClientConfig(moto.endpoint, REGION));
    const { Credentials } = await sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${member}:role/Admin`, RoleSessionName: 'setup' }));
    const there = new SageMakerClient({
      ...awsClientConfig(moto.endpoint, REGION),
      credentials: { accessKeyId: Credentials!.AccessKeyId!, secretAccessKey: Credentials!.SecretAccessKey!, sessionToken: Credentials!.SessionToken! },
    });
    await there.send(new CreateModelCommand({ ModelName: 'far-model', ExecutionRoleArn: `arn:aws:iam::${member}:role/SageMakerExecution`, PrimaryContainer: { Image: 'img' } }));
    const result = await fix('far-model', '--account', member, '--member-role-name', 'isolation-guard-member', '--apply');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Fix for model far-model (${REGION}, account ${member})`);
    expect((await there.send(new DescribeModelCommand({ ModelName: 'far-model-isolated' }))).EnableNetworkIsolation).toBe(true);
    // Not in the home account.
    expect(await modelNames()).not.toContain('far-model-isolated');
  });

  it('reports a step that failed and what was and was not done (exit 3)', async () => {
    await model('denied');
    await serve('denied-config', ['denied-endpoint'], ['denied']);
    proxy.fault('UpdateEndpoint', { accessDenied: true, bodyIncludes: 'denied-endpoint' });
    try {
      const result = await fix('denied', '--apply');
      expect(result.code).toBe(3);
      const lines = result.stdout.split('\n').filter((line) => /^ {4}\d+\. /.test(line)).map((line) => line.trim());
      expect(lines[0]).toMatch(/^1\. \[done\] CreateModel denied-isolated/);
      expect(lines[1]).toMatch(/^2\. \[done\] CreateEndpointConfig denied-config-isolated/);
      expect(lines[2]).toMatch(/^3\. \[FAILED\] UpdateEndpoint denied-endpoint: .*AccessDenied/);
      expect(lines[3]).toMatch(/^4\. \[not done\] AddTags denied: .*1 of 1 endpoint\(s\) did not move/);
      expect(await endpointConfig('denied-endpoint')).toBe('denied-config');
      expect(await tagsOf('denied')).not.toHaveProperty('isolation-guard:replaced-by');
    } finally {
      proxy.clearFaults();
    }
  });
  it("every call the fix runs made is granted by the fix policy `isolation-guard policy iam --delete-mode` prints", async () => {
    // The member account's calls go through its member role (templates/member-account.yml), not this
    // policy; GetCallerIdentity needs no permission.
    const made = [...new Map(fixCalls.map((c) => [`${c.action} ${c.resource}`, c])).values()].filter(
      (c) => !c.resource.includes(':210987654321:') && c.action !== 'sts:GetCallerIdentity',
    );
    expect(made.map((c) => c.action)).toEqual(
      expect.arrayContaining(['sagemaker:CreateModel', 'iam:PassRole', 'sagemaker:UpdateEndpoint', 'sagemaker:DeleteModel', 'sagemaker:DeleteEndpointConfig']),
    );
    const caller = `arn:aws:iam::${MOTO_ACCOUNT}:role/isolation-guard-fix`;
    const { fix: policy } = servicePolicies({ deleteMode: true, account: MOTO_ACCOUNT, region: REGION, memberRoleName: 'isolation-guard-member' });
    expect(await deniedCalls({ arn: caller, statements: policy.Statement }, made)).toEqual([]);
    // Without --delete-mode, nothing is deleted.
    const { fix: noDelete } = servicePolicies({ deleteMode: false, account: MOTO_ACCOUNT, region: REGION, memberRoleName: 'isolation-guard-member' });
    expect((await deniedCalls({ arn: caller, statements: noDelete.Statement }, made)).map((c) => c.action).sort()).toEqual([
      'sagemaker:DeleteEndpointConfig',
      'sagemaker:DeleteEndpointConfig',
      'sagemaker:DeleteModel',
    ]);
  });

});
