import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/cli.js';
import { memberTemplate } from '../support/member-template.js';

const template = memberTemplate() as any;
const statementsOf = (policyDocument: any): any[] =>
  policyDocument.Statement.map((s: any) => (s['Fn::If'] ? s['Fn::If'][1] : s));

describe('templates/member-account.yml (StackSet for member accounts)', () => {
  it('forwards exactly the CreateModel pattern of the central rule to the central bus, through a role that may only put there', () => {
    const rule = template.Resources.ForwardCreateModelRule.Properties;
    expect(rule.EventPattern).toStrictEqual({
      source: ['aws.sagemaker'],
      'detail-type': ['AWS API Call via CloudTrail'],
      detail: { eventSource: ['sagemaker.amazonaws.com'], eventName: ['CreateModel'] },
    });
    expect(rule.Targets).toStrictEqual([{ Id: 'central-bus', Arn: { Ref: 'CentralEventBusArn' }, RoleArn: { 'Fn::GetAtt': ['ForwardRole', 'Arn'] } }]);
    const forward = statementsOf(template.Resources.ForwardRole.Properties.Policies[0].PolicyDocument);
    expect(forward).toStrictEqual([{ Sid: 'PutOnCentralBus', Effect: 'Allow', Action: 'events:PutEvents', Resource: { Ref: 'CentralEventBusArn' } }]);
  });

  it("trusts exactly the central roles named in CentralRoleArns (no name prefix), with the external id", () => {
    const trust = template.Resources.MemberRole.Properties.AssumeRolePolicyDocument.Statement;
    expect(trust).toHaveLength(1);
    expect(trust[0].Principal).toStrictEqual({ AWS: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${CentralAccountId}:root' } });
    expect(trust[0].Condition).toStrictEqual({
      StringEquals: { 'sts:ExternalId': { Ref: 'ExternalId' } },
      ArnEquals: { 'aws:PrincipalArn': { Ref: 'CentralRoleArns' } },
    });
    expect(template.Parameters.ExternalId.NoEcho).toBe(true);
    expect(template.Parameters.CentralRoleArns.Type).toBe('CommaDelimitedList');
    expect(template.Parameters.CentralRolePrefix).toBeUndefined();
    // No wildcard can reach the trust: every listed ARN is one role.
    expect(JSON.stringify(trust)).not.toContain('*');
  });

  it('lets the service do exactly what it does to models, DeleteModel only when allowed, and no * action anywhere', () => {
    const statements = statementsOf(template.Resources.MemberRole.Properties.Policies[0].PolicyDocument);
    const actions = statements.flatMap((s: any) => [s.Action].flat());
    expect(actions.sort()).toStrictEqual([
      'account:ListRegions',
      'cloudtrail:LookupEvents',
      'sagemaker:AddTags',
      'sagemaker:DeleteModel',
      'sagemaker:DescribeModel',
      'sagemaker:ListModels',
      'sagemaker:ListTags',
      'securityhub:BatchImportFindings',
    ]);
    expect(statements.filter((s: any) => s.Resource === '*').flatMap((s: any) => [s.Action].flat()).sort()).toStrictEqual(['cloudtrail:LookupEvents', 'sagemaker:ListModels']);
    const conditional = template.Resources.MemberRole.Properties.Policies[0].PolicyDocument.Statement.filter((s: any) => s['Fn::If']);
    expect(conditional.map((s: any) => [s['Fn::If'][0], s['Fn::If'][1].Action])).toStrictEqual([
      ['CanDelete', 'sagemaker:DeleteModel'],
      ['CanImportFindings', 'securityhub:BatchImportFindings'],
    ]);
    // Findings only under the member account's own default product (Security Hub's rule for AwsAccountId).
    expect(conditional[1]['Fn::If'][1].Resource).toStrictEqual({ 'Fn::Sub': 'arn:${AWS::Partition}:securityhub:*:${AWS::AccountId}:product/${AWS::AccountId}/default' });
    const everyAction = JSON.stringify(template).match(/"Action":(\[[^\]]*\]|"[^"]*")/g) ?? [];
    expect(everyAction.length).toBeGreaterThan(0);
    for (const action of everyAction) expect(action).not.toContain('*');
  });

  it('names the member role the central deployment assumes by default', () => {
    expect(template.Parameters.MemberRoleName.Default).toBe('isolation-guard-member');
  });
});

describe('the exception register is owned (CODEOWNERS)', () => {
  it('names the register serverless.yml packages, so a change to it needs its owners’ review', () => {
    const register = /exceptionsFile: (\S+)/.exec(readFileSync(join(REPO_ROOT, 'serverless.yml'), 'utf8'))![1]!;
    const owners = readFileSync(join(REPO_ROOT, '.github', 'CODEOWNERS'), 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '' && !line.startsWith('#'))
      .map((line) => line.trim().split(/\s+/));
    const entry = owners.find(([path]) => path === `/${register}`);
    expect(entry, `a CODEOWNERS line for /${register}`).toBeDefined();
    expect(entry!.slice(1).length).toBeGreaterThan(0);
    for (const owner of entry!.slice(1)) expect(owner).toMatch(/^@[\w.-]+(\/[\w.-]+)?$/);
  });
});
