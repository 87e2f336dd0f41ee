import type { S3Client } from '../aws/s3.js';
import { fileEvidence, HTML_CONTENT, JSON_CONTENT } from '../aws/evidence-store.js';
import { renderInventory } from '../reports/inventory-report.js';
import type { SweepResult } from '../model/inventory.js';

/**
 * Files an inventory snapshot as evidence: JSON (for machines and the audit report) and HTML (for
 * people) under `inventory/YYYY/MM/DD/<time>.{json,html}`, through the evidence store.
 */
export async function storeInventorySnapshot(s3: S3Client, bucket: string, result: SweepResult): Promise<string[]> {
  const at = result.finishedAt;
  const prefix = `inventory/${at.slice(0, 4)}/${at.slice(5, 7)}/${at.slice(8, 10)}/${at.replace(/[:.]/g, '-')}`;
  return fileEvidence(s3, bucket, [
    { key: `${prefix}.json`, body: renderInventory(result, 'json'), contentType: JSON_CONTENT },
    { key: `${prefix}.html`, body: renderInventory(result, 'html'), contentType: HTML_CONTENT },
  ]);
}
