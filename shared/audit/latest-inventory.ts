import type { S3Client } from '../aws/s3.js';
import { z } from 'zod';
import { latestEvidenceKey, readEvidenceText } from '../aws/evidence-store.js';
import { INVENTORY_PREFIX, parseInventorySnapshotKey } from '../aws/evidence-keys.js';
import { toValidationError } from '../cloudtrail/extract.js';
import { InputParseError } from '../errors.js';
import { errorText } from '../model/error-text.js';

/** What the audit reads back from a filed inventory snapshot (the sweep writes more: the models, kept as they are). */
const InventorySnapshotSchema = z.looseObject({
  finishedAt: z.string().optional(),
  summary: z.record(z.string(), z.unknown()).optional(),
});

export interface InventoryReference {
  file: string;
  finishedAt: string;
  summary: Record<string, unknown>;
}

/**
 * The latest inventory snapshot the sweep filed in the evidence bucket (keys sort by time:
 * `inventory/YYYY/MM/DD/<time>.json`), so the audit report answers the auditor's second question
 * too: what exists today. Null when there is none yet.
 */
export async function latestInventorySnapshot(s3: S3Client, bucket: string): Promise<InventoryReference | null> {
  const latest = await latestEvidenceKey(s3, bucket, INVENTORY_PREFIX, (key) => parseInventorySnapshotKey(key)?.format === 'json');
  if (latest === null) return null;
  const body = await readEvidenceText(s3, bucket, latest);
  const file = `s3://${bucket}/${latest}`;
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (cause) {
    throw new InputParseError(`${file}: inventory snapshot is not JSON (${errorText(cause, { name: false })})`, { cause });
  }
  const parsed = InventorySnapshotSchema.safeParse(value);
  if (!parsed.success) throw toValidationError(file, parsed.error);
  return { file, finishedAt: parsed.data.finishedAt ?? '', summary: parsed.data.summary ?? {} };
}
