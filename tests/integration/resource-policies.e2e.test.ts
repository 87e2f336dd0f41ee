import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulate } from '../../local-aws/iam-simulate.js';
import { disposePackagedServices, packageService, type CfnTemplate } from '../../local-aws/packaged-template.js';
import { resolveIntrinsics, type PhysicalNames } from '../../local-aws/role-grants.js';

/**
 * The packaged template's resource policies, as AWS evaluates them (iam-simulate): the alert
 * topic's policy, the CloudWatch grant on its key and EventBridge's grant on the dead-letter queue
 * name their sources (`aws:SourceAccount` and `aws:SourceArn`), so another account's alarm or rule
 * (a confused deputy) is refused.
 */
const ACCOUNT = '123456789012';
const OTHER = '999988887777';
const REGION = 'eu-west-1';
const TOPIC = `arn:aws:sns:${REGION}:${ACCOUNT}:alerts`;
const KEY = `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const QUEUE = `arn:aws:sqs:${REGION}:${ACCOUNT}:dead-letters`;
let template: CfnTemplate;
const names: PhysicalNames = { region: REGION, account: ACCOUNT, refs: { AlertTopic: TOPIC, AlertKey: KEY }, atts: { 'DeadLetterQueue.Arn': QUEUE, 'AlertKey.Arn': KEY } };

beforeAll(async () => {
  template = (await packageService({ stage: 'test', region: REGION, params: { slackWebhookParameter: '/isolation-guard/slack-webhook' } })).template;
}, 180_000);
afterAll(() => disposePackagedServices());

const policyOf = (resource: string, property: string) => resolveIntrinsics(template.Resources[resource]!.Properties![property], template, names) as { Statement: unknown[] };
const byService = (service: string, action: string, resource: string, policy: { Statement: unknown[] }, context: Record<string, string>) =>
  simulate({ principal: service, action, resource, resourcePolicy: policy as never, context });

describe('the alert topic, its key and the dead-letter queue admit only their own sources', () => {
  it("the topic has a policy: this account's CloudWatch alarms may publish, another account's may not, and nothing without TLS", async () => {
    const policy = policyOf('AlertTopicPolicy', 'PolicyDocument');
    expect(template.Resources.AlertTopicPolicy!.Properties!.Topics).toEqual([{ Ref: 'AlertTopic' }]);
    const alarm = (account: string) => ({ 'aws:SourceAccount': account, 'aws:SourceArn': `arn:aws:cloudwatch:${REGION}:${account}:alarm:dead-letters`, 'aws:SecureTransport': 'true' });
    expect(await byService('cloudwatch.amazonaws.com', 'sns:Publish', TOPIC, policy, alarm(ACCOUNT))).toBe('Allowed');
    expect(await byService('cloudwatch.amazonaws.com', 'sns:Publish', TOPIC, policy, alarm(OTHER))).not.toBe('Allowed');
    expect(await byService('cloudwatch.amazonaws.com', 'sns:Publish', TOPIC, policy, { ...alarm(ACCOUNT), 'aws:SecureTransport': 'false' })).toBe('ExplicitlyDenied');
    // Another account's principals get nothing from it.
    expect(
      await simulate({ principal: `arn:aws:iam::${OTHER}:role/x`, action: 'sns:Publish', resource: TOPIC, resourcePolicy: policy as never, identityPolicies: [{ Statement: [{ Effect: 'Allow', Action: 'sns:Publish', Resource: '*' }] }], context: { 'aws:SecureTransport': 'true' } }),
    ).not.toBe('Allowed');
  });

  it("the key lets CloudWatch decrypt only for this account's alarms (aws:SourceArn)", async () => {
    const policy = policyOf('AlertKey', 'KeyPolicy');
    const alarm = (account: string, arnAccount = account) => ({ 'aws:SourceAccount': account, 'aws:SourceArn': `arn:aws:cloudwatch:${REGION}:${arnAccount}:alarm:dead-letters` });
    expect(await byService('cloudwatch.amazonaws.com', 'kms:GenerateDataKey', KEY, policy, alarm(ACCOUNT))).toBe('Allowed');
    expect(await byService('cloudwatch.amazonaws.com', 'kms:GenerateDataKey', KEY, policy, alarm(ACCOUNT, OTHER))).not.toBe('Allowed');
  });

  it("the dead-letter queue takes EventBridge's dead letters from this stage's enforce rules only (aws:SourceArn)", async () => {
    const policy = policyOf('DeadLetterQueuePolicy', 'PolicyDocument');
    const rule = (arn: string) => ({ 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': arn });
    const ruleNames = Object.values(template.Resources)
      .filter((r) => r.Type === 'AWS::Events::Rule' && String(r.Properties?.Name ?? '').includes('-enforce-rule-'))
      .map((r) => (r.Properties!.EventBusName ? `sagemaker-isolation-guard-test/${r.Properties!.Name}` : String(r.Properties!.Name)));
    expect(ruleNames).toHaveLength(2);
    for (const name of ruleNames) expect(await byService('events.amazonaws.com', 'sqs:SendMessage', QUEUE, policy, rule(`arn:aws:events:${REGION}:${ACCOUNT}:rule/${name}`)), name).toBe('Allowed');
    expect(await byService('events.amazonaws.com', 'sqs:SendMessage', QUEUE, policy, rule(`arn:aws:events:${REGION}:${ACCOUNT}:rule/someone-elses-rule`))).not.toBe('Allowed');
  });
});
