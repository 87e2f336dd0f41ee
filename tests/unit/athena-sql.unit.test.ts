import { describe, expect, it } from 'vitest';
import { athenaCostEstimate, backoffDelays } from '../../shared/athena/query-runner.js';
import { auditQuery, cloudTrailTableDdl, parseAthenaTable } from '../../shared/athena/sql.js';
import { UsageError } from '../../shared/errors.js';

const TABLE = {
  database: 'security',
  table: 'cloudtrail_org',
  trailBucket: 'org-trail-bucket',
  prefix: 'trails/',
  orgId: 'o-abc123def4',
  accounts: ['222222222222', '111111111111'],
  regions: ['eu-west-1', 'us-east-1'],
  fromDay: '2025/01/01',
};

describe('cloudTrailTableDdl', () => {
  it("projects account, region and day over an organisation trail's layout", () => {
    const ddl = cloudTrailTableDdl(TABLE);
    expect(ddl).toMatch(/^CREATE EXTERNAL TABLE IF NOT EXISTS `security`\.`cloudtrail_org` \(/);
    expect(ddl).toContain("LOCATION 's3://org-trail-bucket/trails/AWSLogs/o-abc123def4/'");
    expect(ddl).toContain("'storage.location.template' = 's3://org-trail-bucket/trails/AWSLogs/o-abc123def4/${account}/CloudTrail/${region}/${timestamp}'");
    expect(ddl).toContain("'projection.account.values' = '111111111111,222222222222'");
    expect(ddl).toContain("'projection.region.values' = 'eu-west-1,us-east-1'");
    expect(ddl).toContain("'projection.timestamp.format' = 'yyyy/MM/dd'");
    expect(ddl).toContain("'projection.timestamp.range' = '2025/01/01,NOW'");
    expect(ddl).toContain('PARTITIONED BY (account STRING, region STRING, `timestamp` STRING)');
    // AWS's documented SerDe and input format for CloudTrail.
    expect(ddl).toContain("STORED AS INPUTFORMAT 'com.amazon.emr.cloudtrail.CloudTrailInputFormat'");
    expect(ddl).toContain("ROW FORMAT SERDE 'org.apache.hive.hcatalog.data.JsonSerDe'");
  });

  it("drops the organisation level for a single account's trail", () => {
    const ddl = cloudTrailTableDdl({ ...TABLE, orgId: null, prefix: '' });
    expect(ddl).toContain("LOCATION 's3://org-trail-bucket/AWSLogs/'");
    expect(ddl).toContain("'storage.location.template' = 's3://org-trail-bucket/AWSLogs/${account}/CloudTrail/${region}/${timestamp}'");
  });

  it('names the bad field and lets nothing unchecked into the SQL', () => {
    expect(() => cloudTrailTableDdl({ ...TABLE, table: "x'; DROP" })).toThrow(/--table/);
    expect(() => cloudTrailTableDdl({ ...TABLE, accounts: ['12345'] })).toThrow(/--accounts: expected 12-digit/);
    expect(() => cloudTrailTableDdl({ ...TABLE, accounts: [] })).toThrow(/--accounts/);
    expect(() => cloudTrailTableDdl({ ...TABLE, regions: ["eu-west-1'"] })).toThrow(/--regions/);
    expect(() => cloudTrailTableDdl({ ...TABLE, orgId: 'org-1' })).toThrow(/--org-id/);
    expect(() => cloudTrailTableDdl({ ...TABLE, prefix: "a'b/" })).toThrow(UsageError);
    expect(() => parseAthenaTable('Security.Trail')).toThrow(/athena:DATABASE.TABLE/);
  });
});

describe('auditQuery', () => {
  const base = { database: 'security', table: 'cloudtrail_org', accounts: [], regions: [] };

  it("prunes to the period's days and the day after, then cuts the period on eventtime", () => {
    const sql = auditQuery({ ...base, from: new Date('2026-10-01T00:00:00Z'), to: new Date('2026-11-01T00:00:00Z') });
    expect(sql).toContain(`"timestamp" BETWEEN '2026/10/01' AND '2026/11/01'`);
    expect(sql).toContain(`eventtime >= '2026-10-01T00:00:00Z'`);
    expect(sql).toContain(`eventtime < '2026-11-01T00:00:00Z'`);
    expect(sql).toContain(`FROM "security"."cloudtrail_org"`);
    expect(sql).not.toMatch(/account IN|region IN/);
  });

  it("selects SageMaker's CreateModel calls and only the remediations the KPIs measure", () => {
    const sql = auditQuery({ ...base, from: new Date('2026-10-01T00:00:00Z'), to: new Date('2026-10-02T00:00:00Z') });
    expect(sql).toContain(`eventsource = 'sagemaker.amazonaws.com'`);
    expect(sql).toContain(`(eventname = 'CreateModel' OR eventname = 'DeleteModel' OR (eventname = 'AddTags' AND (requestparameters LIKE '%isolation-guard:quarantine%' OR requestparameters LIKE '%isolation-guard:replaced-by%')))`);
    expect(sql).toContain(`"timestamp" BETWEEN '2026/10/01' AND '2026/10/02'`);
  });

  it('prunes by account and region when they are given', () => {
    const sql = auditQuery({ ...base, accounts: ['222222222222', '111111111111'], regions: ['us-east-1'], from: new Date('2026-01-15T12:00:00Z'), to: new Date('2026-01-16T00:00:00Z') });
    expect(sql).toContain(`account IN ('111111111111', '222222222222')`);
    expect(sql).toContain(`region IN ('us-east-1')`);
    expect(sql).toContain(`"timestamp" BETWEEN '2026/01/15' AND '2026/01/16'`);
    expect(sql).toContain(`eventtime >= '2026-01-15T12:00:00Z'`);
  });

  it('refuses an account or region that is not one', () => {
    const period = { from: new Date('2026-01-01T00:00:00Z'), to: new Date('2026-02-01T00:00:00Z') };
    expect(() => auditQuery({ ...base, ...period, accounts: ["1' OR '1'='1"] })).toThrow(/--accounts/);
    expect(() => auditQuery({ ...base, ...period, regions: ['moon-1'] })).toThrow(/--regions/);
  });
});

describe('Athena costs and polling', () => {
  it('estimates $5 a TB, rounded up to the megabyte, 10 MB at least', () => {
    expect(athenaCostEstimate(0)).toBe(0.00005);
    expect(athenaCostEstimate(2_000_000_000_000)).toBe(10);
    expect(athenaCostEstimate(50_000_001)).toBe(0.000255);
  });

  it('backs off exponentially up to a ceiling', () => {
    expect(backoffDelays(250, 5000, 7)).toEqual([250, 500, 1000, 2000, 4000, 5000, 5000]);
  });
});
