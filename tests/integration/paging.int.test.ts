import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateModelCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { CreateAccountCommand, CreateOrganizationCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { organizationAccounts } from '../../shared/aws/accounts.js';
import { latestInventorySnapshot } from '../../shared/audit/latest-inventory.js';
import { describeModel, listModels } from '../../shared/aws/sagemaker-models.js';
import { RecordValidationError } from '../../shared/errors.js';
import { recordAwsActions, type ActionRecorder } from '../../local-aws/aws-action-recorder.js';
import { awsClientConfig, MOTO_ACCOUNT, startMoto, type MotoServer } from '../../local-aws/moto.js';

/**
 * Every listing the service pages through reaches a second page here. moto answers these lists in
 * one page at the default sizes, so a middleware on the test's client makes the pages small:
 * a page size of one where moto honours it (ListTags MaxResults, ListObjectsV2 MaxKeys,
 * ListAccounts MaxResults), and for ListModels (which moto does not page) a stubbed split of
 * moto's answer into two pages joined by a next token. Each test records the tokens the code sent.
 */
interface Calls {
  /** The paging token of every call of the command, in order (undefined: the first page). */
  tokens: Array<string | undefined>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the SDK's overloaded middleware types
type Stack = { add: (...args: any[]) => void };

/** Sets `sizeKey` to 1 on every call of `command`, and records the `tokenKey` each call sends. */
function onePerPage(client: { middlewareStack: Stack }, command: string, sizeKey: string, tokenKey: string): Calls {
  const calls: Calls = { tokens: [] };
  client.middlewareStack.add(
    (next: (args: { input: Record<string, unknown> }) => Promise<unknown>, context: { commandName?: string }) =>
      async (args: { input: Record<string, unknown> }) => {
        if (context.commandName === command) {
          calls.tokens.push(args.input[tokenKey] as string | undefined);
          args.input[sizeKey] = 1;
        }
        return next(args);
      },
    { step: 'initialize', name: `testOnePerPage${command}` },
  );
  return calls;
}

const SECOND_PAGE = 'stub-second-page';

/** ListModels in two pages: the first model of moto's answer, then (for the stub token) the rest. */
function listModelsInTwoPages(client: { middlewareStack: Stack }): Calls {
  const calls: Calls = { tokens: [] };
  client.middlewareStack.add(
    (next: (args: { input: Record<string, unknown> }) => Promise<{ output: { Models?: unknown[]; NextToken?: string } }>, context: { commandName?: string }) =>
      async (args: { input: Record<string, unknown> }) => {
        if (context.commandName !== 'ListModelsCommand') return next(args);
        const token = args.input.NextToken as string | undefined;
        calls.tokens.push(token);
        if (token !== undefined && token !== SECOND_PAGE) throw new Error(`unexpected token ${token}`);
        const { NextToken: _sent, ...input } = args.input;
        const result = await next({ ...args, input });
        const models = result.output.Models ?? [];
        result.output.Models = token === SECOND_PAGE ? models.slice(1) : models.slice(0, 1);
        if (token === undefined) result.output.NextToken = SECOND_PAGE;
        return result;
      },
    { step: 'initialize', name: 'testListModelsInTwoPages' },
  );
  return calls;
}

let moto: MotoServer;

beforeAll(async () => {
  moto = await startMoto();
}, 60_000);

afterAll(async () => {
  await moto?.stop();
});

const sagemakerClient = () => new SageMakerClient(awsClientConfig(moto.endpoint, 'eu-west-1'));

async function createModel(client: SageMakerClient, name: string, tags: Record<string, string> = {}) {
  await client.send(
    new CreateModelCommand({
      ModelName: name,
      ExecutionRoleArn: `arn:aws:iam::${MOTO_ACCOUNT}:role/SageMakerExecution`,
      PrimaryContainer: { Image: '763104351884.dkr.ecr.eu-west-1.amazonaws.com/pytorch-inference:2.3-cpu-py311' },
      Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
    }),
  );
}

describe('paging past the first page', () => {
  it('ListModels: listModels follows the next token and yields the models of both pages', async () => {
    const client = sagemakerClient();
    for (const name of ['paged-a', 'paged-b', 'paged-c']) await createModel(client, name);
    const calls = listModelsInTwoPages(client);

    const names: string[] = [];
    for await (const model of listModels(client)) names.push(model.name);

    expect(calls.tokens).toEqual([undefined, SECOND_PAGE]);
    expect(names.sort()).toEqual(['paged-a', 'paged-b', 'paged-c']);
  });

  it('ListTags: describeModel reads the tags of every page when asked to', async () => {
    const setup = sagemakerClient();
    const tags = { 'data-classification': 'restricted', environment: 'production', owner: 'ml-team' };
    await createModel(setup, 'paged-tags', tags);
    const client = sagemakerClient();
    const calls = onePerPage(client, 'ListTagsCommand', 'MaxResults', 'NextToken');

    const model = await describeModel(client, 'paged-tags', { region: 'eu-west-1', listTags: true });

    expect(model.exists && model.tags).toEqual(tags);
    expect(calls.tokens.length).toBeGreaterThanOrEqual(3);
    expect(calls.tokens[0]).toBeUndefined();
    expect(calls.tokens[1]).toEqual(expect.any(String));
  });

  it('ListObjectsV2: latestInventorySnapshot finds the latest snapshot on the last page', async () => {
    const s3 = new S3Client({ ...awsClientConfig(moto.endpoint, 'us-east-1'), forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: 'paged-evidence' }));
    const times = ['2026-11-01T00-00-00-000Z', '2026-11-15T00-00-00-000Z', '2026-11-28T00-00-00-000Z'];
    for (const [i, time] of times.entries()) {
      await s3.send(
        new PutObjectCommand({
          Bucket: 'paged-evidence',
          Key: `inventory/2026/11/${time.slice(8, 10)}/${time}.json`,
          Body: JSON.stringify({ finishedAt: `finished-${i}`, summary: { models: i } }),
        }),
      );
    }
    const calls = onePerPage(s3, 'ListObjectsV2Command', 'MaxKeys', 'ContinuationToken');

    const latest = await latestInventorySnapshot(s3, 'paged-evidence');

    expect(latest).toEqual({ file: `s3://paged-evidence/inventory/2026/11/28/${times[2]}.json`, finishedAt: 'finished-2', summary: { models: 2 } });
    expect(calls.tokens.length).toBeGreaterThanOrEqual(3);
    expect(calls.tokens[1]).toEqual(expect.any(String));
  });

  it('ListObjectsV2: a stored snapshot of the wrong shape fails naming the file and the field', async () => {
    const s3 = new S3Client({ ...awsClientConfig(moto.endpoint, 'us-east-1'), forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: 'bad-evidence' }));
    const key = 'inventory/2026/11/28/2026-11-28T00-00-00-000Z.json';
    await s3.send(new PutObjectCommand({ Bucket: 'bad-evidence', Key: key, Body: JSON.stringify({ finishedAt: 20261128, summary: {} }) }));

    const failure = latestInventorySnapshot(s3, 'bad-evidence');

    await expect(failure).rejects.toBeInstanceOf(RecordValidationError);
    await expect(failure).rejects.toMatchObject({ field: `s3://bad-evidence/${key}.finishedAt` });
  });

  it('ListAccounts: organizationAccounts lists the accounts of every page', async () => {
    const orgs = new OrganizationsClient(awsClientConfig(moto.endpoint, 'us-east-1'));
    await orgs.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
    const created: string[] = [];
    for (const name of ['paged-prod', 'paged-dev']) {
      const { CreateAccountStatus } = await orgs.send(new CreateAccountCommand({ AccountName: name, Email: `${name}@example.com` }));
      created.push(CreateAccountStatus!.AccountId!);
    }
    const calls = onePerPage(orgs, 'ListAccountsCommand', 'MaxResults', 'NextToken');

    const accounts = await organizationAccounts(orgs);

    // The management account and the two created ones, one a page.
    expect(accounts.map((a) => a.id).sort()).toEqual([...created, MOTO_ACCOUNT].sort());
    expect(accounts.find((a) => a.id === created[0])?.name).toBe('paged-prod');
    expect(calls.tokens.length).toBeGreaterThanOrEqual(3);
    expect(calls.tokens[1]).toEqual(expect.any(String));
  });
});

/** The one DescribeModel adapter, which enforce, sweep and the audit read a model through (on this file's moto). */
describe('describeModel', () => {
  let recorder: ActionRecorder;
  const actions = () => recorder.calls.map((call) => call.action);

  beforeAll(async () => {
    await createModel(sagemakerClient(), 'adapter-model', { environment: 'production' });
    recorder = recordAwsActions({ account: MOTO_ACCOUNT });
  });
  afterEach(() => recorder.clear());
  afterAll(() => recorder.stop());

  it('without listTags makes one DescribeModel call (all the enforce role grants) and reads no tags', async () => {
    const model = await describeModel(sagemakerClient(), 'adapter-model', { region: 'eu-west-1', listTags: false });

    expect(actions()).toEqual(['sagemaker:DescribeModel']);
    expect(model).toMatchObject({
      exists: true,
      name: 'adapter-model',
      arn: `arn:aws:sagemaker:eu-west-1:${MOTO_ACCOUNT}:model/adapter-model`,
      account: MOTO_ACCOUNT,
      region: 'eu-west-1',
      creationTime: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
      enableNetworkIsolation: false,
      tags: {},
    });
    // The DescribeModel output as plain JSON (what a deleted model is recreated from), without the SDK's $metadata.
    expect(model.exists && model.raw).toMatchObject({ ModelName: 'adapter-model', PrimaryContainer: { Image: expect.stringContaining('pytorch-inference') } });
    expect(model.exists && Object.keys(model.raw)).not.toContain('$metadata');
  });

  it('with listTags reads the tags too, on the ARN ListModels gave', async () => {
    const arn = `arn:aws:sagemaker:eu-west-1:${MOTO_ACCOUNT}:model/adapter-model`;

    const model = await describeModel(sagemakerClient(), 'adapter-model', { region: 'eu-west-1', listTags: true, listedArn: arn });

    expect(actions()).toEqual(['sagemaker:DescribeModel', 'sagemaker:ListTags']);
    expect(recorder.calls[1]!.resource).toBe(arn);
    expect(model.exists && model.tags).toEqual({ environment: 'production' });
  });

  it('returns a model that does not exist as a value, not an error', async () => {
    await expect(describeModel(sagemakerClient(), 'never-created', { region: 'eu-west-1', listTags: true })).resolves.toEqual({
      exists: false,
      name: 'never-created',
      region: 'eu-west-1',
    });
  });

  it('throws any other failure (a throttled call is not a gone model)', async () => {
    const client = sagemakerClient();
    client.middlewareStack.add(
      () => async () => {
        throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
      },
      { step: 'initialize', name: 'testThrottle' },
    );

    await expect(describeModel(client, 'adapter-model', { region: 'eu-west-1', listTags: false })).rejects.toThrow(/Rate exceeded/);
  });
});
