import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { GetFindingsCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { DescribeModelCommand, ListTagsCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountRouter, resolveAccounts } from '../../shared/aws/accounts.js';
import { CreateAccountCommand, CreateOrganizationCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { createAwsClients, type AwsClients } from '../../shared/aws/clients.js';
import { loadConfig } from '../../shared/config.js';
import { enforcementDeps, enforcementSettings } from '../../shared/enforcement/deps.js';
import { enforceRecord } from '../../shared/enforcement/pipeline.js';
import { sweepModels } from '../../shared/sweep/sweep.js';
import { enforceEvent } from '../../shared/lambda/enforce-event.js';
import { CreateEventBusCommand, PutEventsCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { CreateModelRecordSchema } from '../../shared/cloudtrail/record.js';
import { createModelEvent } from '../../local-aws/cloudtrail-events.js';
import { createModelRecord, gzipRecords } from '../support/archive-generator.js';
import { collectAudit } from '../../shared/audit/collect.js';
import { buildAuditReport } from '../../shared/audit/audit-report.js';
import { lookUpModelsNow } from '../../shared/audit/models-now.js';
import { renderAudit } from '../../shared/audit/render-audit.js';
import type { ArchiveFile } from '../../shared/audit/sources.js';
import { createModel, drainQueue } from '../../local-aws/local-stack.js';
import { awsClientConfig, MOTO_ACCOUNT, startMoto, type MotoServer } from '../../local-aws/moto.js';

const MEMBERS = ['111111111111', '222222222222'];
const DENIED = '333333333333';
const REGIONS = ['eu-west-1', 'us-east-1'];
let moto: MotoServer;
let home: AwsClients;
const memberClients = new Map<string, SageMakerClient>();

/** A member account's own credentials (moto scopes resources by the credentials' account: AssumeRole returns the member's). */
async function assumedCredentials(account: string, region: string) {
  const sts = new STSClient(awsClientConfig(moto.endpoint, region));
  const { Credentials } = await sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account}:role/Admin`, RoleSessionName: 'setup' }));
  return { accessKeyId: Credentials!.AccessKeyId!, secretAccessKey: Credentials!.SecretAccessKey!, sessionToken: Credentials!.SessionToken! };
}

/** SageMaker in a member account, as its own administrator would see it. */
async function inAccount(account: string, region: string): Promise<SageMakerClient> {
  const key = `${account}/${region}`;
  if (!memberClients.has(key)) {
    memberClients.set(key, new SageMakerClient({ endpoint: moto.endpoint, region, credentials: await assumedCredentials(account, region) }));
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
      { step: 'initialize', name: 'denyAssumeRole', override: true },
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

  it("imports a member model's Security Hub finding in the member account, through the member role (AwsAccountId = the caller, as Security Hub requires)", async () => {
    const config = loadConfig({ env: { ISOLATION_GUARD_MODE: 'alert', ISOLATION_GUARD_SECURITY_HUB: 'true' } });
    const deps = enforcementDeps(config, home, { router: router() });
    const member = MEMBERS[0]!;
    const event = createModelEvent({ modelName: `open-${member}`, account: member, region: 'eu-west-1' });
    const result = await enforceRecord(CreateModelRecordSchema.parse(event.detail), enforcementSettings(config), deps);
    expect(result.failures).toEqual({});
    expect(result.channels.securityHub).toBe('sent');
    // In the member account's Security Hub (the launcher refuses another account's finding, as AWS does), not the central one.
    const credentials = await assumedCredentials(member, 'eu-west-1');
    const memberHub = new SecurityHubClient({ endpoint: moto.endpoint, region: 'eu-west-1', credentials });
    const { Findings = [] } = await memberHub.send(new GetFindingsCommand({}));
    expect(Findings.map((f) => [f.AwsAccountId, f.ProductArn, f.Resources?.[0]?.Id])).toEqual([
      [member, `arn:aws:securityhub:eu-west-1:${member}:product/${member}/default`, `arn:aws:sagemaker:eu-west-1:${member}:model/open-${member}`],
    ]);
    expect((await new SecurityHubClient(awsClientConfig(moto.endpoint, 'eu-west-1')).send(new GetFindingsCommand({}))).Findings).toEqual([]);
  });

  it('fails an event from a denied account (to be retried, then dead-lettered), naming the role, and still alerts it unconfirmed', async () => {
    const config = loadConfig({ env: {} });
    const event = createModelEvent({ modelName: 'x', account: DENIED, region: 'eu-west-1' });
    const result = await enforceRecord(CreateModelRecordSchema.parse(event.detail), enforcementSettings(config), enforcementDeps(config, home, { router: router() }));
    expect(result.failures.confirm).toMatch(/not authorized to perform: sts:AssumeRole/);
    expect(result.unconfirmed).toMatch(/could not be looked at/);
    expect(result.decision).toMatchObject({ verdict: 'violation', account: DENIED });
    expect(result.action.status).not.toBe('done');
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
    expect(denied.map((r) => r.error)).toEqual([expect.stringMatching(/AccessDenied/), expect.stringMatching(/AccessDenied/)]);
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

  it('lists an opt-in region an account has not enabled as "not enabled", not an error: asked with account:ListRegions for regions=all, and when a region answers so', async () => {
    const { AccountClient, EnableRegionCommand } = await import('@aws-sdk/client-account');
    // The first member account has enabled Cape Town; the second has not.
    await new AccountClient({ endpoint: moto.endpoint, region: 'us-east-1', credentials: await assumedCredentials(MEMBERS[0]!, 'us-east-1') }).send(
      new EnableRegionCommand({ RegionName: 'af-south-1' }),
    );
    const config = loadConfig({ env: {} });
    const r = router();
    const regions = ['eu-west-1', 'af-south-1'];
    const rows = (result: Awaited<ReturnType<typeof sweepModels>>) => result.regions.map((row) => [row.account, row.region, row.error, row.notEnabled ?? false]);
    const expected = [
      [MEMBERS[0], 'eu-west-1', null, false],
      [MEMBERS[0], 'af-south-1', null, false],
      [MEMBERS[1], 'eu-west-1', null, false],
      [MEMBERS[1], 'af-south-1', null, true],
    ];
    // regions=all: each account says which regions it has enabled (through the member role).
    const asked: Array<string | null> = [];
    const enabledRegionsOf = async (account: string | null) => {
      asked.push(account);
      return r.enabledRegionsOf(account);
    };
    const withList = await sweepModels({ regions, accounts: MEMBERS, reminderDays: 7, enabledRegionsOf }, enforcementSettings(config), enforcementDeps(config, home, { router: r }));
    expect(rows(withList)).toEqual(expected);
    expect(asked).toEqual(MEMBERS);
    // A fanned-out worker's unit (no list asked): the region answers UnrecognizedClientException, listed the same way.
    const unit = await sweepModels({ regions, accounts: MEMBERS, reminderDays: 7 }, enforcementSettings(config), enforcementDeps(config, home, { router: router() }));
    expect(rows(unit)).toEqual(expected);
  });

  it("audits an organisation trail's archive and looks up each member account's models today through the member role", async () => {
    const calls = MEMBERS.map((account) => createModelRecord({ account, region: 'eu-west-1', time: '2026-10-05T10:00:00Z', modelName: `open-${account}` }));
    calls.push(createModelRecord({ account: MEMBERS[0]!, region: 'eu-west-1', time: '2026-10-06T10:00:00Z', modelName: 'gone-since' }));
    async function* archive(): AsyncGenerator<ArchiveFile> {
      yield { name: 'org-trail.json.gz', read: async () => gzipRecords(calls) };
    }
    const period = { from: new Date('2026-10-01T00:00:00Z'), to: new Date('2026-11-01T00:00:00Z') };
    const collection = await collectAudit(archive(), { ...period, exemptions: [], now: new Date() });
    const r = router();
    const now = await lookUpModelsNow(collection.calls, (where) => r.sagemakerFor(where));
    const report = buildAuditReport(collection, { ...period, source: 'test', generatedAt: new Date() }, now);
    expect(report.scope.accounts).toEqual(MEMBERS);
    expect(report.kpis.violations).toBe(3);
    // Both open models exist in their own accounts (the home account's namesake does not count); one is gone.
    expect(report.kpis.violatingModelsStillExisting).toBe(2);
    expect(report.calls.find((c) => c.modelName === 'gone-since')!.now).toEqual({ exists: false, isolated: null, quarantined: null });
  });

  it('looks each model up by account, region and name: same-named models of other accounts are other models, an unreadable account is "unknown"', async () => {
    // `shared-name` exists in the first member account and in the home account; not in the second; the denied account cannot be read.
    const first = await inAccount(MEMBERS[0]!, 'eu-west-1');
    await createModel({ sagemakerIn: () => first } as unknown as AwsClients, 'eu-west-1', 'shared-name');
    await createModel(home, 'eu-west-1', 'shared-name');
    const calls = [MEMBERS[0]!, MEMBERS[1]!, DENIED].map((account, i) =>
      createModelRecord({ account, region: 'eu-west-1', time: `2026-10-0${i + 1}T10:00:00Z`, modelName: 'shared-name' }),
    );
    async function* archive(): AsyncGenerator<ArchiveFile> {
      yield { name: 'org-trail.json.gz', read: async () => gzipRecords(calls) };
    }
    const period = { from: new Date('2026-10-01T00:00:00Z'), to: new Date('2026-11-01T00:00:00Z') };
    const collection = await collectAudit(archive(), { ...period, exemptions: [], now: new Date() });
    const r = router();
    const report = buildAuditReport(collection, { ...period, source: 'test', generatedAt: new Date() }, await lookUpModelsNow(collection.calls, (where) => r.sagemakerFor(where)));
    expect(report.calls.map((c) => [c.account, c.now?.exists])).toEqual([
      [MEMBERS[0], true],
      [MEMBERS[1], false],
      [DENIED, null],
    ]);
    expect(report.kpis.violatingModelsStillExisting).toBe(1);
    expect(renderAudit(report, 'md')).toMatch(/\| unknown \|/);
  });

  it('an event forwarded from a member account to the central bus goes through the rule and is enforced in that account', async () => {
    const sqs = home.sqs;
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'central-rule-target' }));
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
    await home.eventBridge.send(new CreateEventBusCommand({ Name: 'sagemaker-isolation-guard-test' }));
    await home.eventBridge.send(
      new PutRuleCommand({
        Name: 'central-createmodel',
        EventBusName: 'sagemaker-isolation-guard-test',
        EventPattern: JSON.stringify({ source: ['aws.sagemaker'], 'detail-type': ['AWS API Call via CloudTrail'], detail: { eventSource: ['sagemaker.amazonaws.com'], eventName: ['CreateModel'] } }),
      }),
    );
    await home.eventBridge.send(new PutTargetsCommand({ Rule: 'central-createmodel', EventBusName: 'sagemaker-isolation-guard-test', Targets: [{ Id: 'enforce', Arn: Attributes!.QueueArn }] }));
    const member = MEMBERS[1]!;
    const forwarded = createModelEvent({ modelName: `open-${member}`, account: member, region: 'eu-west-1' });
    await home.eventBridge.send(
      new PutEventsCommand({ Entries: [{ EventBusName: 'sagemaker-isolation-guard-test', Source: forwarded.source, DetailType: forwarded['detail-type'], Detail: JSON.stringify(forwarded.detail) }] }),
    );
    const [delivered] = await drainQueue(sqs, QueueUrl!);
    const config = loadConfig({ env: { ISOLATION_GUARD_MODE: 'quarantine' } });
    const outcome = await enforceEvent(delivered, enforcementSettings(config), enforcementDeps(config, home, { router: router() }));
    expect(outcome).toMatchObject({ handled: { decision: { account: member }, action: { kind: 'quarantine', status: 'done' } } });
    const client = await inAccount(member, 'eu-west-1');
    const { ModelArn } = await client.send(new DescribeModelCommand({ ModelName: `open-${member}` }));
    expect((await client.send(new ListTagsCommand({ ResourceArn: ModelArn }))).Tags).toContainEqual({ Key: 'isolation-guard:quarantine', Value: 'network-isolation-disabled' });
  });

  it('--org lists every active account of the organisation, and their names reach the alerts', async () => {
    const orgs = new OrganizationsClient(awsClientConfig(moto.endpoint, 'us-east-1'));
    await orgs.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
    const created = [];
    for (const name of ['ml-prod', 'ml-dev']) {
      const { CreateAccountStatus } = await orgs.send(new CreateAccountCommand({ AccountName: name, Email: `${name}@example.com` }));
      created.push(CreateAccountStatus!.AccountId!);
    }
    const names: Record<string, string> = { [created[1]!]: 'configured-name' };
    const accounts = await resolveAccounts(['org'], awsClientConfig(moto.endpoint, 'us-east-1'), names);
    expect(accounts).toEqual(expect.arrayContaining([MOTO_ACCOUNT, ...created]));
    expect(names[created[0]!]).toBe('ml-prod');
    expect(names[created[1]!]).toBe('configured-name'); // a configured name wins
  });
});
