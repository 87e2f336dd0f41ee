import { AthenaClient, GetDatabaseCommand, GetQueryExecutionCommand, ListQueryExecutionsCommand, StopQueryExecutionCommand } from '@aws-sdk/client-athena';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildAuditReport } from '../../shared/audit/audit-report.js';
import { athenaArchive } from '../../shared/audit/athena-source.js';
import { collectAudit } from '../../shared/audit/collect.js';
import { runAthenaQuery } from '../../shared/athena/query-runner.js';
import { createModelRecord, remediationRecord } from '../support/archive-generator.js';
import { athenaProgression, athenaRowsFromRecords, injectAthenaResults } from '../../local-aws/athena.js';
import { runCli, runCliInProcess } from '../support/cli.js';
import { awsClientConfig, motoEnvironment, startMoto, type MotoServer } from '../../local-aws/moto.js';
import { AthenaQueryError } from '../../shared/athena/errors.js';

const ACCOUNT = '111111111111';
const PERIOD = { from: new Date('2026-10-01T00:00:00Z'), to: new Date('2026-11-01T00:00:00Z') };
const SETTINGS = { workgroup: 'primary', outputLocation: 's3://athena-results/audit/', accounts: [], regions: [] };
const fastPoll = { initialDelayMs: 1, maxDelayMs: 4 };
let moto: MotoServer;
let athena: AthenaClient;

/** The text of the last query Athena received (moto keeps every execution). */
async function lastQueryText(): Promise<string> {
  const { QueryExecutionIds } = await athena.send(new ListQueryExecutionsCommand({}));
  const texts = await Promise.all((QueryExecutionIds ?? []).map(async (id) => (await athena.send(new GetQueryExecutionCommand({ QueryExecutionId: id }))).QueryExecution?.Query ?? ''));
  return texts.at(-1) ?? '';
}

const calls = [
  createModelRecord({ account: ACCOUNT, region: 'eu-west-1', time: '2026-10-03T09:00:00Z', modelName: 'isolated-model', isolation: true }),
  createModelRecord({ account: ACCOUNT, region: 'eu-west-1', time: '2026-10-04T10:00:00Z', modelName: 'open-model' }),
  createModelRecord({ account: ACCOUNT, region: 'us-east-1', time: '2026-10-05T11:00:00Z', modelName: 'denied-model', errorCode: 'AccessDenied' }),
  remediationRecord('deleted', { account: ACCOUNT, region: 'eu-west-1', time: '2026-10-04T10:12:00Z', modelName: 'open-model' }),
];

beforeAll(async () => {
  moto = await startMoto();
  athena = new AthenaClient(awsClientConfig(moto.endpoint, 'us-east-1'));
});
afterAll(async () => moto?.stop());
beforeEach(async () => {
  await moto.reset();
  await athenaProgression(moto.endpoint, null);
});

describe('audit on Athena (moto)', () => {
  it('sends one query for the period and builds the same report as the other sources from its rows', async () => {
    await injectAthenaResults(moto.endpoint, [athenaRowsFromRecords(calls)]);
    const archive = athenaArchive(athena, 'athena:security.cloudtrail_org', PERIOD, { ...SETTINGS, poll: fastPoll });
    const collection = await collectAudit(archive.files, { ...PERIOD, exemptions: [], now: new Date('2026-11-02T00:00:00Z') });
    const report = buildAuditReport(collection, { ...PERIOD, source: 'athena:security.cloudtrail_org', generatedAt: new Date() }, null);

    const sql = await lastQueryText();
    expect(sql).toBe(archive.sql);
    expect(sql).toContain(`"timestamp" BETWEEN '2026/10/01' AND '2026/11/01'`);
    expect(sql).toContain(`FROM "security"."cloudtrail_org"`);
    expect(report.kpis).toMatchObject({ createModelCalls: 3, failedCalls: 1, modelsCreated: 2, isolatedShare: 50, violations: 1, violationsFixed: 1, violationsQuarantined: 0, medianMinutesToRemediation: 12 });
    expect(report.calls.map((c) => [c.modelName, c.verdict])).toEqual([
      ['isolated-model', 'compliant'],
      ['open-model', 'violation'],
      ['denied-model', 'not-applicable'],
    ]);
    expect(report.calls[1]!.principal).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/DataScientist/ds`);
    expect(archive.scope()).toMatchObject({ table: 'security.cloudtrail_org', workgroup: 'primary', rows: 4, dataScannedBytes: 0, costEstimateUsd: 0.00005 });
  });

  it('polls a running query with backoff until it succeeds', async () => {
    await athenaProgression(moto.endpoint, 2); // one step every second poll: QUEUED, RUNNING, RUNNING, SUCCEEDED
    const waits: number[] = [];
    const done = await runAthenaQuery(athena, 'SELECT 1', SETTINGS, { initialDelayMs: 100, maxDelayMs: 300, sleep: async (ms) => void waits.push(ms) });
    expect(done.polls).toBe(4);
    expect(waits).toEqual([100, 200, 300]);
  });

  it('pages the results with the SDK paginator', async () => {
    const many = Array.from({ length: 2500 }, (_, i) =>
      createModelRecord({ account: ACCOUNT, region: 'eu-west-1', time: `2026-10-10T10:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}Z`, modelName: `m-${i}`, isolation: i % 2 === 0 }),
    );
    await injectAthenaResults(moto.endpoint, [athenaRowsFromRecords(many)]);
    const archive = athenaArchive(athena, 'athena:security.cloudtrail_org', PERIOD, { ...SETTINGS, poll: fastPoll });
    const pages: number[] = [];
    const collection = await collectAudit(archive.files, { ...PERIOD, exemptions: [], now: new Date(), onFile: (c) => pages.push(c.recordsRead) });
    // 2,501 rows (the header first, skipped) in pages of 1,000: 999, 1,000 and 501 records.
    expect(pages).toEqual([999, 1999, 2500]);
    expect(collection.calls).toHaveLength(2500);
    expect(new Set(collection.calls.map((c) => c.decision.modelName)).size).toBe(2500);
    expect(archive.scope()?.rows).toBe(2500);
  });

  it('fails with the query id and state when the query is cancelled', async () => {
    await athenaProgression(moto.endpoint, 1000); // stays QUEUED
    let polls = 0;
    const running = runAthenaQuery(athena, 'SELECT 1', SETTINGS, {
      initialDelayMs: 1,
      sleep: async () => {
        if (++polls === 2) {
          const { QueryExecutionIds } = await athena.send(new ListQueryExecutionsCommand({}));
          await athena.send(new StopQueryExecutionCommand({ QueryExecutionId: QueryExecutionIds!.at(-1)! }));
        }
      },
    });
    await expect(running).rejects.toThrow(/Athena query [0-9a-f-]+ was cancelled/);
    await expect(running).rejects.toMatchObject({ state: 'CANCELLED' });
  });

  it("fails with Athena's reason when the query fails", async () => {
    // moto's queries always succeed: the failure is injected into GetQueryExecution's answer.
    const failing = new AthenaClient(awsClientConfig(moto.endpoint, 'us-east-1'));
    failing.middlewareStack.add(
      (next) => async (args) => {
        const result = await next(args);
        const output = result.output as { QueryExecution?: { Status?: Record<string, unknown> } } | undefined;
        if (output?.QueryExecution?.Status) output.QueryExecution.Status = { State: 'FAILED', StateChangeReason: 'HIVE_BAD_DATA: Error parsing field value' };
        return result;
      },
      { step: 'initialize', name: 'failQuery' },
    );
    const error = await runAthenaQuery(failing, 'SELECT 1', SETTINGS, fastPoll).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AthenaQueryError);
    expect((error as Error).message).toMatch(/failed: HIVE_BAD_DATA: Error parsing field value/);
  });

  it('turns an AWS error (access denied) into a typed error naming the workgroup, not a stack trace', async () => {
    const denied = new AthenaClient(awsClientConfig(moto.endpoint, 'us-east-1'));
    denied.middlewareStack.add(
      () => async () => {
        throw Object.assign(new Error('User is not authorized to perform: athena:StartQueryExecution'), { name: 'AccessDeniedException' });
      },
      { step: 'initialize', name: 'deny' },
    );
    const error = await runAthenaQuery(denied, 'SELECT 1', { ...SETTINGS, workgroup: 'audits' }, fastPoll).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AthenaQueryError);
    expect((error as Error).message).toBe('Athena (workgroup audits): AccessDeniedException: User is not authorized to perform: athena:StartQueryExecution');
  });

  it('stops a query that runs past its time limit', async () => {
    await athenaProgression(moto.endpoint, 1000);
    let clock = 0;
    const error = await runAthenaQuery(athena, 'SELECT 1', SETTINGS, { initialDelayMs: 1000, timeoutMs: 3000, now: () => clock, sleep: async (ms) => void (clock += ms) }).catch((e: unknown) => e);
    expect(error).toMatchObject({ state: 'TIMEOUT' });
    const { QueryExecutionIds } = await athena.send(new ListQueryExecutionsCommand({}));
    const state = (await athena.send(new GetQueryExecutionCommand({ QueryExecutionId: QueryExecutionIds!.at(-1)! }))).QueryExecution?.Status?.State;
    expect(state).toBe('CANCELLED');
  });
});

// In-process (runCliInProcess) but for `ddl --create`, whose stderr must stay empty while the SDK
// runs: the built command's, where the SDK's own notices would show.
describe('isolation-guard audit --source athena: and athena ddl (CLI on moto)', () => {
  it('reports the rows with the query, bytes scanned and cost in the scope; exit 1 on a violation', async () => {
    await injectAthenaResults(moto.endpoint, [athenaRowsFromRecords(calls)]);
    const result = await runCliInProcess(
      ['audit', '--source', 'athena:security.cloudtrail_org', '--workgroup', 'primary', '--from', '2026-10-01', '--to', '2026-10-31', '--regions', 'eu-west-1,us-east-1', '--offline'],
      { env: motoEnvironment(moto.endpoint, 'us-east-1') },
    );
    expect(result.stderr).toMatch(/Athena query .*: 0 bytes scanned, about \$0\.0001/);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout);
    expect(report.scope.source).toBe('athena:security.cloudtrail_org');
    expect(report.scope.athena).toMatchObject({ table: 'security.cloudtrail_org', workgroup: 'primary', dataScannedBytes: 0, rows: 4 });
    expect(report.kpis.violations).toBe(1);
    const sql = await lastQueryText();
    expect(sql).toContain(`region IN ('eu-west-1', 'us-east-1')`);
    expect(sql).toContain(`"timestamp" BETWEEN '2026/10/01' AND '2026/11/01'`);
  });

  it('exits 2 naming the table when it is not a Glue name', async () => {
    const result = await runCliInProcess(['audit', '--source', 'athena:Security.Trail', '--from', '2026-10-01', '--to', '2026-10-31'], { env: motoEnvironment(moto.endpoint, 'us-east-1') });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/athena:DATABASE.TABLE/);
    expect(result.stderr).not.toMatch(/at .*\.mjs|\n\s+at /);
  });

  it('prints the DDL, and --create runs it (the database, then the table)', async () => {
    const env = motoEnvironment(moto.endpoint, 'us-east-1');
    const printed = await runCliInProcess(['athena', 'ddl', '--trail-bucket', 'org-trail', '--org-id', 'o-abc123def4', '--accounts', '111111111111,222222222222', '--regions', 'eu-west-1', '--database', 'security', '--table', 'cloudtrail_org'], { env });
    expect(printed.code).toBe(0);
    expect(printed.stdout).toContain("'storage.location.template' = 's3://org-trail/AWSLogs/o-abc123def4/${account}/CloudTrail/${region}/${timestamp}'");

    const created = await runCli(['athena', 'ddl', '--create', '--trail-bucket', 'org-trail', '--accounts', '111111111111', '--database', 'security', '--table', 'cloudtrail_org', '--athena-output-location', 's3://athena-results/ddl/'], { env });
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ created: 'security.cloudtrail_org', workgroup: 'primary' });
    const database = await athena.send(new GetDatabaseCommand({ CatalogName: 'AwsDataCatalog', DatabaseName: 'security' }));
    expect(database.Database?.Name).toBe('security');
    expect(await lastQueryText()).toMatch(/^CREATE EXTERNAL TABLE IF NOT EXISTS `security`\.`cloudtrail_org`/);

    const bad = await runCliInProcess(['athena', 'ddl', '--trail-bucket', 'org-trail', '--database', 'security'], { env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--accounts/);
  });
});
