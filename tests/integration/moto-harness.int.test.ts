import {
  AddTagsCommand,
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  UpdateEndpointCommand,
  DeleteModelCommand,
  DescribeModelCommand,
  ListTagsCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetParametersCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { spawn, type ChildProcess } from 'node:child_process';
import { CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { awsClientConfig, MOTO_ACCOUNT, startMoto, type MotoServer } from '../../local-aws/moto.js';

let moto: MotoServer;
let sagemaker: SageMakerClient;
const model = (ModelName: string, EnableNetworkIsolation?: boolean) =>
  new CreateModelCommand({
    ModelName,
    ExecutionRoleArn: `arn:aws:iam::${MOTO_ACCOUNT}:role/SageMakerExecution`,
    PrimaryContainer: { Image: '763104351884.dkr.ecr.eu-west-1.amazonaws.com/pytorch-inference:2.3-cpu-py311' },
    ...(EnableNetworkIsolation === undefined ? {} : { EnableNetworkIsolation }),
  });

beforeAll(async () => {
  moto = await startMoto();
  sagemaker = new SageMakerClient(awsClientConfig(moto.endpoint, 'eu-west-1'));
});
afterAll(async () => {
  sagemaker?.destroy();
  await moto?.stop();
});

describe('the moto harness', () => {
  it('creates a model with the real SDK, reads it back, deletes it', async () => {
    const created = await sagemaker.send(model('harness-model'));
    expect(created.ModelArn).toBe(`arn:aws:sagemaker:eu-west-1:${MOTO_ACCOUNT}:model/harness-model`);
    const described = await sagemaker.send(new DescribeModelCommand({ ModelName: 'harness-model' }));
    expect(described.ModelName).toBe('harness-model');
    expect(described.PrimaryContainer?.Image).toMatch(/pytorch-inference/);
    await sagemaker.send(new DeleteModelCommand({ ModelName: 'harness-model' }));
    await expect(sagemaker.send(new DescribeModelCommand({ ModelName: 'harness-model' }))).rejects.toMatchObject({
      name: 'ValidationException',
    });
  });

  it('keeps EnableNetworkIsolation from CreateModel (patch 1)', async () => {
    await sagemaker.send(model('isolated', true));
    await sagemaker.send(model('not-isolated', false));
    await sagemaker.send(model('omitted'));
    const isolation = async (ModelName: string) =>
      (await sagemaker.send(new DescribeModelCommand({ ModelName }))).EnableNetworkIsolation;
    expect(await isolation('isolated')).toBe(true);
    expect(await isolation('not-isolated')).toBe(false);
    expect(await isolation('omitted')).toBe(false);
  });

  it('answers AddTags on a missing model with a 400 ValidationException, as AWS does (patch 2)', async () => {
    const error = await sagemaker
      .send(new AddTagsCommand({ ResourceArn: `arn:aws:sagemaker:eu-west-1:${MOTO_ACCOUNT}:model/ghost`, Tags: [{ Key: 'k', Value: 'v' }] }))
      .then(() => expect.unreachable('AddTags on a missing model succeeded'))
      .catch((e: unknown) => e as { name: string; $metadata: { httpStatusCode: number }; message: string });
    expect(error).toMatchObject({ name: 'ValidationException', $metadata: { httpStatusCode: 400 } });
    expect(error.message).toMatch(/Could not find model/);
  });

  it('finds a model by its lower-cased ARN and overwrites a tag key instead of repeating it (patches 2 and 3)', async () => {
    const { ModelArn } = await sagemaker.send(model('MixedCase-Model'));
    const arn = ModelArn!.replace('MixedCase-Model', 'mixedcase-model');
    await sagemaker.send(new AddTagsCommand({ ResourceArn: arn, Tags: [{ Key: 'k', Value: 'one' }] }));
    await sagemaker.send(new AddTagsCommand({ ResourceArn: arn, Tags: [{ Key: 'k', Value: 'two' }] }));
    const { Tags } = await sagemaker.send(new ListTagsCommand({ ResourceArn: arn }));
    expect(Tags).toEqual([{ Key: 'k', Value: 'two' }]);
  });

  it('rejects an SSM parameter name with a slash but no leading slash, as AWS does (patch 4)', async () => {
    const ssm = new SSMClient(awsClientConfig(moto.endpoint, 'eu-west-1'));
    await expect(ssm.send(new PutParameterCommand({ Name: 'team/slack', Type: 'SecureString', Value: 'x' }))).rejects.toMatchObject({
      name: 'ValidationException',
      message: 'Parameter name must be a fully qualified name.',
    });
    await ssm.send(new PutParameterCommand({ Name: '/team/slack', Type: 'SecureString', Value: 'x' }));
    await ssm.send(new PutParameterCommand({ Name: 'plain-name', Type: 'SecureString', Value: 'y' }));
    const { Parameters } = await ssm.send(new GetParametersCommand({ Names: ['/team/slack', 'plain-name'], WithDecryption: true }));
    expect(Parameters?.map((p) => p.Value).sort()).toEqual(['x', 'y']);
    await expect(ssm.send(new GetParametersCommand({ Names: ['team/slack'] }))).rejects.toMatchObject({ name: 'ValidationException' });
    ssm.destroy();
  });

  it("refuses a finding under another account's default product or for another AwsAccountId, as Security Hub does (patch 8)", async () => {
    const { BatchImportFindingsCommand, GetFindingsCommand, SecurityHubClient } = await import('@aws-sdk/client-securityhub');
    const { AssumeRoleCommand, STSClient } = await import('@aws-sdk/client-sts');
    const hub = new SecurityHubClient(awsClientConfig(moto.endpoint, 'eu-west-1'));
    const finding = (id: string, account: string, productAccount: string, region = 'eu-west-1') => ({
      SchemaVersion: '2018-10-08',
      Id: id,
      ProductArn: `arn:aws:securityhub:${region}:${productAccount}:product/${productAccount}/default`,
      GeneratorId: 'harness',
      AwsAccountId: account,
      Types: ['Software and Configuration Checks'],
      CreatedAt: '2026-11-01T00:00:00Z',
      UpdatedAt: '2026-11-01T00:00:00Z',
      Severity: { Label: 'HIGH' as const },
      Title: 'harness',
      Description: 'harness',
      Resources: [{ Type: 'Other', Id: `arn:aws:sagemaker:eu-west-1:${account}:model/m` }],
    });
    const member = '444455556666';
    const imported = await hub.send(
      new BatchImportFindingsCommand({
        Findings: [finding('own', MOTO_ACCOUNT, MOTO_ACCOUNT), finding('member', member, MOTO_ACCOUNT), finding('their-product', member, member), finding('other-region', MOTO_ACCOUNT, MOTO_ACCOUNT, 'us-east-1')],
      }),
    );
    expect(imported.SuccessCount).toBe(1);
    expect(imported.FailedCount).toBe(3);
    expect(imported.FailedFindings!.map((f) => [f.Id, f.ErrorCode])).toEqual([
      ['member', 'AccessDeniedException'],
      ['their-product', 'AccessDeniedException'],
      ['other-region', 'AccessDeniedException'],
    ]);
    // The member account, calling as itself (AssumeRole into it), imports its own.
    const { Credentials } = await new STSClient(awsClientConfig(moto.endpoint, 'eu-west-1')).send(
      new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${member}:role/isolation-guard-member`, RoleSessionName: 'harness' }),
    );
    const memberHub = new SecurityHubClient({
      ...awsClientConfig(moto.endpoint, 'eu-west-1'),
      credentials: { accessKeyId: Credentials!.AccessKeyId!, secretAccessKey: Credentials!.SecretAccessKey!, sessionToken: Credentials!.SessionToken! },
    });
    expect((await memberHub.send(new BatchImportFindingsCommand({ Findings: [finding('member', member, member)] }))).SuccessCount).toBe(1);
    expect((await memberHub.send(new GetFindingsCommand({}))).Findings!.map((f) => f.Id)).toEqual(['member']);
    expect((await hub.send(new GetFindingsCommand({}))).Findings!.map((f) => f.Id)).toEqual(['own']);
  });

  it('moves an endpoint to another config with UpdateEndpoint, Updating then InService, as AWS documents (patch 10)', async () => {
    await sagemaker.send(model('served-a'));
    await sagemaker.send(model('served-b', true));
    const variant = (ModelName: string) => ({ VariantName: 'AllTraffic', ModelName, InitialInstanceCount: 1, InstanceType: 'ml.m5.large' as const });
    await sagemaker.send(new CreateEndpointConfigCommand({ EndpointConfigName: 'config-a', ProductionVariants: [variant('served-a')] }));
    await sagemaker.send(
      new CreateEndpointConfigCommand({
        EndpointConfigName: 'config-b',
        ProductionVariants: [variant('served-b')],
        ShadowProductionVariants: [{ ...variant('served-a'), VariantName: 'Shadow' }],
      }),
    );
    expect((await sagemaker.send(new DescribeEndpointConfigCommand({ EndpointConfigName: 'config-b' }))).ShadowProductionVariants).toMatchObject([
      { VariantName: 'Shadow', ModelName: 'served-a' },
    ]);
    await sagemaker.send(new CreateEndpointCommand({ EndpointName: 'served', EndpointConfigName: 'config-a' }));
    const updated = await sagemaker.send(new UpdateEndpointCommand({ EndpointName: 'served', EndpointConfigName: 'config-b', RetainAllVariantProperties: true }));
    expect(updated.EndpointArn).toBe(`arn:aws:sagemaker:eu-west-1:${MOTO_ACCOUNT}:endpoint/served`);
    const during = await sagemaker.send(new DescribeEndpointCommand({ EndpointName: 'served' }));
    expect([during.EndpointStatus, during.EndpointConfigName]).toStrictEqual(['Updating', 'config-b']);
    const after = await sagemaker.send(new DescribeEndpointCommand({ EndpointName: 'served' }));
    expect([after.EndpointStatus, after.EndpointConfigName]).toStrictEqual(['InService', 'config-b']);
    // A config or endpoint that does not exist is a 400 ValidationException naming it.
    await expect(sagemaker.send(new UpdateEndpointCommand({ EndpointName: 'served', EndpointConfigName: 'nope' }))).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('endpoint-config/nope'),
    });
    await expect(sagemaker.send(new UpdateEndpointCommand({ EndpointName: 'ghost', EndpointConfigName: 'config-a' }))).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('endpoint/ghost'),
    });
    // An endpoint still updating cannot be updated again.
    await sagemaker.send(new UpdateEndpointCommand({ EndpointName: 'served', EndpointConfigName: 'config-a' }));
    await expect(sagemaker.send(new UpdateEndpointCommand({ EndpointName: 'served', EndpointConfigName: 'config-b' }))).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('in-progress'),
    });
  });

  it('answers an opt-in region an account has not enabled as AWS does, until account:EnableRegion; ListRegions lists them (patch 9)', async () => {
    const { AccountClient, EnableRegionCommand, ListRegionsCommand } = await import('@aws-sdk/client-account');
    const { ListTopicsCommand, SNSClient } = await import('@aws-sdk/client-sns');
    const { ListModelsCommand } = await import('@aws-sdk/client-sagemaker');
    const capeTown = new SageMakerClient({ ...awsClientConfig(moto.endpoint, 'af-south-1'), maxAttempts: 1 });
    await expect(capeTown.send(new ListModelsCommand({}))).rejects.toMatchObject({ name: 'UnrecognizedClientException', $metadata: { httpStatusCode: 400 } });
    // A query-protocol service answers InvalidClientTokenId (403).
    await expect(new SNSClient({ ...awsClientConfig(moto.endpoint, 'me-south-1'), maxAttempts: 1 }).send(new ListTopicsCommand({}))).rejects.toMatchObject({
      name: 'InvalidClientTokenId',
      $metadata: { httpStatusCode: 403 },
    });
    // Regions enabled by default answer as before.
    await expect(sagemaker.send(new ListModelsCommand({}))).resolves.toBeDefined();
    const account = new AccountClient(awsClientConfig(moto.endpoint, 'us-east-1'));
    const enabled = async () => (await account.send(new ListRegionsCommand({ RegionOptStatusContains: ['ENABLED', 'ENABLED_BY_DEFAULT'] }))).Regions!.map((r) => r.RegionName);
    expect(await enabled()).toContain('eu-west-1');
    expect(await enabled()).not.toContain('af-south-1');
    await account.send(new EnableRegionCommand({ RegionName: 'af-south-1' }));
    expect(await enabled()).toContain('af-south-1');
    await expect(capeTown.send(new ListModelsCommand({}))).resolves.toMatchObject({ Models: [] });
  });

  it('resets to an empty account', async () => {
    await sagemaker.send(model('before-reset'));
    await moto.reset();
    await expect(sagemaker.send(new DescribeModelCommand({ ModelName: 'before-reset' }))).rejects.toMatchObject({ name: 'ValidationException' });
  });
});

/**
 * One server started as the README says (no --exit-with-parent, stdin closed at once, as in a
 * script or CI step), with its threads switching every microsecond instead of every 5 ms: it serves
 * both checks below, for one Python start instead of two.
 */
describe('a moto server started by hand', () => {
  let child: ChildProcess;
  let endpoint: string;
  beforeAll(async () => {
    const port = 20000 + Math.floor(Math.random() * 20000);
    endpoint = `http://127.0.0.1:${port}`;
    child = spawn('python3', ['local-aws/moto_launcher.py', '--host', '127.0.0.1', '--port', String(port)], {
      stdio: ['ignore', 'ignore', 'ignore'],
      env: { ...process.env, ISOLATION_GUARD_MOTO_SWITCH_INTERVAL: '0.000001' },
    });
    for (let i = 0; i < 600; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      if (await fetch(`${endpoint}/moto-api/data.json`).then((r) => r.ok, () => false)) return;
    }
    throw new Error(`the launcher did not answer on ${endpoint} within 60 s`);
  }, 90_000);
  afterAll(() => void child?.kill('SIGTERM'));

  it("runs without a terminal, until stopped (the README's command)", async () => {
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(child.exitCode).toBeNull();
    expect((await fetch(`${endpoint}/moto-api/data.json`)).ok).toBe(true);
  });

  it('writes a DynamoDB item atomically, as AWS does, even when its threads switch every microsecond (patch 6)', async () => {
    // Without the lock, such a server loses about one ADD in five rounds and lets two conditional
    // puts both win about one round in ten: the sweep's unit counter and the step ledger's claims.
    const dynamodb = new DynamoDBClient(awsClientConfig(endpoint, 'eu-west-1'));
    try {
      await dynamodb.send(new CreateTableCommand({ TableName: 'steps', KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }], BillingMode: 'PAY_PER_REQUEST' }));
      const counts: string[] = [];
      const winners: number[] = [];
      for (let round = 0; round < 20; round++) {
        const key = { id: { S: `count-${round}` } };
        await Promise.all(Array.from({ length: 8 }, () => dynamodb.send(new UpdateItemCommand({ TableName: 'steps', Key: key, UpdateExpression: 'ADD filed :one', ExpressionAttributeValues: { ':one': { N: '1' } } }))));
        counts.push((await dynamodb.send(new GetItemCommand({ TableName: 'steps', Key: key }))).Item!.filed!.N!);
        const claims = await Promise.all(
          Array.from({ length: 8 }, () =>
            dynamodb.send(new PutItemCommand({ TableName: 'steps', Item: { id: { S: `claim-${round}` } }, ConditionExpression: 'attribute_not_exists(id)' })).then(() => 1, (error: Error) => {
              if (error.name !== 'ConditionalCheckFailedException') throw error;
              return 0;
            }),
          ),
        );
        winners.push(claims.reduce((a, b) => a + b, 0));
      }
      expect(counts).toEqual(Array(20).fill('8'));
      expect(winners).toEqual(Array(20).fill(1));
    } finally {
      dynamodb.destroy();
    }
  }, 60_000);
});
