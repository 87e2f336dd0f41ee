import { GetObjectCommand, paginateListObjectsV2, type S3Client } from '@aws-sdk/client-s3';
import { listFolders } from '../aws/evidence-store.js';
import { isLogFile, periodDays } from './archive-layout.js';
import { parseS3Url, type ArchiveFile, type ArchiveScope } from './sources.js';

/**
 * Log files of a trail's S3 archive, listing only the keys of the period's days: accounts (and an
 * organisation trail's `o-...` level) and regions are discovered with delimiter listings, then
 * each day folder is listed.
 */
export async function* s3Archive(s3: S3Client, url: string, scope: ArchiveScope): AsyncGenerator<ArchiveFile> {
  const { bucket, prefix } = parseS3Url(url);
  const accountPrefixes: string[] = [];
  for (const level of await listFolders(s3, bucket, `${prefix}AWSLogs/`)) {
    if (/\/o-[a-z0-9]+\/$/.test(level)) accountPrefixes.push(...(await listFolders(s3, bucket, level)));
    else accountPrefixes.push(level);
  }
  const days = periodDays(scope.from, scope.to);
  for (const accountPrefix of accountPrefixes) {
    for (const regionPrefix of await listFolders(s3, bucket, `${accountPrefix}CloudTrail/`)) {
      const region = regionPrefix.split('/').at(-2)!;
      if (scope.regions !== null && !scope.regions.includes(region)) continue;
      for (const day of days) {
        for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: bucket, Prefix: `${regionPrefix}${day}/` })) {
          for (const object of page.Contents ?? []) {
            const key = object.Key!;
            if (!isLogFile(key)) continue;
            const get = () => s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
            yield {
              name: `s3://${bucket}/${key}`,
              // The listing's size: an object too large to hold is streamed, never read whole.
              size: object.Size,
              read: async () => (await get()).Body!.transformToByteArray(),
              open: async function* () {
                yield* (await get()).Body as AsyncIterable<Uint8Array>;
              },
            };
          }
        }
      }
    }
  }
}
