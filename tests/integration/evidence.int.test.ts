import { AthenaClient } from '@aws-sdk/client-athena';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients, type AwsClients } from '../../shared/aws/clients.js';
import { loadConfig } from '../../shared/config.js';
import { createHistoryHandler } from '../../shared/lambda/history-handler.js';
import { createModelRecord, gzipRecords, logFileKey, remediationRecord } from '../support/archive-generator.js';
import { athenaRowsFromRecords, injectAthenaResults } from '../../local-aws/athena.js';
import { runCliInProcess } from '../support/cli.js';
import { lambdaContext } from '../../local-aws/lambda-context.js';
import { awsClientConfig, motoEnvironment, startMoto, type MotoServer } from '../../local-aws/moto.js';

const ACCOUNT = '111111111111';
const REGION = 'eu-west-1';
let moto: MotoServer;
let clients: AwsClients;
let athena: AthenaClient;

/** The history Lambda, as deployed, filing one month's report from the given source. */
async function fileMonth(source: string, from: string, to: string) {
  const config = loadConfig({ env: { ISOLATION_GUARD_EVIDENCE_BUCKET: 'guard-evidence', ISOLATION_GUARD_AUDIT_SOURCE: source, ISOLATION_GUARD_REGIONS: REGION } });
  const handler = createHistoryHandler({ config, clients, athena, now: () => new Date(`${to}T06:00:00Z`) });
  return handler({ from, to }, lambdaContext('history'));
}

beforeAll(async () => {
  moto = await startMoto();
  clients = createAwsClients(awsClientConfig(moto.endpoint, REGION));
  athena = new AthenaClient(awsClientConfig(moto.endpoint, REGION));
  for (const Bucket of ['guard-evidence', 'org-trail']) {
    await clients.s3.send(new CreateBucketCommand({ Bucket, CreateBucketConfiguration: { LocationConstraint: REGION } }));
  }
  // January from Athena: one compliant, one violation remediated after 30 minutes.
  await injectAthenaResults(
    moto.endpoint,
    [
      athenaRowsFromRecords([
        createModelRecord({ account: ACCOUNT, region: REGION, time: '2026-01-10T10:00:00Z', modelName: 'jan-ok', isolation: true, eventId: 'e-jan-1' }),
        createModelRecord({ account: ACCOUNT, region: REGION, time: '2026-01-20T10:00:00Z', modelName: 'jan-open', eventId: 'e-jan-2' }),
        remediationRecord('quarantined', { account: ACCOUNT, region: REGION, time: '2026-01-20T10:30:00Z', modelName: 'jan-open' }),
      ]),
    ],
    REGION,
  );
  await fileMonth('athena:security.cloudtrail_org', '2026-01-01', '2026-02-01');
  // March from the trail's S3 archive: one violation, not remediated.
  const march = createModelRecord({ account: ACCOUNT, region: REGION, time: '2026-03-03T08:00:00Z', modelName: 'mar-open', eventId: 'e-mar-1' });
  await clients.s3.send(
    new PutObjectCommand({ Bucket: 'org-trail', Key: logFileKey({ account: ACCOUNT, region: REGION, day: '2026/03/03', time: march.eventTime as string }), Body: gzipRecords([march]) }),
  );
  await fileMonth('s3://org-trail', '2026-03-01', '2026-04-01');
});
afterAll(async () => moto?.stop());

describe('audit --source evidence:BUCKET (filed monthly reports on moto)', () => {
  it("merges the months it finds, names the missing one and exits 2; each month states its report's source", async () => {
    const result = await runCliInProcess(['audit', '--source', 'evidence:guard-evidence', '--from', '2026-01-01', '--to', '2026-03-31', '--offline'], {
      env: motoEnvironment(moto.endpoint, REGION),
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('isolation-guard: month 2026-02: no report filed under s3://guard-evidence/reports/2026-02-01_2026-03-01/');
    const report = JSON.parse(result.stdout);
    expect(report.scope.months).toEqual([
      { month: '2026-01', file: expect.stringMatching(/^s3:\/\/guard-evidence\/reports\/2026-01-01_2026-02-01\/audit-.*\.json$/), source: 'athena:security.cloudtrail_org' },
      { month: '2026-02', file: null, source: null },
      { month: '2026-03', file: expect.stringMatching(/^s3:\/\/guard-evidence\/reports\/2026-03-01_2026-04-01\/audit-.*\.json$/), source: 's3://org-trail' },
    ]);
    expect(report.kpis).toMatchObject({ createModelCalls: 3, modelsCreated: 3, violations: 2, violationsFixed: 0, violationsQuarantined: 1, medianMinutesToRemediation: 30, violatingModelsStillExisting: null });
    expect(report.calls.map((c: { modelName: string }) => c.modelName)).toEqual(['jan-ok', 'jan-open', 'mar-open']);
    // Every week of the period is listed (14, from the Monday of 2026-01-01's week); three had models.
    expect(report.weeks).toHaveLength(14);
    expect(report.weeks.filter((w: { compliant: number; violating: number }) => w.compliant + w.violating > 0).map((w: { week: string }) => w.week)).toEqual([
      '2026-01-05',
      '2026-01-19',
      '2026-03-02',
    ]);
  });

  it('with every month filed, exits on the violations alone; a shorter period keeps only its calls; Markdown names the sources', async () => {
    await injectAthenaResults(moto.endpoint, [athenaRowsFromRecords([])], REGION);
    await fileMonth('athena:security.cloudtrail_org', '2026-02-01', '2026-03-01');
    const env = motoEnvironment(moto.endpoint, REGION);
    const all = await runCliInProcess(['audit', '--source', 'evidence:guard-evidence', '--from', '2026-01-01', '--to', '2026-03-31', '--offline', '--format', 'md'], { env });
    expect(all.code).toBe(1);
    expect(all.stdout).toContain('Month 2026-02: s3://guard-evidence/reports/2026-02-01\\_2026-03-01/');
    expect(all.stdout).toContain('(source athena:security.cloudtrail\\_org)');
    const january = await runCliInProcess(['audit', '--source', 'evidence:guard-evidence', '--from', '2026-01-15', '--to', '2026-01-31', '--offline'], { env });
    expect(JSON.parse(january.stdout).calls.map((c: { modelName: string }) => c.modelName)).toEqual(['jan-open']);
  });

  it('exits 2 naming the bucket when it cannot be read', async () => {
    const result = await runCliInProcess(['audit', '--source', 'evidence:no-such-evidence', '--from', '2026-01-01', '--to', '2026-01-31', '--offline'], { env: motoEnvironment(moto.endpoint, REGION) });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^isolation-guard: evidence:no-such-evidence: cannot list s3:\/\/no-such-evidence\/reports\/2026-01-01_2026-02-01\/: NoSuchBucket/);
  });

  it('names a filed file that is not an audit report', async () => {
    await clients.s3.send(new PutObjectCommand({ Bucket: 'guard-evidence', Key: 'reports/2026-05-01_2026-06-01/audit-2026-06-01T06-00-00-000Z.json', Body: '{"kind":"something-else"}' }));
    const result = await runCliInProcess(['audit', '--source', 'evidence:guard-evidence', '--from', '2026-05-01', '--to', '2026-05-31', '--offline'], { env: motoEnvironment(moto.endpoint, REGION) });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/month 2026-05: s3:\/\/guard-evidence\/reports\/2026-05-01_2026-06-01\/audit-2026-06-01T06-00-00-000Z\.json: not an audit report \(schemaVersion: /);
  });
});
