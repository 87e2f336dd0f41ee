import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';

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
  let latest: string | null = null;
  let ContinuationToken: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'inventory/', ContinuationToken }));
    for (const object of page.Contents ?? []) if (object.Key?.endsWith('.json') && (latest === null || object.Key > latest)) latest = object.Key;
    ContinuationToken = page.NextContinuationToken;
  } while (ContinuationToken);
  if (latest === null) return null;
  const body = await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: latest }))).Body!.transformToString();
  const snapshot = JSON.parse(body) as { finishedAt?: string; summary?: Record<string, unknown> };
  return { file: `s3://${bucket}/${latest}`, finishedAt: snapshot.finishedAt ?? '', summary: snapshot.summary ?? {} };
}
