import { parseExceptionRegister, registerExemptions } from '../../shared/governance/exception-register.js';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAuditReport } from '../../shared/audit/audit-report.js';
import { collectAudit } from '../../shared/audit/collect.js';
import { lookupEventsArchive } from '../../shared/audit/lookup-source.js';
import { lookUpModelsNow } from '../../shared/audit/models-now.js';
import { renderAudit } from '../../shared/audit/render-audit.js';
import { createHistoryHandler } from '../../shared/lambda/history-handler.js';
import { loadConfig } from '../../shared/config.js';
import { previousMonth } from '../../shared/audit/run-audit.js';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { CreateTopicCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { lambdaContext } from '../../local-aws/lambda-context.js';
import { drainQueue } from '../../local-aws/local-stack.js';
import { directoryArchive } from '../../shared/audit/sources.js';
import { s3Archive } from '../../shared/audit/s3-archive.js';
import { createAwsClients, type AwsClients } from '../../shared/aws/clients.js';
import { createModelRecord, gzipRecords, logFileKey, noiseRecord, remediationRecord } from '../support/archive-generator.js';
import { runCliInProcess } from '../support/cli.js';
import { createModel } from '../../local-aws/local-stack.js';
import { awsClientConfig, MOTO_ACCOUNT, motoEnvironment, startMoto, type MotoServer } from '../../local-aws/moto.js';

const FROM = new Date('2026-10-01T00:00:00Z');
const TO = new Date('2026-11-01T00:00:00Z'); // --to 2026-10-31
const ACCOUNT = '111111111111';
const ORG_ACCOUNT = '222222222222';
let moto: MotoServer;
let clients: AwsClients;
const files: Array<{ key: string; body: Buffer }> = [];

/** The archive, built by hand so that every KPI below can be counted on one's fingers. */
function buildArchive() {
  const put = (where: { account: string; region: string; day: string; organization?: string }, time: string, records: unknown[]) =>
    files.push({ key: logFileKey({ prefix: 'trail/', ...where, time }), body: gzipRecords(records) });
  const b = createModelRecord({ account: ACCOUNT, region: 'eu-west-1', time: '2026-10-05T11:00:00Z', modelName: 'model-b' });
  put({ account: ACCOUNT, region: 'eu-west-1', day: '2026/10/05' }, '2026-10-05T10:00:00Z', [
    noiseRecord(ACCOUNT, 'eu-west-1', '2026-10-05T10:00:01Z', 1),
    createModelRecord({ account: ACCOUNT, region: 'eu-west-1', time: '2026-10-05T10:00:00Z', modelName: 'model-a', isolation: true }),
    b,
    remediationRecord('quarantined', { account: ACCOUNT, region: 'eu-west-1', time: '2026-10-05T11:03:00Z', modelName: 'model-b' }),
  ]);
  // The same record B delivered again in another file: counted once.
  put({ account: ACCOUNT, region: 'eu-west-1', day: '2026/10/05' }, '2026-10-05T11:05:00Z', [b, noiseRecord(ACCOUNT, 'eu-west-1', '2026-10-05T11:05:00Z', 2)]);
  put({ account: ACCOUNT, region: 'eu-west-1', day: '2026/10/06' }, '2026-10-06T09:00:00Z', [
    createModelRecord({ account: ACCOUNT, region: 'eu-west-1', time: '2026-10-06T09:00:00Z', modelName: 'sandbox-1' }),
  ]);
  files.push({ key: logFileKey({ prefix: 'trail/', account: ACCOUNT, region: 'eu-west-1', day: '2026/10/07', time: '2026-10-07T00:00:00Z' }), body: Buffer.from([0x1f, 0x8b, 8, 0, 1, 2, 3, 4]) });
  put({ account: ACCOUNT, region: 'us-east-1', day: '2026/10/12' }, '2026-10-12T09:00:00Z', [
    createModelRecord({ account: ACCOUNT, region: 'us-east-1', time: '2026-10-12T09:00:00Z', modelName: 'model-c', isolation: false }),
    remediationRecord('deleted', { account: ACCOUNT, region: 'us-east-1', time: '2026-10-12T09:10:00Z', modelName: 'model-c' }),
  ]);
  const org = { organization: 'o-abc123def4', account: ORG_ACCOUNT };
  put({ ...org, region: 'eu-west-1', day: '2026/10/20' }, '2026-10-20T08:00:00Z', [
    createModelRecord({ account: ORG_ACCOUNT, region: 'eu-west-1', time: '2026-10-20T08:00:00Z', modelName: 'model-d', errorCode: 'AccessDenied' }),
    createModelRecord({ account: ORG_ACCOUNT, region: 'eu-west-1', time: '2026-10-20T08:30:00Z', modelName: 'model-e', isolation: true }),
  ]);
  // The next day's folder holds a record of the period's last minutes, and one past the period.
  put({ ...org, region: 'us-east-1', day: '2026/11/01' }, '2026-11-01T00:05:00Z', [
    createModelRecord({ account: ORG_ACCOUNT, region: 'us-east-1', time: '2026-10-31T23:58:00Z', modelName: 'model-f' }),
    // model-f is quarantined, then fixed (`isolation-guard fix` replaced it): fixed, not quarantined.
    remediationRecord('quarantined', { account: ORG_ACCOUNT, region: 'us-east-1', time: '2026-10-31T23:59:00Z', modelName: 'model-f' }),
    remediationRecord('replaced', { account: ORG_ACCOUNT, region: 'us-east-1', time: '2026-11-01T00:10:00Z', modelName: 'model-f' }),
    createModelRecord({ account: ORG_ACCOUNT, region: 'us-east-1', time: '2026-11-01T00:05:00Z', modelName: 'model-g' }),
  ]);
  // A file of the first day holding a record of the day before: outside the period.
  put({ account: ACCOUNT, region: 'eu-west-1', day: '2026/10/01' }, '2026-10-01T00:01:00Z', [
    createModelRecord({ account: ACCOUNT, region: 'eu-west-1', time: '2026-09-30T23:59:00Z', modelName: 'model-h' }),
  ]);
  // Days outside the period are not even listed.
  put({ account: ACCOUNT, region: 'eu-west-1', day: '2026/09/15' }, '2026-09-15T12:00:00Z', [
    createModelRecord({ account: ACCOUNT, region: 'eu-west-1', time: '2026-09-15T12:00:00Z', modelName: 'model-old' }),
  ]);
  // A digest file sits in the bucket too; it is not a log file.
  files.push({ key: 'trail/AWSLogs/111111111111/CloudTrail-Digest/eu-west-1/2026/10/05/digest.json.gz', body: gzipRecords([]) });
}

const exemptions = [{ kind: 'model-name' as const, pattern: 'sandbox-*', expires: null }];
const expectedKpis = {
  createModelCalls: 7, // a, b, sandbox-1, c, d (failed), e, f
  failedCalls: 1,
  modelsCreated: 6,
  isolatedShare: 33.3, // a and e of six
  violations: 3, // b, c, f
  exemptionsUsed: 1,
  // Fixed: c deleted after 10 min, f replaced by an isolated copy after 12 min; b only quarantined (3 min).
  violationsFixed: 2,
  violationsQuarantined: 1,
  medianMinutesToRemediation: 10,
  worstMinutesToRemediation: 12,
  violatingModelsStillExisting: null,
  approvedExceptions: 0, // sandbox-* is an exemption setting: no approval
};

beforeAll(async () => {
  moto = await startMoto();
  clients = createAwsClients(awsClientConfig(moto.endpoint, 'eu-west-1'));
  buildArchive();
  await clients.s3.send(new CreateBucketCommand({ Bucket: 'org-trail-archive', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
  for (const file of files) await clients.s3.send(new PutObjectCommand({ Bucket: 'org-trail-archive', Key: file.key, Body: file.body }));
});
afterAll(async () => moto?.stop());

describe('audit over a trail archive', () => {
  it('S3: reads only the period days (and the next), every account and organisation level, dedupes, filters on eventTime, names the corrupt file', async () => {
    const collection = await collectAudit(s3Archive(clients.s3, 's3://org-trail-archive/trail', { from: FROM, to: TO, regions: null }), {
      from: FROM,
      to: TO,
      exemptions,
      now: new Date('2026-11-22T00:00:00Z'),
    });
    const report = buildAuditReport(collection, { from: FROM, to: TO, source: 's3://org-trail-archive/trail', generatedAt: new Date() }, null);
    expect(report.kpis).toEqual(expectedKpis);
    expect(report.scope).toMatchObject({
      accounts: [ACCOUNT, ORG_ACCOUNT],
      regions: ['eu-west-1', 'us-east-1'],
      filesRead: 7, // all log files of 2026/10/01..2026/11/01 but the corrupt one; not 09/15, not the digest
      duplicatesDropped: 1,
    });
    expect(report.scope.filesFailed).toEqual([{ name: expect.stringMatching(/2026\/10\/07\/.*\.json\.gz$/), problem: expect.stringMatching(/invalid gzip/) }]);
    expect(report.calls.map((c) => c.modelName)).toEqual(['model-a', 'model-b', 'sandbox-1', 'model-c', 'model-d', 'model-e', 'model-f']);
    expect(report.weeks.map((w) => [w.week, w.compliant, w.violating])).toEqual([
      ['2026-09-28', 0, 0], // every week of the period, the empty one too (1 October is a Thursday)
      ['2026-10-05', 1, 2], // a; b and sandbox-1 (exempt counts as not isolated)
      ['2026-10-12', 0, 1],
      ['2026-10-19', 1, 0],
      ['2026-10-26', 0, 1],
    ]);
  });

  it('the regions filter keeps only the regions asked for', async () => {
    const collection = await collectAudit(s3Archive(clients.s3, 's3://org-trail-archive/trail/', { from: FROM, to: TO, regions: ['us-east-1'] }), {
      from: FROM,
      to: TO,
      exemptions,
      now: new Date(),
    });
    expect(collection.calls.map((c) => c.decision.modelName)).toEqual(['model-c', 'model-f']);
  });

  it('a local directory in the same layout gives the same report, in every format', async () => {
    const root = mkdtempSync(join(tmpdir(), 'archive-'));
    for (const file of files) {
      mkdirSync(dirname(join(root, file.key)), { recursive: true });
      writeFileSync(join(root, file.key), file.body);
    }
    const collection = await collectAudit(directoryArchive(root, { from: FROM, to: TO, regions: null }), { from: FROM, to: TO, exemptions, now: new Date() });
    const report = buildAuditReport(collection, { from: FROM, to: TO, source: root, generatedAt: new Date() }, null);
    expect(report.kpis).toEqual(expectedKpis);
    const csv = renderAudit(report, 'csv').trimEnd().split('\r\n');
    expect(csv).toHaveLength(8);
    expect(csv[0]).toMatch(/^eventId,eventTime,account,region,modelName,modelArn,principal,succeeded,networkIsolation,verdict,reasons,remediation/);
    expect(renderAudit(report, 'md')).toContain('| Violations | 3 |');
    const html = renderAudit(report, 'html');
    expect(html).toContain('data-kpi="violations">3<');
    expect(html).toContain('<svg class="weekly-chart"');
    expect(JSON.parse(renderAudit(report, 'json')).kpis).toEqual(expectedKpis);
  });

  it('lists the exceptions in force with their approvals and the calls each covered, and counts the approved ones', async () => {
    const register = registerExemptions(
      parseExceptionRegister(
        JSON.stringify({
          exceptions: [
            { id: 'EXC-SBX', modelName: 'sandbox-*', reason: 'sandbox pulls public wheels', ticket: 'SEC-9', approvedBy: 'lead@example.com', expires: '2027-01-31' },
            { id: 'EXC-OLD', modelName: 'model-*', reason: 'r', ticket: 'SEC-1', approvedBy: 'lead@example.com', expires: '2026-09-30' },
            { id: 'EXC-DRAFT', modelName: 'nothing-*', reason: 'r', expires: '2027-01-31' },
            // Expired after the call it covered (model-c, 2026-10-12) and before the audit ran: the call was covered.
            { id: 'EXC-C', modelName: 'model-c', reason: 'r', ticket: 'SEC-2', approvedBy: 'lead@example.com', expires: '2026-10-31' },
          ],
        }),
        'exceptions.json',
      ),
    );
    const all = [...register, ...exemptions];
    const collection = await collectAudit(s3Archive(clients.s3, 's3://org-trail-archive/trail', { from: FROM, to: TO, regions: null }), {
      from: FROM,
      to: TO,
      exemptions: all,
      now: new Date('2026-11-22T00:00:00Z'),
    });
    const report = buildAuditReport(collection, { from: FROM, to: TO, source: 's3', generatedAt: new Date() }, null, all);
    expect(report.kpis).toEqual({ ...expectedKpis, approvedExceptions: 2, violations: 2, exemptionsUsed: 2, violationsFixed: 1, violationsQuarantined: 1, medianMinutesToRemediation: 7.5, worstMinutesToRemediation: 12 });
    const sandbox = report.calls.find((c) => c.modelName === 'sandbox-1')!;
    expect(sandbox.exception).toMatchObject({ id: 'EXC-SBX', approvedBy: 'lead@example.com' });
    // EXC-OLD expired before the period began: not in force.
    expect(report.exceptions.map((e) => [e.id, e.approved, e.source, e.coveredCalls])).toEqual([
      ['EXC-SBX', true, 'register', [sandbox.eventId]],
      ['EXC-DRAFT', false, 'register', []],
      ['EXC-C', true, 'register', [report.calls.find((c) => c.modelName === 'model-c')!.eventId]],
      ['exemptModelNamePatterns:sandbox-*', false, 'setting', []],
    ]);
    expect(report.isolation.byClassification['(unclassified)']).toEqual({ models: 6, isolated: 2, isolatedShare: 33.3 });
    expect(report.isolation.production).toEqual({ models: 0, isolated: 0, isolatedShare: null });
    expect(renderAudit(report, 'md')).toContain('| Approved exceptions | 2 |');
    expect(renderAudit(report, 'md')).toMatch(/- EXC-SBX: modelName 'sandbox-\\\*'; approved by lead@example\.com, ticket SEC-9; .*covered 1 call/);
    expect(renderAudit(report, 'html')).toContain('<span data-kpi="approvedExceptions">2</span>');
    expect(renderAudit(report, 'csv').split('\r\n')[3]).toContain(',EXC-SBX');
  });

  it("looks up the models' state today: violating models that still exist", async () => {
    const sagemakerClients = createAwsClients(awsClientConfig(moto.endpoint, 'eu-west-1'));
    await createModel(sagemakerClients, 'eu-west-1', 'model-b', undefined, { 'isolation-guard:quarantine': 'network-isolation-disabled' });
    await createModel(sagemakerClients, 'us-east-1', 'model-f');
    const collection = await collectAudit(s3Archive(clients.s3, 's3://org-trail-archive/trail', { from: FROM, to: TO, regions: null }), {
      from: FROM,
      to: TO,
      exemptions,
      now: new Date(),
    });
    const now = await lookUpModelsNow(collection.calls, ({ region }) => sagemakerClients.sagemakerIn(region));
    const report = buildAuditReport(collection, { from: FROM, to: TO, source: 's3', generatedAt: new Date() }, now);
    expect(report.kpis.violatingModelsStillExisting).toBe(2); // b (quarantined) and f; c was deleted
    expect(report.calls.find((c) => c.modelName === 'model-b')!.now).toEqual({ exists: true, isolated: false, quarantined: true });
    expect(report.calls.find((c) => c.modelName === 'model-c')!.now).toEqual({ exists: false, isolated: null, quarantined: null });
  });

  it('isolation-guard audit: exit 2 naming the corrupt file, the report still written', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'audit-out-')), 'report.json');
    const { code, stderr } = await runCliInProcess(
      ['audit', '--from', '2026-10-01', '--to', '2026-10-31', '--source', 's3://org-trail-archive/trail', '--offline', '--exempt-model-name-patterns', 'sandbox-*', '--out', out],
      { env: motoEnvironment(moto.endpoint, 'eu-west-1') },
    );
    expect(code).toBe(2);
    expect(stderr).toMatch(/2026\/10\/07\/.*: invalid gzip data/);
    const report = JSON.parse(await import('node:fs/promises').then((fs) => fs.readFile(out, 'utf8')));
    expect(report.kpis).toEqual(expectedKpis);
  });
});

describe('the history Lambda', () => {
  it('covers the previous calendar month on its schedule', () => {
    expect(previousMonth(new Date('2026-11-01T06:00:00Z'))).toEqual({ from: new Date('2026-10-01T00:00:00Z'), to: new Date('2026-11-01T00:00:00Z') });
    expect(previousMonth(new Date('2026-01-15T00:00:00Z'))).toEqual({ from: new Date('2025-12-01T00:00:00Z'), to: new Date('2026-01-01T00:00:00Z') });
  });

  it('files the JSON and HTML report of the month in the evidence bucket and announces it on the topic', async () => {
    await clients.s3.send(new CreateBucketCommand({ Bucket: 'guard-evidence', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
    const { TopicArn } = await clients.sns.send(new CreateTopicCommand({ Name: 'history-alerts' }));
    const { QueueUrl } = await clients.sqs.send(new CreateQueueCommand({ QueueName: 'history-watch' }));
    const { Attributes } = await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
    await clients.sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: Attributes!.QueueArn }));
    const config = loadConfig({
      env: {
        ISOLATION_GUARD_AUDIT_SOURCE: 's3://org-trail-archive/trail',
        ISOLATION_GUARD_EVIDENCE_BUCKET: 'guard-evidence',
        ISOLATION_GUARD_TOPIC_ARN: TopicArn,
        ISOLATION_GUARD_REGIONS: 'eu-west-1,us-east-1',
        ISOLATION_GUARD_EXEMPT_MODEL_NAME_PATTERNS: 'sandbox-*',
      },
    });
    // Two inventory snapshots filed by the sweep: the later one joins the report.
    for (const [key, violations] of [['inventory/2026/10/30/2026-10-30T06-00-00-000Z.json', 9], ['inventory/2026/10/31/2026-10-31T06-00-00-000Z.json', 4]] as const) {
      await clients.s3.send(
        new PutObjectCommand({ Bucket: 'guard-evidence', Key: key, Body: JSON.stringify({ finishedAt: key.slice(21, 45), summary: { models: 40, violations, isolatedShare: 90 } }) }),
      );
    }
    // Scan runs filed by the pipeline gate: two in October count, the one of November 1st does not.
    for (const key of [
      'pipeline/2026/10/02/2026-10-02T09-00-00-000Z-rejected-7.json',
      'pipeline/2026/10/31/2026-10-31T23-59-00-000Z-passed-8.json',
      'pipeline/2026/11/01/2026-11-01T00-00-00-000Z-rejected-9.json',
    ]) {
      await clients.s3.send(new PutObjectCommand({ Bucket: 'guard-evidence', Key: key, Body: '{}' }));
    }
    const handler = createHistoryHandler({ config, clients, now: () => new Date('2026-11-01T06:00:00Z') });
    // A scheduled event: no period given, so the previous month.
    const outcome = await handler({ 'detail-type': 'Scheduled Event', source: 'aws.events' }, lambdaContext('history'));
    expect(outcome.kpis).toMatchObject({ ...expectedKpis, violatingModelsStillExisting: expect.any(Number) });
    const { Contents = [] } = await clients.s3.send(new ListObjectsV2Command({ Bucket: 'guard-evidence', Prefix: 'reports/2026-10-01_2026-11-01/' }));
    expect(Contents.map((c) => c.Key!.split('.').at(-1)).sort()).toEqual(['html', 'json']);
    for (const { Key } of Contents) {
      const { ContentType, ServerSideEncryption } = await clients.s3.send(new HeadObjectCommand({ Bucket: 'guard-evidence', Key }));
      expect({ ContentType, ServerSideEncryption }).toEqual({ ContentType: Key!.endsWith('.json') ? 'application/json' : 'text/html; charset=utf-8', ServerSideEncryption: 'AES256' });
    }
    const json = await clients.s3.send(new GetObjectCommand({ Bucket: 'guard-evidence', Key: Contents.find((c) => c.Key!.endsWith('.json'))!.Key }));
    const filed = JSON.parse(await json.Body!.transformToString());
    expect(filed.kpis.violations).toBe(3);
    // The same report as `isolation-guard audit --evidence-bucket` prints: the pipeline KPIs of the period join it.
    expect(filed.kpis).toMatchObject({ pipelineRejections: 1, pipelinePasses: 1 });
    expect(filed.inventory).toEqual({ file: 's3://guard-evidence/inventory/2026/10/31/2026-10-31T06-00-00-000Z.json', finishedAt: '2026-10-31T06-00-00-000Z', summary: { models: 40, violations: 4, isolatedShare: 90 } });
    const [announcement] = await drainQueue(clients.sqs, QueueUrl!);
    expect(announcement!.Subject).toBe('[isolation-guard] audit report 2026-10-01 to 2026-10-31: 3 violation(s)');
    expect(JSON.parse(announcement!.Message).files).toEqual(outcome.files);
  });

  it('refuses an on-demand period that is not dates, naming the field', async () => {
    const handler = createHistoryHandler({ config: loadConfig({ env: { ISOLATION_GUARD_EVIDENCE_BUCKET: 'guard-evidence' } }), clients });
    await expect(handler({ from: 'last month', to: '2026-11-01' }, lambdaContext('history'))).rejects.toThrow(/^\(event\)\.from: /);
  });
});

describe('audit over LookupEvents (moto does not implement it: the SDK call is answered by a stand-in)', () => {
  it('asks every region in parallel, follows pages, filters on CreateModel and the period, and rides out throttling', async () => {
    const asked: Array<{ region: string; token: string | undefined; input: any; target: string | undefined }> = [];
    let throttled = 0;
    // A stand-in for CloudTrail on the wire (JSON 1.1): the real client serialises the request,
    // the stand-in answers as the service does, pages and a throttling error included.
    const clientFor = ({ region }: { region: string }) =>
      new CloudTrailClient({
        region,
        credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
        retryMode: 'standard',
        maxAttempts: 3,
        requestHandler: {
          async handle(request: { headers: Record<string, string>; body: string }) {
            const input = JSON.parse(request.body);
            const json = (statusCode: number, body: unknown) => ({
              response: { statusCode, headers: { 'content-type': 'application/x-amz-json-1.1' }, body: Readable.from([Buffer.from(JSON.stringify(body))]) },
            });
            if (region === 'us-east-1' && input.NextToken === undefined && throttled === 0) {
              throttled++;
              return json(400, { __type: 'ThrottlingException', message: 'Rate exceeded' });
            }
            asked.push({ region, token: input.NextToken, input, target: request.headers['x-amz-target'] });
            const page = input.NextToken === undefined ? 1 : 2;
            const record = createModelRecord({ account: MOTO_ACCOUNT, region, time: `2026-11-1${page}T10:00:00Z`, modelName: `${region}-p${page}` });
            return json(200, { Events: [{ EventName: 'CreateModel', CloudTrailEvent: JSON.stringify(record) }], ...(page === 1 ? { NextToken: 'next' } : {}) });
          },
        } as never,
      });
    const period = { from: new Date('2026-11-01T00:00:00Z'), to: new Date('2026-11-20T00:00:00Z') };
    const collection = await collectAudit(lookupEventsArchive(clientFor, [{ account: null, region: 'eu-west-1' }, { account: null, region: 'us-east-1' }], period, { perSecond: 20 }), { ...period, exemptions: [], now: new Date() });
    expect(collection.calls.map((c) => c.decision.modelName).sort()).toEqual(['eu-west-1-p1', 'eu-west-1-p2', 'us-east-1-p1', 'us-east-1-p2']);
    expect(throttled).toBe(1);
    expect(asked.filter((a) => a.region === 'us-east-1').map((a) => a.token)).toEqual([undefined, 'next']);
    expect(asked[0]!.target).toMatch(/\.LookupEvents$/);
    expect(asked[0]!.input).toMatchObject({
      LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'CreateModel' }],
      StartTime: period.from.getTime() / 1000,
      EndTime: period.to.getTime() / 1000,
    });
  });
});
