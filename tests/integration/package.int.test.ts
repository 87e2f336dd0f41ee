import { existsSync, statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
} from '../support/packaged-template.js';

// The real `serverless package --stage test --region eu-west-1` (osls + serverless-esbuild), offline
// and without AWS credentials; then what it produced: the CloudFormation template that `deploy` would
// send and the function's zip.

const EXPECTED_PATTERN = {
  'source': ['aws.sagemaker'],
  'detail-type': ['AWS API Call via CloudTrail'],
  'detail': { eventSource: ['sagemaker.amazonaws.com'], eventName: ['CreateModel'] },
};
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
    packaged = await packageService({ stage: 'test', region: 'eu-west-1' });
    template = packaged.template;
    [enforceId, enforce] = lambdaFunction(template, 'enforce');
    console.info(`serverless package took ${packaged.durationMs} ms`);
  }, 180_000);

  afterAll(() => disposePackagedServices());

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
      ISOLATION_GUARD_DRY_RUN: 'false',
      ISOLATION_GUARD_EXEMPT_TAG_KEYS: '',
      ISOLATION_GUARD_EXEMPT_MODEL_NAME_PATTERNS: '',
      ISOLATION_GUARD_EXEMPT_PRINCIPAL_PATTERNS: '',
      ISOLATION_GUARD_IAC_TAG_KEYS: '',
      ISOLATION_GUARD_SLACK_WEBHOOK_PARAMETER: '',
      ISOLATION_GUARD_FINDING_BUS_NAME: 'default',
      ISOLATION_GUARD_MEMBER_ROLE_NAME: '',
      ISOLATION_GUARD_EXTERNAL_ID: '',
      ISOLATION_GUARD_ACCOUNT_NAMES: '',
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
      // The one exception grants nothing: osls's deployment bucket policy denies every S3 action
      // (`s3:*`) to requests not made over TLS.
      expect({ path, effect: statement.Effect, wildcards, condition: statement.Condition }).toStrictEqual({
        path: expect.stringMatching(/^\$\.ServerlessDeploymentBucketPolicy\./),
        effect: 'Deny',
        wildcards: ['s3:*'],
        condition: { Bool: { 'aws:SecureTransport': false } },
      });
    }
  });

  it('gives the enforce function its own role with exactly the permissions it needs', () => {
    const roles = resourcesOfType(template, 'AWS::IAM::Role');
    expect(roles.map(([id]) => id).sort()).toStrictEqual(['EnforceRole', 'HistoryRole', 'SweepRole']);
    expect(enforce.Properties!.Role).toStrictEqual({ 'Fn::GetAtt': ['EnforceRole', 'Arn'] });
    const role = template.Resources.EnforceRole!.Properties!;
    expect(role.ManagedPolicyArns).toBeUndefined();
    expect(role.AssumeRolePolicyDocument.Statement).toStrictEqual([
      { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
    ]);

    // Conditional statements (Fn::If) count with both branches: DeleteModel only in delete mode,
    // ssm:GetParameter only when a Slack parameter is configured.
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
        expect(statement.Condition).toBeUndefined();
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
        'sns:Publish',
        'kms:GenerateDataKey',
        'kms:Decrypt',
        'events:PutEvents',
        'dynamodb:PutItem',
        'dynamodb:GetItem',
        'dynamodb:UpdateItem',
        'dynamodb:DeleteItem',
        'sqs:SendMessage',
        'ssm:GetParameter',
        'sts:AssumeRole',
      ].sort(),
    );
    expect(grants.get('sagemaker:DescribeModel')).toStrictEqual([MODEL_ARN]);
    expect(grants.get('sagemaker:AddTags')).toStrictEqual([MODEL_ARN]);
    expect(grants.get('sagemaker:DeleteModel')).toStrictEqual([MODEL_ARN]);
    expect(Object.fromEntries(conditional)).toStrictEqual({ 'sagemaker:DeleteModel': 'IsDeleteMode', 'ssm:GetParameter': 'HasSlack', 'sts:AssumeRole': 'HasMemberRole' });
    expect(grants.get('sts:AssumeRole')).toStrictEqual([{ 'Fn::Sub': 'arn:${AWS::Partition}:iam::*:role/' }]);
    expect(template.Conditions).toMatchObject({ IsDeleteMode: { 'Fn::Equals': ['alert', 'delete'] } });
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
    expect(schedules.sort()).toStrictEqual(['cron(0 6 1 * ? *)', 'rate(1 day)']);
    const bucket = template.Resources.EvidenceBucket!.Properties!;
    expect(bucket.VersioningConfiguration).toStrictEqual({ Status: 'Enabled' });
    expect(bucket.PublicAccessBlockConfiguration).toStrictEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
  });

  it('gives the history function its own role: LookupEvents, the trail bucket only when named, reports under reports/', () => {
    const [, history] = lambdaFunction(template, 'history');
    expect(history.Properties!.Role).toStrictEqual({ 'Fn::GetAtt': ['HistoryRole', 'Arn'] });
    const entries = template.Resources.HistoryRole!.Properties!.Policies[0].PolicyDocument.Statement as Array<Statement | { 'Fn::If': [string, Statement, unknown] }>;
    const statements = entries.map((entry) => ('Fn::If' in entry ? entry['Fn::If'][1] : entry));
    expect(statements.filter((s) => s.Resource === '*').flatMap((s) => list(s.Action))).toStrictEqual(['cloudtrail:LookupEvents']);
    expect(entries.flatMap((e) => ('Fn::If' in e ? [e['Fn::If'][0]] : []))).toStrictEqual(['HasTrailBucket']);
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

  it('packages each function as a zip under 1 MiB holding its bundled ESM handler only (no source map)', () => {
    for (const name of ['enforce', 'sweep', 'history']) {
      const zip = functionArtifact(packaged.dir, name);
      expect([...readZip(zip).keys()], name).toStrictEqual([`functions/${name}.mjs`]);
      expect(statSync(zip).size, name).toBeLessThan(1024 * 1024);
    }
    const zip = functionArtifact(packaged.dir, 'enforce');
    expect(existsSync(zip)).toBe(true);
    const entries = readZip(zip);
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

  it('the packaged bundle skips an event that is not a CreateModel call', async () => {
    const event = eventBridgeEnvelope(readJson(publicFixturePath('17_neighbour_createendpoint_doc.json')) as Record<string, any>, 'e-1');
    await expect(invokePackagedHandler(packaged, 'enforce', event, { env: { AWS_REGION: 'eu-west-1', POWERTOOLS_METRICS_DISABLED: 'true' } })).resolves.toStrictEqual({
      skipped: 'not a SageMaker CreateModel call (CreateEndpoint)',
    });
  });

  it('packages once per process: later callers get the same artifact', async () => {
    await expect(packageService({ stage: 'test', region: 'eu-west-1' })).resolves.toBe(packaged);
  });
});
