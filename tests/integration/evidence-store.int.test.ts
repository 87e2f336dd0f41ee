import { CreateBucketCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients } from '../../shared/aws/clients.js';
import { listEvidenceKeys } from '../../shared/aws/evidence-store.js';
import { filePipelineRecord, listPipelineKeys } from '../../shared/scan/pipeline-store.js';
import type { PipelineRecord } from '../../shared/scan/pipeline-evidence.js';
import { storeInventorySnapshot } from '../../shared/sweep/snapshot-store.js';
import { awsClientConfig, startMoto, type MotoServer } from '../../local-aws/moto.js';
import { sweepFixture } from '../support/report-fixtures.js';

/**
 * The one evidence writer (shared/aws/evidence-store.ts) behind the sweep's snapshots, the scan's
 * pipeline records and the history reports (tests/integration/audit.int.test.ts): the keys each
 * files under, and the settings every object carries (its content type, SSE-S3).
 */
const REGION = 'eu-west-1';
const BUCKET = 'guard-evidence';
let moto: MotoServer;
let s3: S3Client;

const head = async (key: string) => {
  const { ContentType, ServerSideEncryption } = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
  return { ContentType, ServerSideEncryption };
};

beforeAll(async () => {
  moto = await startMoto();
  s3 = createAwsClients(awsClientConfig(moto.endpoint, REGION)).s3;
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET, CreateBucketConfiguration: { LocationConstraint: REGION } }));
});
afterAll(async () => moto?.stop());

describe('the evidence store', () => {
  it("files the sweep's inventory snapshot as JSON and HTML under inventory/DAY/, typed and encrypted", async () => {
    const files = await storeInventorySnapshot(s3, BUCKET, sweepFixture());
    const prefix = 'inventory/2026/11/29/2026-11-29T06-01-10-000Z';
    expect(files).toEqual([`s3://${BUCKET}/${prefix}.json`, `s3://${BUCKET}/${prefix}.html`]);
    expect(await head(`${prefix}.json`)).toEqual({ ContentType: 'application/json', ServerSideEncryption: 'AES256' });
    expect(await head(`${prefix}.html`)).toEqual({ ContentType: 'text/html; charset=utf-8', ServerSideEncryption: 'AES256' });
  });

  it("files a scan's pipeline record under pipeline/DAY/ with its result and run, typed and encrypted", async () => {
    const record: PipelineRecord = {
      schemaVersion: 1,
      kind: 'isolation-guard-scan',
      scannedAt: '2026-11-29T19:30:00.000Z',
      result: 'rejected',
      exitCode: 1,
      context: { repository: 'acme/ml', commit: 'abc', runId: '42.1', provider: 'github-actions' },
      counts: { models: 1, compliant: 0, violations: 1, unknown: 0, exempt: 0, unreadableInputs: 0 },
      failing: [],
    };
    const key = 'pipeline/2026/11/29/2026-11-29T19-30-00-000Z-rejected-42.1.json';
    expect(await filePipelineRecord(s3, BUCKET, record)).toBe(`s3://${BUCKET}/${key}`);
    expect(await head(key)).toEqual({ ContentType: 'application/json', ServerSideEncryption: 'AES256' });
  });

  it('lists the pipeline keys of the days of a period only (from the day of `from` through the day of `to`)', async () => {
    const keys = [
      'pipeline/2026/09/30/2026-09-30T23-00-00-000Z-passed-1.json',
      'pipeline/2026/10/01/2026-10-01T00-00-00-000Z-passed-2.json',
      'pipeline/2026/10/15/2026-10-15T10-00-00-000Z-rejected-3.json',
      'pipeline/2026/10/31/2026-10-31T23-59-59-000Z-rejected-4.json',
      'pipeline/2026/11/01/2026-11-01T00-00-00-000Z-passed-5.json',
    ];
    for (const Key of keys) await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body: '{}' }));
    expect(await listPipelineKeys(s3, BUCKET, new Date('2026-10-01T00:00:00Z'), new Date('2026-10-31T12:00:00Z'))).toEqual(keys.slice(1, 4));
    // Every key under a prefix, in key order, when no range is given.
    expect(await listEvidenceKeys(s3, BUCKET, 'pipeline/2026/1')).toEqual([...keys.slice(1), 'pipeline/2026/11/29/2026-11-29T19-30-00-000Z-rejected-42.1.json']);
  });
});
