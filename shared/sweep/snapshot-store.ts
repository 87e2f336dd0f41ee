import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { renderInventory } from '../reports/inventory-report.js';
import type { SweepResult } from '../model/inventory.js';

/**
 * Files an inventory snapshot as evidence: JSON (for machines and the audit report) and HTML (for
 * people) under `inventory/YYYY/MM/DD/<time>.{json,html}`, encrypted at rest. The bucket is
 * versioned, so a snapshot cannot be quietly replaced.
 */
export async function storeInventorySnapshot(s3: S3Client, bucket: string, result: SweepResult): Promise<string[]> {
  const at = result.finishedAt;
  const prefix = `inventory/${at.slice(0, 4)}/${at.slice(5, 7)}/${at.slice(8, 10)}/${at.replace(/[:.]/g, '-')}`;
  const files = [
    { key: `${prefix}.json`, body: renderInventory(result, 'json'), type: 'application/json' },
    { key: `${prefix}.html`, body: renderInventory(result, 'html'), type: 'text/html; charset=utf-8' },
  ];
  for (const file of files) {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: file.key, Body: file.body, ContentType: file.type, ServerSideEncryption: 'AES256' }));
  }
  return files.map((file) => `s3://${bucket}/${file.key}`);
}
