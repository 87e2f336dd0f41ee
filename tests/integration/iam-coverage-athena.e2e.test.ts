import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients, type AwsClients } from '../../shared/aws/clients.js';
import { loadConfig } from '../../shared/config.js';
import { createHistoryHandler } from '../../shared/lambda/history-handler.js';
import { createModelRecord } from '../support/archive-generator.js';
import { athenaProgression, athenaRowsFromRecords, injectAthenaResults } from '../../local-aws/athena.js';
import { recordAwsActions, type RecordedAction } from '../../local-aws/aws-action-recorder.js';
import { deniedCalls } from '../../local-aws/iam-simulate.js';
import { lambdaContext } from '../../local-aws/lambda-context.js';
import { createLocalStack, stackEnvironment, type LocalStack, stackPhysicalNames } from '../../local-aws/local-stack.js';
import { awsClientConfig, MOTO_ACCOUNT, motoEnvironment, startMoto, type MotoServer } from '../../local-aws/moto.js';
import { disposePackagedServices, packageService, ruleEventPattern, type PackagedService } from '../../local-aws/packaged-template.js';
import { setProcessEnvironment } from '../support/process-environment.js';
import { roleArn, roleStatements, type PhysicalNames } from '../../local-aws/role-grants.js';

/**
 * The Athena parameter set the README documents (`auditSource=athena:security.cloudtrail_org`,
 * `trailBucket=org-trail`, no `athenaWorkgroup`): every AWS call the history function makes for a
 * monthly report from Athena (against moto's Athena, its rows injected) must be allowed, as AWS
 * evaluates policies (iam-simulate), by the history role of that packaged template. Before the
 * grants came from the source alone, this set left every athena:* call ungranted.
 */
const REGION = 'eu-west-1';
const BUCKET = 'guard-evidence';
const SOURCE = 'athena:security.cloudtrail_org';
let moto: MotoServer;
let restoreEnvironment: (() => void) | undefined;
let clients: AwsClients;
let stack: LocalStack;
let packaged: PackagedService;
let names: PhysicalNames;
const calls: RecordedAction[] = [];

beforeAll(async () => {
  moto = await startMoto();
  restoreEnvironment = setProcessEnvironment(motoEnvironment(moto.endpoint, REGION));
  clients = createAwsClients(awsClientConfig(moto.endpoint, REGION));
  await athenaProgression(moto.endpoint, null);
  // The README's lines as written.
  packaged = await packageService({ stage: 'athena', region: REGION, params: { auditSource: SOURCE, trailBucket: 'org-trail' } });
  stack = await createLocalStack(clients, { region: REGION, rulePattern: ruleEventPattern(packaged.template), endpoint: moto.endpoint });
  await clients.s3.send(new CreateBucketCommand({ Bucket: BUCKET, CreateBucketConfiguration: { LocationConstraint: REGION } }));
  names = stackPhysicalNames(stack, REGION, BUCKET);
  const records = [
    createModelRecord({ account: MOTO_ACCOUNT, region: REGION, time: '2026-10-04T10:00:00Z', modelName: 'open-model' }),
    createModelRecord({ account: MOTO_ACCOUNT, region: REGION, time: '2026-10-05T10:00:00Z', modelName: 'isolated-model', isolation: true }),
  ];
  await injectAthenaResults(moto.endpoint, [athenaRowsFromRecords(records)], REGION);
  const env = stackEnvironment(stack, { ISOLATION_GUARD_EVIDENCE_BUCKET: BUCKET, ISOLATION_GUARD_REGIONS: REGION, ISOLATION_GUARD_AUDIT_SOURCE: SOURCE });
  const history = createHistoryHandler({ config: loadConfig({ env }), clients });
  const recorder = recordAwsActions({ account: MOTO_ACCOUNT });
  try {
    await history({ from: '2026-10-01', to: '2026-10-31' }, lambdaContext());
  } finally {
    recorder.stop();
    calls.push(...recorder.distinct());
  }
}, 240_000);

afterAll(async () => {
  restoreEnvironment?.();
  await moto?.stop();
  disposePackagedServices();
});

describe('the README Athena deployment', () => {
  it('the history function queried Athena and filed its report', () => {
    expect([...new Set(calls.map((c) => c.action))]).toEqual(
      expect.arrayContaining(['athena:StartQueryExecution', 'athena:GetQueryExecution', 'athena:GetQueryResults', 's3:PutObject']),
    );
  });

  it('every call it made is allowed by the history role of the packaged template', async () => {
    const role = { arn: roleArn(packaged.template, 'HistoryRole', names), statements: roleStatements(packaged.template, 'HistoryRole', names) };
    expect(await deniedCalls(role, calls)).toEqual([]);
    // The checker itself: the role as main packaged it for this line (no Athena grants without athenaWorkgroup) is caught.
    const withoutAthena = { ...role, statements: role.statements.filter((statement) => statement.Sid !== 'AthenaQueries') };
    expect([...new Set((await deniedCalls(withoutAthena, calls)).map((c) => c.action))].sort()).toEqual([
      'athena:GetQueryExecution',
      'athena:GetQueryResults',
      'athena:StartQueryExecution',
    ]);
  });
});
