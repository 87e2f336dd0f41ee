import { join } from 'node:path';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cfnLint } from '../support/cfn-lint.js';
import { createAwsClients, type AwsClients } from '../../shared/aws/clients.js';
import { loadConfig } from '../../shared/config.js';
import { createEnforceHandler } from '../../shared/lambda/enforce-handler.js';
import { createSweepHandler } from '../../shared/lambda/sweep-handler.js';
import type { SecurityHubImporter } from '../../shared/aws/security-hub-import.js';
import { recordAwsActions, type RecordedAction } from '../../local-aws/aws-action-recorder.js';
import { createModelEvent } from '../../local-aws/cloudtrail-events.js';
import { deniedCalls, simulate } from '../../local-aws/iam-simulate.js';
import { lambdaContext } from '../../local-aws/lambda-context.js';
import { createLocalStack, createModel, stackEnvironment, type LocalStack, stackPhysicalNames } from '../../local-aws/local-stack.js';
import { awsClientConfig, MOTO_ACCOUNT, motoEnvironment, startMoto, type MotoServer } from '../../local-aws/moto.js';
import { setProcessEnvironment } from '../support/process-environment.js';
import { disposePackagedServices, packageService, ruleEventPattern, type PackagedService } from '../../local-aws/packaged-template.js';
import { memberTemplate } from '../support/member-template.js';
import { resolveIntrinsics, roleArn, roleStatements, type PhysicalNames } from '../../local-aws/role-grants.js';

/**
 * The organisation deployment as the README shows it (member role, external id in SSM, Security
 * Hub, delete mode), on two moto accounts: every call enforce and the sweep make is simulated (AWS's
 * policy evaluation) against the role that made it: the central function's role in the packaged
 * template, or, for a call made with the member account's credentials, the member role of
 * templates/member-account.yml in that account. And the member role's trust, as AWS evaluates it.
 */
const REGION = 'eu-west-1';
const MEMBER = '444455556666';
const ORG = 'o-abc123def4';
const EXTERNAL_ID_PARAMETER = '/isolation-guard/external-id';
const EXTERNAL_ID = 'a-long-random-external-id';
let moto: MotoServer;
let restoreEnvironment: (() => void) | undefined;
let clients: AwsClients;
let stack: LocalStack;
let packaged: PackagedService;
let names: PhysicalNames;
const seen: Record<'enforce' | 'sweep', RecordedAction[]> = { enforce: [], sweep: [] };

/** Security Hub's import is a signed fetch, not an SDK client: recorded here, under the identity it calls as. */
function recordingImporter(importer: SecurityHubImporter, into: () => RecordedAction[], caller: string): SecurityHubImporter {
  return {
    region: () => importer.region(),
    withCredentials: (credentials) => {
      const inner = importer.withCredentials(credentials);
      return {
        ...recordingImporter(inner, into, '(member)'),
        batchImportFindings: async (findings) => {
          for (const f of findings) into().push({ action: 'securityhub:BatchImportFindings', resource: String(f.ProductArn), region: REGION, caller: String(f.AwsAccountId) });
          return inner.batchImportFindings(findings);
        },
      };
    },
    batchImportFindings: async (findings) => {
      for (const f of findings) into().push({ action: 'securityhub:BatchImportFindings', resource: String(f.ProductArn), region: REGION, caller });
      return importer.batchImportFindings(findings);
    },
  };
}

let current: RecordedAction[] = [];
async function recording(into: RecordedAction[], run: () => Promise<unknown>) {
  const recorder = recordAwsActions({ account: MOTO_ACCOUNT });
  current = [];
  try {
    await run();
  } finally {
    recorder.stop();
    into.push(...recorder.distinct(), ...current);
  }
}

const centralRoles = () => ['EnforceRole', 'SweepRole', 'SweepWorkerRole', 'HistoryRole'].map((id) => roleArn(packaged.template, id, names));
const memberNames = (): PhysicalNames => ({
  region: REGION,
  account: MEMBER,
  refs: { AllowDelete: 'true', ImportFindings: 'true', CreateMemberRole: 'true', MemberRoleName: 'isolation-guard-member', ExternalId: EXTERNAL_ID, CentralAccountId: MOTO_ACCOUNT, CentralRoleArns: centralRoles() as never, CentralRolePrefix: 'sagemaker-isolation-guard-' },
  atts: {},
});

beforeAll(async () => {
  moto = await startMoto();
  restoreEnvironment = setProcessEnvironment(motoEnvironment(moto.endpoint, REGION));
  clients = createAwsClients(awsClientConfig(moto.endpoint, REGION));
  const params = {
    mode: 'delete',
    organizationId: ORG,
    memberRoleName: 'isolation-guard-member',
    externalIdParameter: EXTERNAL_ID_PARAMETER,
    accounts: MEMBER,
    securityHub: 'true',
    regions: REGION,
  };
  packaged = await packageService({ stage: 'iamorg', region: REGION, params });
  stack = await createLocalStack(clients, { region: REGION, rulePattern: ruleEventPattern(packaged.template), endpoint: moto.endpoint });
  names = stackPhysicalNames(stack, REGION);
  await new SSMClient(awsClientConfig(moto.endpoint, REGION)).send(new PutParameterCommand({ Name: EXTERNAL_ID_PARAMETER, Type: 'SecureString', Value: EXTERNAL_ID }));
  // The member account's model, created as its own administrator.
  const { Credentials } = await new STSClient(awsClientConfig(moto.endpoint, REGION)).send(
    new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${MEMBER}:role/Admin`, RoleSessionName: 'setup' }),
  );
  const member = new SageMakerClient({ endpoint: moto.endpoint, region: REGION, credentials: { accessKeyId: Credentials!.AccessKeyId!, secretAccessKey: Credentials!.SecretAccessKey!, sessionToken: Credentials!.SessionToken! } });
  await createModel({ sagemakerIn: () => member } as unknown as AwsClients, REGION, 'member-open');

  const env = stackEnvironment(stack, {
    ISOLATION_GUARD_MODE: 'delete',
    ISOLATION_GUARD_FINDING_BUS_NAME: 'default',
    ISOLATION_GUARD_MEMBER_ROLE_NAME: 'isolation-guard-member',
    ISOLATION_GUARD_EXTERNAL_ID_PARAMETER: EXTERNAL_ID_PARAMETER,
    ISOLATION_GUARD_SECURITY_HUB: 'true',
    ISOLATION_GUARD_ACCOUNTS: MEMBER,
    ISOLATION_GUARD_REGIONS: REGION,
  });
  const config = loadConfig({ env });
  const recorded = { ...clients, securityHub: recordingImporter(clients.securityHub, () => current, MOTO_ACCOUNT) };
  const enforce = createEnforceHandler({ config, clients: recorded, secretCacheMs: 0 });
  await recording(seen.enforce, () => enforce(createModelEvent({ modelName: 'member-open', account: MEMBER, region: REGION }) as never, lambdaContext()));
  await createModel({ sagemakerIn: () => member } as unknown as AwsClients, REGION, 'member-sweep');
  const sweep = createSweepHandler({ config, clients: recorded });
  await recording(seen.sweep, () => sweep({}, lambdaContext()).catch(() => undefined));
}, 240_000);

afterAll(async () => {
  restoreEnvironment?.();
  await moto?.stop();
  disposePackagedServices();
});

const memberRole = () => ({
  arn: `arn:aws:iam::${MEMBER}:role/isolation-guard-member`,
  statements: (resolveIntrinsics(memberTemplate().Resources.MemberRole!.Properties!.Policies, memberTemplate(), memberNames()) as Array<{ PolicyDocument: { Statement: unknown[] } }>).flatMap(
    (p) => p.PolicyDocument.Statement,
  ),
});
const trust = () => resolveIntrinsics(memberTemplate().Resources.MemberRole!.Properties!.AssumeRolePolicyDocument, memberTemplate(), memberNames()) as { Statement: unknown[] };
const central = (id: string) => ({ arn: roleArn(packaged.template, id, names), statements: roleStatements(packaged.template, id, names) });
/**
 * AssumeRole of the member role: in an account of the organisation (`aws:ResourceOrgID`, the
 * central role's condition), by that central role with the external id read from SSM, under the
 * member role's trust policy (the role's resource policy: across accounts both must allow).
 */
const assumeContext = (roleId: string) => (call: RecordedAction): Record<string, string> =>
  call.action === 'sts:AssumeRole' ? { 'aws:ResourceOrgID': ORG, 'sts:ExternalId': EXTERNAL_ID, 'aws:PrincipalArn': roleArn(packaged.template, roleId, names) } : {};
const memberTrust = (call: RecordedAction) => (call.action === 'sts:AssumeRole' ? (trust() as never) : undefined);

describe('the organisation deployment: every call is allowed to the role that made it (iam-simulate)', () => {
  it('enforce reached the member account through its role: AssumeRole with the id from SSM, the model, and its finding there', () => {
    const actions = seen.enforce.map((c) => `${c.caller === MEMBER ? 'member' : 'central'} ${c.action}`);
    expect(actions).toEqual(
      expect.arrayContaining([
        'central ssm:GetParameter',
        'central sts:AssumeRole',
        'member sagemaker:DescribeModel',
        'member sagemaker:DeleteModel',
        'member securityhub:BatchImportFindings',
        'central sns:Publish',
      ]),
    );
  });

  it('by the enforce role (its calls) and the member role (the calls made as the member)', async () => {
    expect(await deniedCalls(central('EnforceRole'), seen.enforce.filter((c) => c.caller !== MEMBER), assumeContext('EnforceRole'), memberTrust)).toEqual([]);
    expect(await deniedCalls(memberRole(), seen.enforce.filter((c) => c.caller === MEMBER))).toEqual([]);
  });

  it('by the sweep role and the member role', async () => {
    expect(seen.sweep.filter((c) => c.caller === MEMBER).map((c) => c.action)).toEqual(expect.arrayContaining(['sagemaker:ListModels', 'sagemaker:DescribeModel']));
    expect(await deniedCalls(central('SweepRole'), seen.sweep.filter((c) => c.caller !== MEMBER), assumeContext('SweepRole'), memberTrust)).toEqual([]);
    expect(await deniedCalls(memberRole(), seen.sweep.filter((c) => c.caller === MEMBER))).toEqual([]);
  });

  it('cfn-lint finds no error in the packaged templates (AWS\'s resource specifications)', async () => {
    const templates = ['cloudformation-template-create-stack.json', 'cloudformation-template-update-stack.json'].map((file) => join(packaged.dir, file));
    const errors = (await cfnLint(templates, [REGION])).filter((m) => m.Level === 'Error').map((m) => `${m.Rule.Id} ${m.Message}`);
    expect(errors).toEqual([]);
  }, 180_000);

  it('the checker itself: without the member role\'s import grant, the member finding would be denied (as AWS denied the central import)', async () => {
    const role = memberRole();
    const without = { ...role, statements: role.statements.filter((s) => (s as { Sid?: string }).Sid !== 'ImportFindings') };
    expect((await deniedCalls(without, seen.enforce.filter((c) => c.caller === MEMBER))).map((c) => c.action)).toEqual(['securityhub:BatchImportFindings']);
  });
});

describe("the member role's trust, as AWS evaluates it", () => {
  const assume = (principal: string, externalId?: string) =>
    simulate({
      principal,
      action: 'sts:AssumeRole',
      resource: `arn:aws:iam::${MEMBER}:role/isolation-guard-member`,
      resourcePolicy: trust(),
      identityPolicies: [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }] }],
      context: { 'aws:PrincipalArn': principal, ...(externalId ? { 'sts:ExternalId': externalId } : {}) },
    });

  it('lets exactly the central roles in, with the external id', async () => {
    for (const arn of centralRoles()) expect(await assume(arn, EXTERNAL_ID), arn).toBe('Allowed');
    expect(await assume(centralRoles()[0]!)).not.toBe('Allowed');
    expect(await assume(centralRoles()[0]!, 'wrong-id')).not.toBe('Allowed');
  });

  it("refuses another central role named like the service's (the old prefix trust let it in)", async () => {
    expect(await assume(`arn:aws:iam::${MOTO_ACCOUNT}:role/sagemaker-isolation-guard-anything`, EXTERNAL_ID)).not.toBe('Allowed');
    expect(await assume(`arn:aws:iam::${MOTO_ACCOUNT}:role/sagemaker-isolation-guard-iamorg-eu-west-1-planner`, EXTERNAL_ID)).not.toBe('Allowed');
  });
});
