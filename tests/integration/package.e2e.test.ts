import { join } from 'node:path';
import { existsSync, statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cfnLint } from '../support/cfn-lint.js';
import { ownFixturePath, publicFixturePath, readJson } from '../support/fixtures.js';
import {
  disposePackagedServices,
  functionArtifact,
  invokePackagedHandler,
  lambdaFunction,
  packageService,
  patternRules,
  readZip,
  resourcesOfType,
  ruleEventPattern,
  type CfnResource,
  type CfnTemplate,
  type PackagedService,
} from '../../local-aws/packaged-template.js';
import { normalizeTemplate } from '../support/template-snapshot.js';

// The real `serverless package --stage test --region eu-west-1` (osls + serverless-esbuild), offline
// and without AWS credentials; then what it produced: the CloudFormation template that `deploy` would
// send and the function's zip.

const EXPECTED_PATTERN = {
  'source': ['aws.sagemaker'],
  'detail-type': ['AWS API Call via CloudTrail'],
  'detail': { eventSource: ['sagemaker.amazonaws.com'], eventName: ['CreateModel'] },
};
const PARAMS = { slackWebhookParameter: '/isolation-guard/slack-webhook' };
const MODEL_ARN = { 'Fn::Sub': 'arn:${AWS::Partition}:sagemaker:${AWS::Region}:${AWS::AccountId}:model/*' };

interface Statement {
  Effect: 'Allow' | 'Deny';
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: unknown;
  NotResource?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
  Principal?: unknown;
}

const PSEUDO = { 'AWS::Partition': 'aws', 'AWS::Region': 'eu-west-1', 'AWS::AccountId': '123456789012' };

/** Evaluates the string functions CloudFormation would (Fn::Sub on pseudo parameters, Fn::Split, Fn::Join). */
function evaluateIntrinsic(node: unknown, pseudo: Record<string, string>): any {
  if (typeof node === 'string') return node;
  if (Array.isArray(node)) return node.map((item) => evaluateIntrinsic(item, pseudo));
  const entry = Object.entries(node as Record<string, unknown>)[0]!;
  const [fn, args] = entry as [string, any];
  if (fn === 'Fn::Sub') return String(args).replace(/\$\{([^}]+)\}/g, (_, name: string) => pseudo[name] ?? `<${name}>`);
  if (fn === 'Fn::Split') return String(evaluateIntrinsic(args[1], pseudo)).split(args[0]);
  if (fn === 'Fn::Join') return (evaluateIntrinsic(args[1], pseudo) as string[]).join(args[0]);
  throw new Error(`not evaluated here: ${fn}`);
}

const list = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/** Every policy statement anywhere in the template (role policies, trust policies, resource policies). */
function allStatements(node: unknown, path = '$'): Array<{ path: string; statement: Statement }> {
  if (Array.isArray(node)) return node.flatMap((item, i) => allStatements(item, `${path}[${i}]`));
  if (typeof node !== 'object' || node === null) return [];
  const found: Array<{ path: string; statement: Statement }> = [];
  for (const [key, value] of Object.entries(node)) {
    if (key === 'Statement') {
      list(value as Statement | Statement[]).forEach((statement, i) => found.push({ path: `${path}.Statement[${i}]`, statement }));
    } else {
      found.push(...allStatements(value, `${path}.${key}`));
    }
  }
  return found;
}

/** The EventBridge envelope of a CloudTrail record, as EventBridge delivers "AWS API Call via CloudTrail". */
function eventBridgeEnvelope(record: Record<string, any>, id: string) {
  return {
    'version': '0',
    id,
    'detail-type': 'AWS API Call via CloudTrail',
    'source': 'aws.sagemaker',
    'account': record.recipientAccountId,
    'time': record.eventTime,
    'region': record.awsRegion,
    'resources': [],
    'detail': record,
  };
}

/** EventBridge matching for the pattern subset the rule uses (exact values in arrays, nested objects). */
function matches(pattern: Record<string, unknown>, event: unknown): boolean {
  if (typeof event !== 'object' || event === null) return false;
  return Object.entries(pattern).every(([key, expected]) => {
    const actual = (event as Record<string, unknown>)[key];
    if (Array.isArray(expected)) {
      if (!expected.every((value) => typeof value === 'string')) throw new Error(`unsupported pattern at ${key}`);
      return list(actual as unknown).some((value) => expected.includes(value as string));
    }
    return matches(expected as Record<string, unknown>, actual);
  });
}

describe('serverless package (osls, offline)', () => {
  let packaged: PackagedService;
  let template: CfnTemplate;
  let enforceId: string;
  let enforce: CfnResource;

  beforeAll(async () => {
    // The Slack parameter as AWS names it (leading slash): its ARN must not come out as `parameter//...`.
    packaged = await packageService({ stage: 'test', region: 'eu-west-1', params: PARAMS });
    template = packaged.template;
    [enforceId, enforce] = lambdaFunction(template, 'enforce');
    console.info(`serverless package took ${packaged.durationMs} ms`);
  }, 180_000);

  afterAll(() => disposePackagedServices());

  // serverless.yml keeps provider, params and functions; the resources come from resources/*.yml.
  // The snapshot was taken from the single-file serverless.yml before that split, so the split (and
  // any later reshuffle of the files) must package exactly the same template. A deliberate change to
  // the template updates it: `npx vitest run tests/integration/package.e2e.test.ts -u`, then review the diff.
  it('packages the same template as the committed snapshot (volatile S3 keys, hashes and version ids aside)', async () => {
    await expect(JSON.stringify(normalizeTemplate(template), null, 2) + '\n').toMatchFileSnapshot('../fixtures/packaged-template.snapshot.json');
  });

  it('has two CreateModel rules with the exact pattern: the default bus, and the central bus for member accounts', () => {
    const rules = patternRules(template);
    expect(rules).toHaveLength(2);
    for (const [, rule] of rules) {
      expect(rule.Properties!.EventPattern).toStrictEqual(EXPECTED_PATTERN);
      expect(rule.Properties!.State).toBe('ENABLED');
    }
    expect(rules.map(([, rule]) => rule.Properties!.EventBusName ?? 'default').map((bus) => JSON.stringify(bus)).sort()).toStrictEqual(
      [JSON.stringify({ 'Fn::GetAtt': ['CentralEventBus', 'Name'] }), '"default"'].sort(),
    );
    expect(ruleEventPattern(template)).toStrictEqual(EXPECTED_PATTERN);
  });

  it('lets only the organisation put events on the central bus', () => {
    const policy = template.Resources.CentralEventBusPolicy!;
    expect(policy.Condition).toBe('HasOrganization');
    expect(policy.Properties!.Statement).toStrictEqual({
      Effect: 'Allow',
      Principal: '*',
      Action: 'events:PutEvents',
      Resource: { 'Fn::GetAtt': ['CentralEventBus', 'Arn'] },
      Condition: { StringEquals: { 'aws:PrincipalOrgID': '' } },
    });
  });

  it('the rule matches CreateModel events and not their neighbours', () => {
    const pattern = ruleEventPattern(template);
    const publicCreateModel = eventBridgeEnvelope(
      readJson(publicFixturePath('01_createmodel_doc_iamuser_isolation_absent.json')) as Record<string, any>,
      'f1a2b3c4-0000-4000-8000-000000000001',
    );
    expect(matches(pattern, publicCreateModel)).toBe(true);
    expect(matches(pattern, readJson(ownFixturePath('eventbridge_createmodel_isolated.json')))).toBe(true);
    expect(matches(pattern, readJson(publicFixturePath('31_eb_neighbour_training_job_state_change_doc.json')))).toBe(false);
    expect(matches(pattern, readJson(publicFixturePath('33_eb_neighbour_logs_createloggroup_cfn.json')))).toBe(false);
    const createEndpoint = eventBridgeEnvelope(
      readJson(publicFixturePath('17_neighbour_createendpoint_doc.json')) as Record<string, any>,
      'f1a2b3c4-0000-4000-8000-000000000002',
    );
    expect(matches(pattern, createEndpoint)).toBe(false);
  });

  it('each rule targets the enforce function, which lets EventBridge invoke it for that rule only', () => {
    const permissions = resourcesOfType(template, 'AWS::Lambda::Permission')
      .map(([, p]) => p.Properties!)
      .filter((p) => JSON.stringify(p.FunctionName).includes(enforceId));
    expect(permissions).toHaveLength(2);
    for (const [ruleId, rule] of patternRules(template)) {
      expect(rule.Properties!.Targets).toHaveLength(1);
      expect(rule.Properties!.Targets[0].Arn).toStrictEqual({ 'Fn::GetAtt': [enforceId, 'Arn'] });
      // Scoped to this rule, not to any rule in the account.
      const mine = permissions.filter((p) => JSON.stringify(p.SourceArn).includes(rule.Properties!.Name));
      expect(mine).toHaveLength(1);
      expect(mine[0]).toMatchObject({ Action: 'lambda:InvokeFunction', Principal: 'events.amazonaws.com', FunctionName: { 'Fn::GetAtt': [enforceId, 'Arn'] } });
      expect(ruleId).toMatch(/EventBridgeRule\d*$/);
    }
  });

  it('runs the function on Node.js 22 or newer, on arm64', () => {
    const runtime = String(enforce.Properties!.Runtime);
    expect(runtime).toMatch(/^nodejs\d+\.x$/);
    expect(Number(/^nodejs(\d+)\.x$/.exec(runtime)![1])).toBeGreaterThanOrEqual(22);
    expect(enforce.Properties!.Architectures).toStrictEqual(['arm64']);
    expect(enforce.Properties!.Handler).toBe('functions/enforce.handler');
    expect(enforce.Properties!.MemorySize).toBe(256);
    expect(enforce.Properties!.Timeout).toBe(30);
  });

  it('passes the stage parameters to the function as ISOLATION_GUARD_* variables', () => {
    expect(enforce.Properties!.Environment.Variables).toStrictEqual({
      ISOLATION_GUARD_MODE: 'alert',
      ISOLATION_GUARD_AUTO_FIX_TAG_KEY: 'isolation-guard:auto-fix',
      ISOLATION_GUARD_DRY_RUN: 'false',
      ISOLATION_GUARD_EXEMPT_TAG_KEYS: '',
      ISOLATION_GUARD_EXEMPT_MODEL_NAME_PATTERNS: '',
      ISOLATION_GUARD_EXEMPT_PRINCIPAL_PATTERNS: '',
      ISOLATION_GUARD_IAC_TAG_KEYS: '',
      ISOLATION_GUARD_SLACK_WEBHOOK_PARAMETER: '/isolation-guard/slack-webhook',
      ISOLATION_GUARD_FINDING_BUS_NAME: 'default',
      ISOLATION_GUARD_MEMBER_ROLE_NAME: '',
      ISOLATION_GUARD_EXTERNAL_ID_PARAMETER: '',
      ISOLATION_GUARD_ACCOUNT_NAMES: '',
      ISOLATION_GUARD_EXCEPTIONS: 'exceptions.json',
      ISOLATION_GUARD_CLASSIFICATION_TAG_KEY: 'data-classification',
      ISOLATION_GUARD_CLASSES: '',
      ISOLATION_GUARD_ENVIRONMENT_TAG_KEY: 'environment',
      ISOLATION_GUARD_PRODUCTION_VALUES: 'prod,production',
      ISOLATION_GUARD_SECURITY_HUB: 'false',
      ISOLATION_GUARD_TOPIC_ARN: { Ref: 'AlertTopic' },
      ISOLATION_GUARD_IDEMPOTENCY_TABLE: { Ref: 'IdempotencyTable' },
      POWERTOOLS_SERVICE_NAME: 'sagemaker-isolation-guard',
      POWERTOOLS_METRICS_NAMESPACE: 'SageMakerIsolationGuard',
    });
  });

  it('sends events it could not handle to the dead-letter queue, whose alarm notifies the alert topic', () => {
    const config = resourcesOfType(template, 'AWS::Lambda::EventInvokeConfig')
      .map(([, r]) => r.Properties!)
      .filter((c) => JSON.stringify(c.FunctionName).includes(enforceId));
    expect(config).toHaveLength(1);
    expect(config[0]).toMatchObject({
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': ['DeadLetterQueue', 'Arn'] } } },
    });
    const [[, rule]] = patternRules(template) as [[string, CfnResource]];
    expect(rule.Properties!.Targets[0].DeadLetterConfig).toStrictEqual({ Arn: { 'Fn::GetAtt': ['DeadLetterQueue', 'Arn'] } });
    const [[, alarm]] = resourcesOfType(template, 'AWS::CloudWatch::Alarm') as [[string, CfnResource]];
    expect(alarm.Properties).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': ['DeadLetterQueue', 'QueueName'] } }],
      AlarmActions: [{ Ref: 'AlertTopic' }],
    });
  });

  it('keeps effects once per event in a DynamoDB table with a TTL', () => {
    const table = template.Resources.IdempotencyTable!.Properties!;
    expect(table.KeySchema).toStrictEqual([{ AttributeName: 'id', KeyType: 'HASH' }]);
    expect(table.TimeToLiveSpecification).toStrictEqual({ AttributeName: 'expiresAt', Enabled: true });
    expect(table.SSESpecification).toStrictEqual({ SSEEnabled: true });
  });

  it('grants no wildcard action anywhere in the template', () => {
    const statements = allStatements(template.Resources);
    expect(statements.length).toBeGreaterThan(0);
    for (const { path, statement } of statements) {
      // NotAction in an Allow grants everything else: never.
      if (statement.Effect === 'Allow') expect(statement.NotAction, path).toBeUndefined();
      const wildcards = [...list(statement.Action), ...list(statement.NotAction)].filter((action) => action.includes('*'));
      if (wildcards.length === 0) continue;
      // The exceptions grant nothing: osls's deployment bucket policy and the evidence bucket's
      // policy deny every S3 action (`s3:*`) to requests not made over TLS.
      expect({ path, effect: statement.Effect, wildcards, condition: statement.Condition }).toStrictEqual({
        path: expect.stringMatching(/^\$\.(ServerlessDeploymentBucketPolicy|EvidenceBucketPolicy)\./),
        effect: 'Deny',
        wildcards: ['s3:*'],
        condition: { Bool: { 'aws:SecureTransport': false } },
      });
    }
  });

  it('gives the enforce function its own role with exactly the permissions it needs', () => {
    const roles = resourcesOfType(template, 'AWS::IAM::Role');
    expect(roles.map(([id]) => id).sort()).toStrictEqual(['EnforceRole', 'HistoryRole', 'SweepPlannerRole', 'SweepRole', 'SweepWorkerRole']);
    expect(enforce.Properties!.Role).toStrictEqual({ 'Fn::GetAtt': ['EnforceRole', 'Arn'] });
    const role = template.Resources.EnforceRole!.Properties!;
    expect(role.ManagedPolicyArns).toBeUndefined();
    expect(role.AssumeRolePolicyDocument.Statement).toStrictEqual([
      { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
    ]);

    // Conditional statements (Fn::If) count with both branches: DeleteModel only in delete mode,
    // ssm:GetParameters only when a Slack parameter is configured.
    const grants = new Map<string, unknown[]>();
    const conditional = new Map<string, string>();
    for (const policy of role.Policies as Array<{ PolicyDocument: { Statement: Array<Statement | { 'Fn::If': [string, Statement, unknown] }> } }>) {
      for (const entry of policy.PolicyDocument.Statement) {
        const statement = 'Fn::If' in entry ? entry['Fn::If'][1] : entry;
        if ('Fn::If' in entry) {
          expect(entry['Fn::If'][2]).toStrictEqual({ Ref: 'AWS::NoValue' });
          for (const action of list(statement.Action)) conditional.set(action, entry['Fn::If'][0]);
        }
        expect(statement.Effect).toBe('Allow');
        expect(statement.NotResource).toBeUndefined();
        // Only the member role's grant is conditioned (aws:ResourceOrgID, when an organisation is named).
        if (!list(statement.Action).includes('sts:AssumeRole')) expect(statement.Condition).toBeUndefined();
        for (const action of list(statement.Action)) grants.set(action, [...(grants.get(action) ?? []), ...list(statement.Resource)]);
      }
    }
    expect([...grants.keys()].sort()).toStrictEqual(
      [
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'sagemaker:AddTags',
        'sagemaker:DescribeModel',
        'sagemaker:DeleteModel',
        'sagemaker:ListTags',
        'sns:Publish',
        'kms:GenerateDataKey',
        'kms:Decrypt',
        'events:PutEvents',
        'dynamodb:PutItem',
        'dynamodb:GetItem',
        'dynamodb:UpdateItem',
        'dynamodb:DeleteItem',
        'sqs:SendMessage',
        'ssm:GetParameters',
        'ssm:GetParameter',
        'sts:AssumeRole',
        'securityhub:BatchImportFindings',
      ].sort(),
    );
    expect(grants.get('sagemaker:DescribeModel')).toStrictEqual([MODEL_ARN]);
    expect(grants.get('sagemaker:AddTags')).toStrictEqual([MODEL_ARN]);
    expect(grants.get('sagemaker:ListTags')).toStrictEqual([MODEL_ARN]);
    expect(grants.get('sagemaker:DeleteModel')).toStrictEqual([MODEL_ARN]);
    expect(Object.fromEntries(conditional)).toStrictEqual({
      'sagemaker:DeleteModel': 'MayDelete',
      'ssm:GetParameters': 'HasSlack',
      'sts:AssumeRole': 'HasMemberRole',
      'ssm:GetParameter': 'ReadsExternalId',
      'securityhub:BatchImportFindings': 'HasSecurityHub',
    });
    // DeleteModel: the stage's mode is delete, or a data class's mode is (iac/class-modes.cjs read `classes`: none here).
    expect(template.Conditions).toMatchObject({
      MayDelete: { 'Fn::Or': [{ Condition: 'IsDeleteMode' }, { Condition: 'ClassesDelete' }] },
      ClassesDelete: { 'Fn::Equals': ['false', 'true'] },
      HasSecurityHub: { 'Fn::Equals': ['false', 'true'] },
    });
    // Security Hub: the one import action, on the account's own product only.
    expect(grants.get('securityhub:BatchImportFindings')).toStrictEqual([
      { 'Fn::Sub': 'arn:${AWS::Partition}:securityhub:${AWS::Region}:${AWS::AccountId}:product/${AWS::AccountId}/default' },
    ]);
    expect(grants.get('sts:AssumeRole')).toStrictEqual([{ 'Fn::Sub': 'arn:${AWS::Partition}:iam::*:role/' }]);
    expect(template.Conditions).toMatchObject({ IsDeleteMode: { 'Fn::Equals': ['alert', 'delete'] } });
    // The parameter's ARN as IAM sees it: `parameter/isolation-guard/slack-webhook`, one slash.
    expect(grants.get('ssm:GetParameters')!.map((resource) => evaluateIntrinsic(resource, PSEUDO))).toStrictEqual([
      'arn:aws:ssm:eu-west-1:123456789012:parameter/isolation-guard/slack-webhook',
    ]);
    expect(grants.get('sns:Publish')).toStrictEqual([{ Ref: 'AlertTopic' }]);
    expect(grants.get('kms:Decrypt')).toStrictEqual([{ 'Fn::GetAtt': ['AlertKey', 'Arn'] }]);
    expect(grants.get('dynamodb:PutItem')).toStrictEqual([{ 'Fn::GetAtt': ['IdempotencyTable', 'Arn'] }]);
    expect(grants.get('sqs:SendMessage')).toStrictEqual([{ 'Fn::GetAtt': ['DeadLetterQueue', 'Arn'] }]);
    expect(grants.get('events:PutEvents')).toStrictEqual([
      { 'Fn::Sub': 'arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/default' },
    ]);

    // Logs: only the function's own log group (its Arn ends in `:*`, the group's streams).
    const logGroup = { 'Fn::GetAtt': ['EnforceLogGroup', 'Arn'] };
    expect(grants.get('logs:CreateLogStream')).toStrictEqual([logGroup]);
    expect(grants.get('logs:PutLogEvents')).toStrictEqual([logGroup]);
    expect(template.Resources.EnforceLogGroup!.Properties!.LogGroupName).toBe(`/aws/lambda/${enforce.Properties!.FunctionName}`);
  });

  it('grants recreate mode (RecreatePolicy, attached to the remediating roles) only when the stage or a class runs it, with exact actions', () => {
    const policy = template.Resources.RecreatePolicy!;
    expect(policy.Condition).toBe('MayRecreate');
    expect(template.Conditions).toMatchObject({
      MayRecreate: { 'Fn::Or': [{ Condition: 'IsRecreateMode' }, { Condition: 'ClassesRecreate' }] },
      IsRecreateMode: { 'Fn::Equals': ['alert', 'recreate'] },
      ClassesRecreate: { 'Fn::Equals': ['false', 'true'] },
    });
    expect(policy.Properties!.Roles).toStrictEqual([{ Ref: 'EnforceRole' }, { Ref: 'SweepRole' }, { Ref: 'SweepWorkerRole' }]);
    const statements = policy.Properties!.PolicyDocument.Statement as Statement[];
    const actions = statements.flatMap((s) => list(s.Action));
    expect(actions.every((action) => !action.includes('*'))).toBe(true);
    expect(statements.filter((s) => s.Resource === '*').flatMap((s) => list(s.Action))).toStrictEqual(['sagemaker:ListEndpointConfigs', 'sagemaker:ListEndpoints']);
    expect(actions).toEqual(expect.arrayContaining(['sagemaker:CreateModel', 'sagemaker:CreateEndpointConfig', 'sagemaker:UpdateEndpoint', 'iam:PassRole']));
    expect(statements.find((s) => list(s.Action).includes('sagemaker:CreateModel'))!.Condition).toStrictEqual({
      Bool: { 'sagemaker:NetworkIsolation': 'true' },
      StringEquals: { 'aws:RequestTag/isolation-guard:auto-fix': 'allowed' },
    });
  });

  it('gives the sweep its own role: ListModels (no resource-level permission) and model actions on model ARNs', () => {
    const [, sweep] = lambdaFunction(template, 'sweep');
    expect(sweep.Properties!.Role).toStrictEqual({ 'Fn::GetAtt': ['SweepRole', 'Arn'] });
    const statements = (template.Resources.SweepRole!.Properties!.Policies[0].PolicyDocument.Statement as Array<Statement | { 'Fn::If': [string, Statement, unknown] }>).map(
      (entry) => ('Fn::If' in entry ? entry['Fn::If'][1] : entry),
    );
    const starResources = statements.filter((s) => s.Resource === '*').flatMap((s) => list(s.Action));
    expect(starResources).toStrictEqual(['sagemaker:ListModels', 'organizations:ListAccounts']);
    const modelActions = statements.filter((s) => JSON.stringify(s.Resource).includes(':model/*')).flatMap((s) => list(s.Action));
    expect(modelActions.sort()).toStrictEqual(['sagemaker:AddTags', 'sagemaker:DeleteModel', 'sagemaker:DescribeModel', 'sagemaker:ListTags']);
    expect(statements.find((s) => list(s.Action).includes('s3:PutObject'))?.Resource).toStrictEqual({ 'Fn::Sub': '${EvidenceBucket.Arn}/inventory/*' });
    const schedules = resourcesOfType(template, 'AWS::Events::Rule').map(([, r]) => r.Properties?.ScheduleExpression).filter(Boolean);
    // The single sweep and the fan-out's planner share the schedule; sweepTopology enables one of them.
    expect(schedules.sort()).toStrictEqual(['cron(0 6 1 * ? *)', 'rate(1 day)', 'rate(1 day)']);
    const bucket = template.Resources.EvidenceBucket!.Properties!;
    expect(bucket.VersioningConfiguration).toStrictEqual({ Status: 'Enabled' });
    expect(bucket.PublicAccessBlockConfiguration).toStrictEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
    // Evidence outlives the stack: neither `serverless remove` nor a replacement deletes it.
    expect(template.Resources.EvidenceBucket).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  it('gives the history function its own role: LookupEvents, the trail bucket only when named, reports under reports/', () => {
    const [, history] = lambdaFunction(template, 'history');
    expect(history.Properties!.Role).toStrictEqual({ 'Fn::GetAtt': ['HistoryRole', 'Arn'] });
    const entries = template.Resources.HistoryRole!.Properties!.Policies[0].PolicyDocument.Statement as Array<Statement | { 'Fn::If': [string, Statement, unknown] }>;
    const statements = entries.map((entry) => ('Fn::If' in entry ? entry['Fn::If'][1] : entry));
    expect(statements.filter((s) => s.Resource === '*').flatMap((s) => list(s.Action))).toStrictEqual(['cloudtrail:LookupEvents']);
    expect(entries.flatMap((e) => ('Fn::If' in e ? [e['Fn::If'][0]] : []))).toStrictEqual(['HasTrailBucket', 'HasMemberRole', 'ReadsExternalId', ...Array(5).fill('UsesAthena')]);
    expect(statements.find((s) => list(s.Action).includes('s3:PutObject'))?.Resource).toStrictEqual({ 'Fn::Sub': '${EvidenceBucket.Arn}/reports/*' });
  });

  it('encrypts the alert topic with a key CloudWatch alarms may use, and outputs its ARN', () => {
    const topics = resourcesOfType(template, 'AWS::SNS::Topic');
    expect(topics.map(([id]) => id)).toStrictEqual(['AlertTopic']);
    expect(topics[0]![1].Properties!.KmsMasterKeyId).toStrictEqual({ Ref: 'AlertKey' });
    const keyPolicy = template.Resources.AlertKey!.Properties!.KeyPolicy.Statement as Statement[];
    expect(keyPolicy.find((s) => JSON.stringify(s.Principal).includes('cloudwatch.amazonaws.com'))?.Action).toStrictEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
    expect(template.Outputs?.AlertTopicArn?.Value).toStrictEqual({ Ref: 'AlertTopic' });
  });

  it('lets CloudWatch use the key only for this account, and the member role be assumed only in the organisation', () => {
    const keyPolicy = template.Resources.AlertKey!.Properties!.KeyPolicy.Statement as Statement[];
    const cloudWatch = keyPolicy.find((s) => JSON.stringify(s.Principal).includes('cloudwatch.amazonaws.com')) as Statement & { Condition?: unknown };
    expect(cloudWatch.Condition).toStrictEqual({
      StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
      ArnLike: { 'aws:SourceArn': { 'Fn::Sub': 'arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:*' } },
    });
    for (const roleId of ['EnforceRole', 'SweepRole']) {
      const statements = template.Resources[roleId]!.Properties!.Policies[0].PolicyDocument.Statement as Array<Record<string, any>>;
      const assume = statements.map((s) => s['Fn::If']?.[1]).find((s) => s?.Sid === 'AssumeMemberRole');
      expect(assume?.Condition, roleId).toStrictEqual({ 'Fn::If': ['HasOrganization', { StringEquals: { 'aws:ResourceOrgID': '' } }, { Ref: 'AWS::NoValue' }] });
    }
  });

  it('keeps evidence over TLS only, and retains it by default (Object Lock, GOVERNANCE, 365 days)', () => {
    const policy = template.Resources.EvidenceBucketPolicy!.Properties!.PolicyDocument.Statement as Array<Record<string, any>>;
    expect(policy).toStrictEqual([
      expect.objectContaining({ Effect: 'Deny', Principal: '*', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': false } } }),
    ]);
    expect(template.Conditions).toMatchObject({ HasEvidenceObjectLock: { 'Fn::Not': [{ 'Fn::Equals': ['on', 'off'] }] } });
    expect(template.Resources.EvidenceBucket!.Properties!.ObjectLockEnabled).toStrictEqual({ 'Fn::If': ['HasEvidenceObjectLock', true, { Ref: 'AWS::NoValue' }] });
    expect(template.Resources.EvidenceBucket!.Properties!.ObjectLockConfiguration).toStrictEqual({
      'Fn::If': ['HasEvidenceObjectLock', { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: '365' } } }, { Ref: 'AWS::NoValue' }],
    });
  });

  it('packages each function as a zip under 1 MiB holding its bundled ESM handler and the exception register only (no source map)', () => {
    const handlers = { enforce: 'enforce', sweep: 'sweep', history: 'history', sweepPlanner: 'sweep-planner', sweepWorker: 'sweep-worker' };
    for (const [name, file] of Object.entries(handlers)) {
      const zip = functionArtifact(packaged.dir, name);
      expect([...readZip(zip).keys()].sort(), name).toStrictEqual(['exceptions.json', `functions/${file}.mjs`]);
      expect(statSync(zip).size, name).toBeLessThan(1024 * 1024);
    }
    const zip = functionArtifact(packaged.dir, 'enforce');
    expect(existsSync(zip)).toBe(true);
    const entries = readZip(zip);
    // The exception register travels with the code (README "Exceptions").
    expect(JSON.parse(entries.get('exceptions.json')!.toString('utf8'))).toStrictEqual({ exceptions: [] });
    const bundle = entries.get('functions/enforce.mjs')!.toString('utf8');
    // Bundled: middy's code is inside, and no bare package import is left for node_modules to satisfy.
    expect(bundle).toContain('@middy/core');
    expect(bundle).not.toMatch(/^\s*import\s[^;]*?from\s*["'](?!node:)[^"'./][^"']*["']/m);
    expect(bundle).toMatch(/export\s*\{[^}]*\bhandler\b[^}]*\}/);
  });

  it('the packaged bundle loads in plain Node and decides an isolated CreateModel with no AWS call', async () => {
    const own = readJson(ownFixturePath('eventbridge_createmodel_isolated.json')) as { id: string };
    // No credentials and no endpoint: a compliant request needs no AWS call at all.
    const result = (await invokePackagedHandler(packaged, 'enforce', own, {
      env: { AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_ENDPOINT_URL: 'http://127.0.0.1:9', POWERTOOLS_METRICS_DISABLED: 'true' },
    })) as { handled: { decision: { verdict: string; modelName: string }; channels: Record<string, string> } };
    expect(result.handled.decision).toMatchObject({ verdict: 'compliant', modelName: 'churn-xgb-2026-11-02' });
    expect(result.handled.channels).toStrictEqual({ sns: 'not-needed', slack: 'not-needed', finding: 'not-needed' });
  });

  it('the packaged bundle reads the register beside it at cold start, and refuses to start on one it cannot read', async () => {
    const own = readJson(ownFixturePath('eventbridge_createmodel_isolated.json'));
    const env = { AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_ENDPOINT_URL: 'http://127.0.0.1:9', POWERTOOLS_METRICS_DISABLED: 'true' };
    await expect(invokePackagedHandler(packaged, 'enforce', own, { env: { ...env, ISOLATION_GUARD_EXCEPTIONS: 'exceptions.json' } })).resolves.toMatchObject({
      handled: { decision: { verdict: 'compliant' } },
    });
    await expect(invokePackagedHandler(packaged, 'enforce', own, { env: { ...env, ISOLATION_GUARD_EXCEPTIONS: 'missing.yml' } })).rejects.toThrow(
      /missing\.yml: cannot read the exception register \(ENOENT\)/,
    );
    // The fanned-out sweep's planner and workers read it too: the workers decide with it, and the
    // merge (a worker's, or the planner's for a run left incomplete) sends its expiry reminders.
    for (const name of ['sweepPlanner', 'sweepWorker']) {
      const [, fn] = lambdaFunction(template, name);
      expect(fn.Properties!.Environment.Variables.ISOLATION_GUARD_EXCEPTIONS, name).toBe('exceptions.json');
      await expect(invokePackagedHandler(packaged, name, {}, { env: { ...env, ISOLATION_GUARD_EXCEPTIONS: 'missing.yml' } }), name).rejects.toThrow(
        /missing\.yml: cannot read the exception register \(ENOENT\)/,
      );
    }
  });

  it('gives the sweep Security Hub and class-mode deletion under the same conditions as enforce', () => {
    const entries = template.Resources.SweepRole!.Properties!.Policies[0].PolicyDocument.Statement as Array<Statement | { 'Fn::If': [string, Statement, unknown] }>;
    const conditional = Object.fromEntries(entries.flatMap((e) => ('Fn::If' in e ? list(e['Fn::If'][1].Action).map((a) => [a, e['Fn::If'][0]]) : [])));
    expect(conditional).toMatchObject({ 'sagemaker:DeleteModel': 'MayDelete', 'securityhub:BatchImportFindings': 'HasSecurityHub' });
    const history = JSON.stringify(template.Resources.HistoryRole);
    expect(history).not.toContain('securityhub');
  });

  it('the packaged bundle skips an event that is not a CreateModel call', async () => {
    const event = eventBridgeEnvelope(readJson(publicFixturePath('17_neighbour_createendpoint_doc.json')) as Record<string, any>, 'e-1');
    await expect(invokePackagedHandler(packaged, 'enforce', event, { env: { AWS_REGION: 'eu-west-1', POWERTOOLS_METRICS_DISABLED: 'true' } })).resolves.toStrictEqual({
      skipped: 'not a SageMaker CreateModel call (CreateEndpoint)',
    });
  });

  it('keeps class names in every bundle (esbuild keepNames): an error in the logs is named as in the code, not minified', async () => {
    for (const name of ['enforce', 'sweep', 'history', 'sweepPlanner', 'sweepWorker']) {
      const file = [...readZip(functionArtifact(packaged.dir, name)).entries()].find(([entry]) => entry.endsWith('.mjs'))![1].toString('utf8');
      // keepNames pins each class's name where it is defined (`static{e(this,"IsolationGuardError")}`): the base of every error of ours.
      expect(/[\w$]+\((?:this|[\w$]+), ?"IsolationGuardError"\)/.test(file), `${name}: IsolationGuardError's name kept`).toBe(true);
    }
    // What an operator reads: the packaged enforce function given something that is no event logs and throws its error by name.
    const failure = await invokePackagedHandler(packaged, 'enforce', { not: 'an event' }, { env: { AWS_REGION: 'eu-west-1', POWERTOOLS_METRICS_DISABLED: 'true' } }).then(
      () => expect.unreachable('the invocation succeeded'),
      (error: Error) => error.message,
    );
    // (The message is the whole output, source-mapped lines included: assert on the line, print only it.)
    expect(failure.split('\n').find((line) => line.includes('(input): not a CloudTrail record'))).toMatch(/^RecordValidationError: \(input\)/);
  });

  it('cfn-lint finds no error in the packaged templates (AWS\'s resource specifications)', async () => {
    const templates = ['cloudformation-template-create-stack.json', 'cloudformation-template-update-stack.json'].map((file) => join(packaged.dir, file));
    const errors = (await cfnLint(templates, ['eu-west-1'])).filter((m) => m.Level === 'Error').map((m) => `${m.Rule.Id} ${m.Message}`);
    expect(errors).toEqual([]);
  }, 180_000);

  it('packages once per process: later callers get the same artifact', async () => {
    await expect(packageService({ stage: 'test', region: 'eu-west-1', params: PARAMS })).resolves.toBe(packaged);
  });

  // Organisation scale (docs/organisation-scale.md): the history Lambda on Athena, the fanned-out sweep.
  const statementsOf = (roleId: string) =>
    (template.Resources[roleId]!.Properties!.Policies[0].PolicyDocument.Statement as Array<Statement | { 'Fn::If': [string, Statement, unknown] }>).map((entry) =>
      'Fn::If' in entry ? { condition: entry['Fn::If'][0], statement: entry['Fn::If'][1] } : { condition: null, statement: entry },
    );

  it('gives the history function Athena on its workgroup, Glue on the one table, results under athena-results/, only when auditSource is athena:', () => {
    const athena = statementsOf('HistoryRole').filter((s) => s.condition === 'UsesAthena').map((s) => s.statement);
    expect(template.Conditions).toMatchObject({ UsesAthena: { 'Fn::Equals': ['lookup', 'athena'] } });
    const bySid = Object.fromEntries(athena.map((s) => [(s as Statement & { Sid: string }).Sid, s]));
    expect(list(bySid.AthenaQueries!.Action).sort()).toStrictEqual(['athena:GetQueryExecution', 'athena:GetQueryResults', 'athena:StartQueryExecution', 'athena:StopQueryExecution']);
    // Resolved from auditSource at packaging: empty here (auditSource=lookup), as the condition is false.
    expect(bySid.AthenaQueries!.Resource).toStrictEqual({ 'Fn::Sub': 'arn:${AWS::Partition}:athena:${AWS::Region}:${AWS::AccountId}:workgroup/' });
    expect(list(bySid.AthenaTableMetadata!.Action).sort()).toStrictEqual(['glue:GetDatabase', 'glue:GetTable']);
    expect(JSON.stringify(bySid.AthenaTableMetadata!.Resource)).toContain(':table/');
    expect(JSON.stringify(bySid.AthenaTableMetadata!.Resource)).not.toContain('*');
    expect(bySid.AthenaResults!.Resource).toStrictEqual({ 'Fn::Sub': '${EvidenceBucket.Arn}/athena-results/*' });
    expect(bySid.AthenaListResults!.Condition).toStrictEqual({ StringLike: { 's3:prefix': 'athena-results/*' } });
    const [, history] = lambdaFunction(template, 'history');
    expect(history.Properties!.Environment.Variables.ISOLATION_GUARD_ATHENA_OUTPUT_LOCATION).toStrictEqual({ 'Fn::Sub': 's3://${EvidenceBucket}/athena-results/' });
  });

  it('fans the sweep out over an SQS queue with a dead-letter queue and alarm; the planner and workers have their own roles', () => {
    const queue = template.Resources.SweepUnitsQueue!.Properties!;
    expect(queue.RedrivePolicy).toStrictEqual({ deadLetterTargetArn: { 'Fn::GetAtt': ['SweepUnitsDeadLetterQueue', 'Arn'] }, maxReceiveCount: 3 });
    expect(queue.VisibilityTimeout).toBe(6 * 900);
    const alarm = template.Resources.SweepUnitsDeadLetterAlarm!.Properties!;
    expect(alarm.AlarmActions).toStrictEqual([{ Ref: 'AlertTopic' }]);
    const [, worker] = lambdaFunction(template, 'sweepWorker');
    expect(worker.Properties!.Timeout).toBe(900);
    expect(worker.Properties!.Role).toStrictEqual({ 'Fn::GetAtt': ['SweepWorkerRole', 'Arn'] });
    const mapping = resourcesOfType(template, 'AWS::Lambda::EventSourceMapping').map(([, r]) => r.Properties!);
    expect(mapping).toHaveLength(1);
    expect(mapping[0]).toMatchObject({ BatchSize: 1, FunctionResponseTypes: ['ReportBatchItemFailures'], ScalingConfig: { MaximumConcurrency: 50 }, EventSourceArn: { 'Fn::GetAtt': ['SweepUnitsQueue', 'Arn'] } });

    const planner = statementsOf('SweepPlannerRole').map((s) => s.statement);
    expect(planner.filter((s) => s.Resource === '*').flatMap((s) => list(s.Action))).toStrictEqual(['organizations:ListAccounts']);
    expect(planner.find((s) => list(s.Action).includes('sqs:SendMessage') && JSON.stringify(s.Resource).includes('SweepUnitsQueue'))).toBeDefined();
    const workerStatements = statementsOf('SweepWorkerRole').map((s) => s.statement);
    expect(workerStatements.filter((s) => s.Resource === '*').flatMap((s) => list(s.Action))).toStrictEqual(['sagemaker:ListModels']);
    expect(list(workerStatements.find((s) => JSON.stringify(s.Resource).includes('SweepUnitsQueue'))!.Action).sort()).toStrictEqual(['sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ReceiveMessage']);
    expect(workerStatements.filter((s) => list(s.Action).includes('organizations:ListAccounts'))).toHaveLength(0);
    for (const role of ['SweepPlannerRole', 'SweepWorkerRole']) {
      const files = statementsOf(role).map((s) => s.statement).filter((s) => list(s.Action).includes('s3:GetObject'));
      expect(files.map((s) => s.Resource)).toStrictEqual([{ 'Fn::Sub': '${EvidenceBucket.Arn}/sweep-runs/*' }]);
    }
    // In the default single topology the planner's schedule is off and the single sweep's on.
    const rules = resourcesOfType(template, 'AWS::Events::Rule').filter(([, r]) => r.Properties?.ScheduleExpression === 'rate(1 day)');
    expect(rules.map(([, r]) => r.Properties!.State).sort()).toStrictEqual(['DISABLED', 'ENABLED']);
  });
});
