import { GetObjectCommand, paginateListObjectsV2, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';

/**
 * The evidence bucket, the one way it is written and read: the history report, the sweep's
 * inventory snapshots and the scan's pipeline records all go through here, so every evidence
 * object is filed with the same settings (its content type, encrypted at rest with SSE-S3). The
 * bucket is versioned (and can lock objects), so a filed object cannot be quietly replaced.
 */

export const JSON_CONTENT = 'application/json';
export const HTML_CONTENT = 'text/html; charset=utf-8';

/** One object to file: its key, its text, and its content type. */
export interface EvidenceObject {
  key: string;
  body: string;
  contentType: string;
}

/** Files the objects in the order given (one PutObject each); returns their `s3://` addresses. */
export async function fileEvidence(s3: S3Client, bucket: string, objects: readonly EvidenceObject[]): Promise<string[]> {
  const files: string[] = [];
  for (const object of objects) {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: object.key, Body: object.body, ContentType: object.contentType, ServerSideEncryption: 'AES256' }));
    files.push(`s3://${bucket}/${object.key}`);
  }
  return files;
}

/**
 * The keys under `prefix`, in key order (S3 lists in UTF-8 binary order, and evidence keys start
 * with their date, so a range of keys is a period): after `startAfter` when given, and up to
 * `through` (inclusive) when given; the listing stops at the first key past it.
 */
export async function listEvidenceKeys(s3: S3Client, bucket: string, prefix: string, range: { startAfter?: string; through?: string } = {}): Promise<string[]> {
  const keys: string[] = [];
  const input = { Bucket: bucket, Prefix: prefix, ...(range.startAfter !== undefined ? { StartAfter: range.startAfter } : {}) };
  for await (const page of paginateListObjectsV2({ client: s3 }, input)) {
    for (const object of page.Contents ?? []) {
      if (!object.Key) continue;
      if (range.through !== undefined && object.Key > range.through) return keys;
      keys.push(object.Key);
    }
  }
  return keys;
}

/** The last key under `prefix` that `matches` (evidence keys sort by time: the latest); null when none does. */
export async function latestEvidenceKey(s3: S3Client, bucket: string, prefix: string, matches: (key: string) => boolean): Promise<string | null> {
  let latest: string | null = null;
  for (const key of await listEvidenceKeys(s3, bucket, prefix)) if (matches(key) && (latest === null || key > latest)) latest = key;
  return latest;
}

/** An evidence object's text. */
export async function readEvidenceText(s3: S3Client, bucket: string, key: string): Promise<string> {
  return (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToString();
}

/** The folders one level under `prefix` (a delimiter listing, every page): the evidence bucket's runs, a trail archive's accounts and regions. */
export async function listFolders(s3: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const found: string[] = [];
  for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: bucket, Prefix: prefix, Delimiter: '/' })) {
    for (const p of page.CommonPrefixes ?? []) if (p.Prefix) found.push(p.Prefix);
  }
  return found;
}
