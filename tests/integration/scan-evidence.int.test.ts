import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients } from '../../shared/aws/clients.js';
import { runCliInProcess } from '../support/cli.js';
import { publicFixturePath, readJson } from '../support/fixtures.js';
import { iacRelative } from '../support/iac-fixtures.js';
import { awsClientConfig, motoEnvironment, startMoto, type MotoServer } from '../../local-aws/moto.js';

const REGION = 'eu-west-1';
const BUCKET = 'guard-evidence';
let moto: MotoServer;
let s3: S3Client;
let env: Record<string, string>;
const tmp = mkdtempSync(join(tmpdir(), 'guard-scan-evidence-'));

const pipelineKeys = async () => ((await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'pipeline/' }))).Contents ?? []).map((o) => o.Key!).sort();

beforeAll(async () => {
  moto = await startMoto();
  s3 = createAwsClients(awsClientConfig(moto.endpoint, REGION)).s3;
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET, CreateBucketConfiguration: { LocationConstraint: REGION } }));
  env = { ...motoEnvironment(moto.endpoint, REGION), GITHUB_ACTIONS: 'true', GITHUB_REPOSITORY: 'acme/ml-platform', GITHUB_SHA: '0123abc', GITHUB_RUN_ID: '9001', GITHUB_RUN_ATTEMPT: '1' };
});
afterAll(async () => moto?.stop());

describe('scan --evidence-bucket and the audit KPI "deployment pipeline rejections"', () => {
  it('files each run under pipeline/ with the CI context, and the audit counts the period', async () => {
    const rejected = await runCliInProcess(['scan', '--evidence-bucket', BUCKET, iacRelative('sam')], { env });
    expect(rejected.code).toBe(1);
    const clean = join(tmp, 'clean');
    mkdirSync(clean);
    writeFileSync(join(clean, 'main.tf'), 'resource "aws_sagemaker_model" "ok" {\n  enable_network_isolation = true\n}\n');
    const passed = await runCliInProcess(['scan', clean], { env: { ...env, ISOLATION_GUARD_EVIDENCE_BUCKET: BUCKET, GITHUB_RUN_ID: '9002' } });
    expect(passed.code).toBe(0);
    expect(passed.stderr).toMatch(/passed; filed s3:\/\/guard-evidence\/pipeline\/\d{4}\/\d{2}\/\d{2}\/.*-passed-9002\.1\.json/);

    const keys = await pipelineKeys();
    expect(keys.map((k) => k.replace(/^pipeline\/\d{4}\/\d{2}\/\d{2}\/[\dT-]+Z-/, '')).sort()).toEqual(['passed-9002.1.json', 'rejected-9001.1.json']);
    const body = await (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: keys.find((k) => k.includes('-rejected-'))! }))).Body!.transformToString();
    expect(JSON.parse(body)).toMatchObject({
      kind: 'isolation-guard-scan',
      result: 'rejected',
      exitCode: 1,
      context: { repository: 'acme/ml-platform', commit: '0123abc', runId: '9001.1', provider: 'github-actions' },
      counts: { models: 1, violations: 1 },
      failing: [{ resource: 'ChurnModel', verdict: 'violation', line: 15 }],
    });

    // Two older runs: one inside an earlier period, one outside the audited one.
    for (const key of ['pipeline/2026/10/15/2026-10-15T10-00-00-000Z-rejected-1.json', 'pipeline/2025/01/02/2025-01-02T10-00-00-000Z-passed-2.json']) {
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: '{}' }));
    }
    const today = new Date().toISOString().slice(0, 10);
    // A trail with records but no CreateModel call (a folder of no records at all is an input error, exit 2).
    const empty = join(tmp, 'trail-without-createmodel');
    mkdirSync(empty);
    writeFileSync(join(empty, 'neighbour.json'), JSON.stringify({ Records: [readJson(publicFixturePath('17_neighbour_createendpoint_doc.json'))] }));
    const audit = await runCliInProcess(['audit', '--from', '2026-10-01', '--to', today, '--source', empty, '--offline', '--evidence-bucket', BUCKET], { env });
    expect(audit.code).toBe(0);
    expect(JSON.parse(audit.stdout).kpis).toMatchObject({ pipelineRejections: 2, pipelinePasses: 1 });
    const markdown = await runCliInProcess(['audit', '--from', '2026-10-01', '--to', today, '--source', empty, '--offline', '--evidence-bucket', BUCKET, '--format', 'md'], { env });
    expect(markdown.stdout).toContain('| Deployment pipeline rejections | 2 |');
    const withoutBucket = await runCliInProcess(['audit', '--from', '2026-10-01', '--to', today, '--source', empty, '--offline'], { env });
    expect(JSON.parse(withoutBucket.stdout).kpis).not.toHaveProperty('pipelineRejections');
  });

  it('exits 3 when a passing result cannot be filed, naming the bucket', async () => {
    const clean = join(tmp, 'clean2');
    mkdirSync(clean);
    writeFileSync(join(clean, 'main.tf'), 'resource "aws_sagemaker_model" "ok" {\n  enable_network_isolation = true\n}\n');
    const { code, stderr } = await runCliInProcess(['scan', '--evidence-bucket', 'no-such-bucket', clean], { env });
    expect(code).toBe(3);
    expect(stderr).toMatch(/--evidence-bucket no-such-bucket: could not file the result \(NoSuchBucket/);
  });
});
