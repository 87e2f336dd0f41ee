import { listFolders } from '../aws/evidence-store.js';
import { listObjects, readObjectBytes, streamObject, type S3Client } from '../aws/s3.js';
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
        for await (const object of listObjects(s3, bucket, `${regionPrefix}${day}/`)) {
          const key = object.key;
          if (!isLogFile(key)) continue;
          yield {
            name: `s3://${bucket}/${key}`,
            // The listing's size: an object too large to hold is streamed, never read whole.
            size: object.size,
            read: () => readObjectBytes(s3, bucket, key),
            open: () => streamObject(s3, bucket, key),
          };
        }
      }
    }
  }
}
