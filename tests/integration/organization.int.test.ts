import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { DescribeModelCommand, ListTagsCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountRouter } from '../../shared/aws/accounts.js';
import { createAwsClients, type AwsClients } from '../../shared/aws/clients.js';
import { loadConfig } from '../../shared/config.js';
import { enforcementDeps, enforcementSettings } from '../../shared/enforcement/deps.js';
import { enforceRecord } from '../../shared/enforcement/pipeline.js';
import { sweepModels } from '../../shared/sweep/sweep.js';
import { CreateModelRecordSchema } from '../../shared/cloudtrail/record.js';
import { createModelEvent } from '../support/cloudtrail-events.js';
import { createModel } from '../support/local-stack.js';
import { awsClientConfig, MOTO_ACCOUNT, startMoto, type MotoServer } from '../support/moto.js';

const MEMBERS = ['111111111111', '222222222222'];
const DENIED = '333333333333';
const REGIONS = ['eu-west-1', 'us-east-1'];
let moto: MotoServer;
let home: AwsClients;
const memberClients = new Map<string, SageMakerClient>();

/** SageMaker in a member account, as its own administrator would see it (moto: credentials from AssumeRole). */
async function inAccount(account: string, region: string): Promise<SageMakerClient> {
  const key = `${account}/${region}`;
  if (!memberClients.has(key)) {
    const sts = new STSClient(awsClientConfig(moto.endpoint, region));
    const { Credentials } = await sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account}:role/Admin`, RoleSessionName: 'setup' }));
    memberClients.set(
      key,
      new SageMakerClient({
        endpoint: moto.endpoint,
        region,
        credentials: { accessKeyId: Credentials!.AccessKeyId!, secretAccessKey: Credentials!.SecretAccessKey!, sessionToken: Credentials!.SessionToken! },
      }),
    );
  }
  return memberClients.get(key)!;
}

/** The denied account: AssumeRole answers AccessDenied, as when the member role is missing or its trust refuses us. */
const denyAssumeRoleInto = (account: string) => ({
  applyToStack: (stack: any) =>
    stack.add(
      (next: any) => async (args: any) => {
        if (String(args.input?.RoleArn ?? '').includes(`::${account}:`)) {
          throw Object.assign(new Error(`User is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::${account}:role/isolation-guard-member`), {
            name: 'AccessDenied',
            $metadata: { httpStatusCode: 403 },
          });
        }
        return next(args);
      },
      { step: 'initialize', name: 'denyAssumeRole' },
    ),
});

function router() {
  return accountRouter(home, {
    ...awsClientConfig(moto.endpoint, 'eu-west-1'),
    member: { roleName: 'isolation-guard-member', externalId: 'org-secret' },
    stsPlugins: [denyAssumeRoleInto(DENIED)],
  });
}

beforeAll(async () => {
  moto = await startMoto();
  home = createAwsClients(awsClientConfig(moto.endpoint, 'eu-west-1'));
  for (const account of MEMBERS) {
    for (const region of REGIONS) {
      const client = await inAccount(account, region);
      const clients = { sagemakerIn: () => client } as unknown as AwsClients;
      await createModel(clients, region, `open-${account}`);
      await createModel(clients, region, `closed-${account}`, true);
    }
  }
  // The same name in the home account: it must not be touched for a member's event.
  await createModel(home, 'eu-west-1', 'open-111111111111');
});
afterAll(async () => moto?.stop());

describe('one deployment for the organisation (moto, three accounts, two regions)', () => {
  it("enforces an event from a member account in that account, through the member role", async () => {
    const config = loadConfig({ env: { ISOLATION_GUARD_MODE: 'quarantine' } });
    const deps = enforcementDeps(config, home, { router: router() });
    for (const account of MEMBERS) {
      const event = createModelEvent({ modelName: `open-${account}`, account, region: 'us-east-1' });
      const result = await enforceRecord(CreateModelRecordSchema.parse(event.detail), enforcementSettings(config), deps);
      expect(result).toMatchObject({ decision: { account, verdict: 'violation' }, action: { kind: 'quarantine', status: 'done' } });
      const member = await inAccount(account, 'us-east-1');
      const { ModelArn } = await member.send(new DescribeModelCommand({ ModelName: `open-${account}` }));
      expect(ModelArn).toContain(`:${account}:`);
      const { Tags } = await member.send(new ListTagsCommand({ ResourceArn: ModelArn }));
      expect(Tags).toContainEqual({ Key: 'isolation-guard:quarantine', Value: 'network-isolation-disabled' });
    }
    const { ModelArn } = await home.sagemakerIn('eu-west-1').send(new DescribeModelCommand({ ModelName: 'open-111111111111' }));
    expect((await home.sagemakerIn('eu-west-1').send(new ListTagsCommand({ ResourceArn: ModelArn }))).Tags).toEqual([]);
  });

  it('fails an event from a denied account (to be retried, then dead-lettered), naming the role', async () => {
    const config = loadConfig({ env: {} });
    const event = createModelEvent({ modelName: 'x', account: DENIED, region: 'eu-west-1' });
    await expect(enforceRecord(CreateModelRecordSchema.parse(event.detail), enforcementSettings(config), enforcementDeps(config, home, { router: router() }))).rejects.toThrow(
      /not authorized to perform: sts:AssumeRole/,
    );
  });

  it('sweeps every account and region, reports the denied account, and still sweeps the others', async () => {
    const config = loadConfig({ env: {} });
    const result = await sweepModels(
      { regions: REGIONS, accounts: [MEMBERS[0]!, DENIED, MEMBERS[1]!], reminderDays: 7 },
      enforcementSettings(config),
      enforcementDeps(config, home, { router: router() }),
    );
    const denied = result.regions.filter((r) => r.account === DENIED);
    expect(denied).toHaveLength(2);
    expect(denied.every((r) => /AccessDenied/.test(r.error ?? ''))).toBe(true);
    for (const account of MEMBERS) {
      expect(result.regions.filter((r) => r.account === account)).toEqual(REGIONS.map((region) => ({ account, region, models: 2, error: null })));
      const models = result.models.filter((m) => m.account === account);
      expect(models.map((m) => [m.region, m.modelName, m.verdict]).sort()).toEqual(
        REGIONS.flatMap((region) => [
          [region, `closed-${account}`, 'compliant'],
          [region, `open-${account}`, 'violation'],
        ]).sort(),
      );
    }
    expect(result.models.some((m) => m.account === MOTO_ACCOUNT)).toBe(false);
  });
});
