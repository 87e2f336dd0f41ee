import { paginateListObjectsV2, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { PIPELINE_PREFIX, pipelineKey, type PipelineRecord } from './pipeline-evidence.js';

/** Files a scan's result in the evidence bucket; returns its `s3://` address. */
export async function filePipelineRecord(s3: S3Client, bucket: string, record: PipelineRecord): Promise<string> {
  const key = pipelineKey(record);
  await s3.send(
    new PutObjectCommand({ Bucket: bucket, Key: key, Body: JSON.stringify(record, null, 2), ContentType: 'application/json', ServerSideEncryption: 'AES256' }),
  );
  return `s3://${bucket}/${key}`;
}

const dayFolder = (date: Date) => `${PIPELINE_PREFIX}${date.toISOString().slice(0, 10).replace(/-/g, '/')}/`;

/** The keys filed from the day of `from` through the day of `to` (one listing, starting at `from`'s day). */
export async function listPipelineKeys(s3: S3Client, bucket: string, from: Date, to: Date): Promise<string[]> {
  const keys: string[] = [];
  const last = `${dayFolder(to)}\uffff`;
  for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: bucket, Prefix: PIPELINE_PREFIX, StartAfter: dayFolder(from) })) {
    for (const object of page.Contents ?? []) {
      if (!object.Key) continue;
      if (object.Key > last) return keys;
      keys.push(object.Key);
    }
  }
  return keys;
}
