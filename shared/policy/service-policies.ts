import { deleteAction } from '../actions/delete.js';
import { quarantineAction } from '../actions/quarantine.js';
import type { PolicyDocument } from './scp.js';

/**
 * The least-privilege identity policies the service needs, per function, for one account. They
 * match the roles in resources/iam/*.yml; the remediation actions come from the remediation
 * actions' own declarations where they exist.
 */
export function servicePolicies(options: {
  deleteMode: boolean;
  partition?: string;
  account?: string;
  region?: string;
  memberRoleName?: string;
  org?: boolean;
  /** The organisation (o-...): the member role may then be assumed only in its accounts (`aws:ResourceOrgID`). */
  organizationId?: string;
  securityHub?: boolean;
}) {
  const p = options.partition ?? 'aws';
  const account = options.account ?? '<ACCOUNT>';
  const region = options.region ?? '<REGION>';
  // The member role, in the organisation's accounts only when it is named (`aws:ResourceOrgID`).
  const assumeMemberRole = (roleName: string) => ({
    Sid: 'AssumeMemberRole',
    Effect: 'Allow' as const,
    Action: ['sts:AssumeRole'],
    Resource: `arn:${p}:iam::*:role/${roleName}`,
    ...(options.organizationId ? { Condition: { StringEquals: { 'aws:ResourceOrgID': options.organizationId } } } : {}),
  });
  const models = (anyRegion: boolean) => `arn:${p}:sagemaker:${anyRegion ? '*' : region}:${account}:model/*`;
  const remediation = [...quarantineAction.iamActions, ...(options.deleteMode ? deleteAction.iamActions : [])];
  // Written once: enforce and the sweep alert and keep their steps the same way.
  const alerting = [
    { Sid: 'PublishAlerts', Effect: 'Allow' as const, Action: ['sns:Publish'], Resource: `arn:${p}:sns:${region}:${account}:<ALERT_TOPIC>` },
    { Sid: 'PutFindings', Effect: 'Allow' as const, Action: ['events:PutEvents'], Resource: `arn:${p}:events:${region}:${account}:event-bus/default` },
  ];
  const stepLedger = {
    Sid: 'StepLedger',
    Effect: 'Allow' as const,
    Action: ['dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
    Resource: `arn:${p}:dynamodb:${region}:${account}:table/<LEDGER_TABLE>`,
  };
  const enforce: PolicyDocument = {
    Version: '2012-10-17',
    Statement: [
      // ListTags: before re-running a quarantine whose "done" record was lost, the tag is looked for.
      { Sid: 'InspectAndRemediateModels', Effect: 'Allow', Action: ['sagemaker:DescribeModel', 'sagemaker:ListTags', ...remediation], Resource: models(false) },
      ...alerting,
      stepLedger,
      // @middy/ssm (the Lambda) reads with GetParameters; the CLI takes the URL itself.
      { Sid: 'ReadSlackWebhook', Effect: 'Allow', Action: ['ssm:GetParameters'], Resource: `arn:${p}:ssm:${region}:${account}:parameter/<SLACK_PARAMETER>` },
      // `enforce --from-dlq`: replay the dead-letter queue.
      { Sid: 'ReplayDeadLetters', Effect: 'Allow', Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage'], Resource: `arn:${p}:sqs:${region}:${account}:<DEAD_LETTER_QUEUE>` },
    ],
  };
  const sweep: PolicyDocument = {
    Version: '2012-10-17',
    Statement: [
      // ListModels supports no resource-level permission.
      { Sid: 'ListModels', Effect: 'Allow', Action: ['sagemaker:ListModels'], Resource: '*' },
      // `--regions all`: the regions the account has enabled (opt-in regions are not assumed).
      { Sid: 'ListEnabledRegions', Effect: 'Allow', Action: ['account:ListRegions'], Resource: `arn:${p}:account::${account}:account` },
      { Sid: 'InspectAndRemediateModels', Effect: 'Allow', Action: ['sagemaker:DescribeModel', 'sagemaker:ListTags', ...remediation], Resource: models(true) },
      ...alerting,
      // The sweep sends violations through the same ledger as enforce (one alert per reminder window).
      stepLedger,
      { Sid: 'FileEvidence', Effect: 'Allow', Action: ['s3:PutObject'], Resource: `arn:${p}:s3:::<EVIDENCE_BUCKET>/inventory/*` },
    ],
  };
  const audit: PolicyDocument = {
    Version: '2012-10-17',
    Statement: [
      // LookupEvents supports no resource-level permission.
      { Sid: 'LookupEvents', Effect: 'Allow', Action: ['cloudtrail:LookupEvents'], Resource: '*' },
      { Sid: 'ReadTrailArchive', Effect: 'Allow', Action: ['s3:ListBucket', 's3:GetObject'], Resource: [`arn:${p}:s3:::<TRAIL_BUCKET>`, `arn:${p}:s3:::<TRAIL_BUCKET>/*`] },
      { Sid: 'ModelsToday', Effect: 'Allow', Action: ['sagemaker:DescribeModel', 'sagemaker:ListTags'], Resource: models(true) },
      // `--evidence-bucket`: the sweep's latest inventory snapshot joins the report.
      { Sid: 'ReadInventory', Effect: 'Allow', Action: ['s3:GetObject'], Resource: `arn:${p}:s3:::<EVIDENCE_BUCKET>/inventory/*` },
      {
        Sid: 'ListInventory',
        Effect: 'Allow',
        Action: ['s3:ListBucket'],
        Resource: `arn:${p}:s3:::<EVIDENCE_BUCKET>`,
        Condition: { StringLike: { 's3:prefix': 'inventory/*' } },
      },
      // `--evidence-bucket`: the pipeline KPIs, from the keys of the scan runs filed under pipeline/.
      {
        Sid: 'ListPipelineRuns',
        Effect: 'Allow',
        Action: ['s3:ListBucket'],
        Resource: `arn:${p}:s3:::<EVIDENCE_BUCKET>`,
        Condition: { StringLike: { 's3:prefix': 'pipeline/*' } },
      },
    ],
  };
  // Organisation set-up: every function reaches member accounts through the member role only.
  if (options.memberRoleName) {
    for (const policy of [enforce, sweep, audit]) {
      policy.Statement.push(assumeMemberRole(options.memberRoleName));
    }
  }
  if (options.org) {
    for (const policy of [sweep, audit]) {
      // ListAccounts supports no resource-level permission.
      policy.Statement.push({ Sid: 'ListOrganizationAccounts', Effect: 'Allow', Action: ['organizations:ListAccounts'], Resource: '*' });
    }
  }
  // Security Hub: only the import, only under the account's own product.
  if (options.securityHub) {
    for (const policy of [enforce, sweep]) {
      policy.Statement.push({
        Sid: 'ImportFindings',
        Effect: 'Allow',
        Action: ['securityhub:BatchImportFindings'],
        Resource: `arn:${p}:securityhub:${region}:${account}:product/${account}/default`,
      });
    }
  }
  // `audit --source athena:DATABASE.TABLE` (and the history Lambda's Athena grants): queries in one
  // workgroup, Glue metadata of one table, the trail read, results written under one prefix.
  const auditAthena: PolicyDocument = {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'AthenaQueries',
        Effect: 'Allow',
        Action: ['athena:StartQueryExecution', 'athena:GetQueryExecution', 'athena:GetQueryResults', 'athena:StopQueryExecution'],
        Resource: `arn:${p}:athena:${region}:${account}:workgroup/<WORKGROUP>`,
      },
      {
        Sid: 'AthenaTableMetadata',
        Effect: 'Allow',
        Action: ['glue:GetDatabase', 'glue:GetTable'],
        Resource: [`arn:${p}:glue:${region}:${account}:catalog`, `arn:${p}:glue:${region}:${account}:database/<DATABASE>`, `arn:${p}:glue:${region}:${account}:table/<DATABASE>/<TABLE>`],
      },
      { Sid: 'ReadTrailArchive', Effect: 'Allow', Action: ['s3:ListBucket', 's3:GetObject'], Resource: [`arn:${p}:s3:::<TRAIL_BUCKET>`, `arn:${p}:s3:::<TRAIL_BUCKET>/*`] },
      {
        Sid: 'AthenaResults',
        Effect: 'Allow',
        Action: ['s3:PutObject', 's3:GetObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
        Resource: `arn:${p}:s3:::<RESULTS_BUCKET>/<RESULTS_PREFIX>/*`,
      },
      { Sid: 'AthenaResultsBucket', Effect: 'Allow', Action: ['s3:GetBucketLocation', 's3:ListBucketMultipartUploads'], Resource: `arn:${p}:s3:::<RESULTS_BUCKET>` },
      { Sid: 'ModelsToday', Effect: 'Allow', Action: ['sagemaker:DescribeModel', 'sagemaker:ListTags'], Resource: models(true) },
    ],
  };
  // `audit --source evidence:BUCKET`: the filed monthly reports, read only.
  const auditEvidence: PolicyDocument = {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'ListReports', Effect: 'Allow', Action: ['s3:ListBucket'], Resource: `arn:${p}:s3:::<EVIDENCE_BUCKET>`, Condition: { StringLike: { 's3:prefix': 'reports/*' } } },
      { Sid: 'ReadReports', Effect: 'Allow', Action: ['s3:GetObject'], Resource: `arn:${p}:s3:::<EVIDENCE_BUCKET>/reports/*` },
      { Sid: 'ModelsToday', Effect: 'Allow', Action: ['sagemaker:DescribeModel', 'sagemaker:ListTags'], Resource: models(true) },
    ],
  };
  // `isolation-guard fix` (a person's or a pipeline's role): read the model and the region's
  // endpoints, create only an isolated model, copy configs, move endpoints, pass the model's own
  // role to SageMaker only; deleting (--delete-old) only with --delete-mode.
  const sagemakerArns = (type: string) => `arn:${p}:sagemaker:${region}:${account}:${type}/*`;
  const fix: PolicyDocument = {
    Version: '2012-10-17',
    Statement: [
      // The listings support no resource-level permission.
      { Sid: 'ListEndpoints', Effect: 'Allow', Action: ['sagemaker:ListEndpointConfigs', 'sagemaker:ListEndpoints'], Resource: '*' },
      {
        Sid: 'ReadModelsAndEndpoints',
        Effect: 'Allow',
        Action: ['sagemaker:DescribeModel', 'sagemaker:ListTags', 'sagemaker:DescribeEndpointConfig', 'sagemaker:DescribeEndpoint'],
        Resource: [sagemakerArns('model'), sagemakerArns('endpoint-config'), sagemakerArns('endpoint')],
      },
      { Sid: 'CreateIsolatedModels', Effect: 'Allow', Action: ['sagemaker:CreateModel'], Resource: sagemakerArns('model'), Condition: { Bool: { 'sagemaker:NetworkIsolation': 'true' } } },
      { Sid: 'TagModels', Effect: 'Allow', Action: ['sagemaker:AddTags', ...(options.deleteMode ? ['sagemaker:DeleteModel'] : [])], Resource: sagemakerArns('model') },
      {
        Sid: 'CopyConfigs',
        Effect: 'Allow',
        Action: ['sagemaker:CreateEndpointConfig', 'sagemaker:AddTags', ...(options.deleteMode ? ['sagemaker:DeleteEndpointConfig'] : [])],
        Resource: sagemakerArns('endpoint-config'),
      },
      { Sid: 'MoveEndpoints', Effect: 'Allow', Action: ['sagemaker:UpdateEndpoint'], Resource: [sagemakerArns('endpoint'), sagemakerArns('endpoint-config')] },
      {
        Sid: 'PassExecutionRole',
        Effect: 'Allow',
        Action: ['iam:PassRole'],
        Resource: `arn:${p}:iam::${account}:role/*`,
        Condition: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
      },
    ],
  };
  if (options.memberRoleName) {
    for (const policy of [auditAthena, auditEvidence, fix]) {
      policy.Statement.push(assumeMemberRole(options.memberRoleName));
    }
  }
  // The member role (templates/member-account.yml), in each member account (<ACCOUNT> there): what
  // the service does to that account's models, and, with Security Hub, the import of their findings
  // under the account's own default product (Security Hub requires AwsAccountId to be the caller's).
  const member: PolicyDocument = {
    Version: '2012-10-17',
    Statement: [
      // ListModels and LookupEvents support no resource-level permission.
      { Sid: 'ListModels', Effect: 'Allow', Action: ['sagemaker:ListModels'], Resource: '*' },
      { Sid: 'AuditCreateModelCalls', Effect: 'Allow', Action: ['cloudtrail:LookupEvents'], Resource: '*' },
      { Sid: 'ListEnabledRegions', Effect: 'Allow', Action: ['account:ListRegions'], Resource: `arn:${p}:account::${account}:account` },
      { Sid: 'InspectAndRemediateModels', Effect: 'Allow', Action: ['sagemaker:DescribeModel', 'sagemaker:ListTags', ...remediation], Resource: models(true) },
      ...(options.securityHub
        ? [{ Sid: 'ImportFindings', Effect: 'Allow' as const, Action: ['securityhub:BatchImportFindings'], Resource: `arn:${p}:securityhub:*:${account}:product/${account}/default` }]
        : []),
    ],
  };
  return { enforce, sweep, audit, auditAthena, auditEvidence, fix, member };
}
