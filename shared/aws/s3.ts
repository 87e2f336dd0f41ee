import { GetObjectCommand, paginateListObjectsV2, type S3Client } from '@aws-sdk/client-s3';

export type { S3Client };

/**
 * S3 reads outside the evidence bucket (a trail's log archive). The evidence bucket's own reads and
 * writes are in shared/aws/evidence-store.ts.
 */

/** The objects under `prefix`, in key order (ListObjectsV2, every page): key and size. */
export async function* listObjects(s3: S3Client, bucket: string, prefix: string): AsyncGenerator<{ key: string; size: number | undefined }> {
  for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: bucket, Prefix: prefix })) {
    for (const object of page.Contents ?? []) if (object.Key) yield { key: object.Key, size: object.Size };
  }
}

/** An object's bytes, read whole. */
export async function readObjectBytes(s3: S3Client, bucket: string, key: string): Promise<Uint8Array> {
  return (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToByteArray();
}

/** An object's bytes as they arrive (for an object too large to hold). */
export async function* streamObject(s3: S3Client, bucket: string, key: string): AsyncGenerator<Uint8Array> {
  yield* (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body as AsyncIterable<Uint8Array>;
}
