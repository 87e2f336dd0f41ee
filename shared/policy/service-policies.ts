import { deleteAction } from '../actions/delete.js';
import { quarantineAction } from '../actions/quarantine.js';
import type { PolicyDocument } from './scp.js';

/**
 * The least-privilege identity policies the service needs, per function, for one account. They
 * match the roles in serverless.yml; the remediation actions come from the remediation
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
}) {
  const p = options.partition ?? 'aws';
  const account = options.account ?? '<ACCOUNT>';
  const region = options.region ?? '<REGION>';
  const models = (anyRegion: boolean) => `arn:${p}:sagemaker:${anyRegion ? '*' : region}:${account}:model/*`;
  const remediation = [...quarantineAction.iamActions, ...(options.deleteMode ? deleteAction.iamActions : [])];
  const enforce: PolicyDocument = {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'InspectAndRemediateModels', Effect: 'Allow', Action: ['sagemaker:DescribeModel', ...remediation], Resource: models(false) },
      { Sid: 'PublishAlerts', Effect: 'Allow', Action: ['sns:Publish'], Resource: `arn:${p}:sns:${region}:${account}:<ALERT_TOPIC>` },
      { Sid: 'PutFindings', Effect: 'Allow', Action: ['events:PutEvents'], Resource: `arn:${p}:events:${region}:${account}:event-bus/default` },
      {
        Sid: 'StepLedger',
        Effect: 'Allow',
        Action: ['dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
        Resource: `arn:${p}:dynamodb:${region}:${account}:table/<LEDGER_TABLE>`,
      },
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
      { Sid: 'InspectAndRemediateModels', Effect: 'Allow', Action: ['sagemaker:DescribeModel', 'sagemaker:ListTags', ...remediation], Resource: models(true) },
      { Sid: 'PublishAlerts', Effect: 'Allow', Action: ['sns:Publish'], Resource: `arn:${p}:sns:${region}:${account}:<ALERT_TOPIC>` },
      { Sid: 'PutFindings', Effect: 'Allow', Action: ['events:PutEvents'], Resource: `arn:${p}:events:${region}:${account}:event-bus/default` },
      // The sweep sends violations through the same ledger as enforce (one alert per reminder window).
      {
        Sid: 'StepLedger',
        Effect: 'Allow',
        Action: ['dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
        Resource: `arn:${p}:dynamodb:${region}:${account}:table/<LEDGER_TABLE>`,
      },
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
    ],
  };
  // Organisation set-up: every function reaches member accounts through the member role only.
  if (options.memberRoleName) {
    for (const policy of [enforce, sweep, audit]) {
      policy.Statement.push({
        Sid: 'AssumeMemberRole',
        Effect: 'Allow',
        Action: ['sts:AssumeRole'],
        Resource: `arn:${p}:iam::*:role/${options.memberRoleName}`,
        ...(options.organizationId ? { Condition: { StringEquals: { 'aws:ResourceOrgID': options.organizationId } } } : {}),
      });
    }
  }
  if (options.org) {
    for (const policy of [sweep, audit]) {
      // ListAccounts supports no resource-level permission.
      policy.Statement.push({ Sid: 'ListOrganizationAccounts', Effect: 'Allow', Action: ['organizations:ListAccounts'], Resource: '*' });
    }
  }
  return { enforce, sweep, audit };
}
