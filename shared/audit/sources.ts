import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { isLogFile, parseArchivePath, periodDays } from './archive-layout.js';

/** One file of an archive, read when asked (so only one file's bytes are held at a time). */
export interface ArchiveFile {
  name: string;
  read(): Promise<Uint8Array>;
}

export interface ArchiveScope {
  from: Date;
  to: Date;
  /** Regions to keep; null: every region found. */
  regions: readonly string[] | null;
}

function inScope(path: string, scope: ArchiveScope, days: Set<string>): boolean {
  const parsed = parseArchivePath(path);
  if (parsed === null) return true; // a flat folder: every file is read, records are filtered by time
  return days.has(parsed.day) && (scope.regions === null || scope.regions.includes(parsed.region));
}

/** Log files under a local directory, in the trail's layout or flat, limited to the period's days. */
export async function* directoryArchive(root: string, scope: ArchiveScope): AsyncGenerator<ArchiveFile> {
  const days = new Set(periodDays(scope.from, scope.to));
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  const files = entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath ?? (entry as unknown as { path: string }).path, entry.name))
    .filter((path) => isLogFile(path) && inScope(`${relative(root, path)}`.replace(/\\/g, '/'), scope, days))
    .sort();
  for (const path of files) yield { name: path, read: () => readFile(path) };
}

/** `s3://BUCKET/PREFIX` split; the prefix has no leading slash and ends in `/` when not empty. */
export function parseS3Url(url: string): { bucket: string; prefix: string } {
  const match = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(url);
  if (!match) throw new Error(`not an s3://BUCKET/PREFIX URL: ${url}`);
  const prefix = (match[2] ?? '').replace(/^\/+/, '');
  return { bucket: match[1]!, prefix: prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/` };
}

async function commonPrefixes(s3: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const found: string[] = [];
  let ContinuationToken: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, Delimiter: '/', ContinuationToken }));
    for (const p of page.CommonPrefixes ?? []) if (p.Prefix) found.push(p.Prefix);
    ContinuationToken = page.NextContinuationToken;
  } while (ContinuationToken);
  return found;
}

/**
 * Log files of a trail's S3 archive, listing only the keys of the period's days: accounts (and an
 * organisation trail's `o-...` level) and regions are discovered with delimiter listings, then
 * each day folder is listed.
 */
export async function* s3Archive(s3: S3Client, url: string, scope: ArchiveScope): AsyncGenerator<ArchiveFile> {
  const { bucket, prefix } = parseS3Url(url);
  const accountPrefixes: string[] = [];
  for (const level of await commonPrefixes(s3, bucket, `${prefix}AWSLogs/`)) {
    if (/\/o-[a-z0-9]+\/$/.test(level)) accountPrefixes.push(...(await commonPrefixes(s3, bucket, level)));
    else accountPrefixes.push(level);
  }
  const days = periodDays(scope.from, scope.to);
  for (const accountPrefix of accountPrefixes) {
    for (const regionPrefix of await commonPrefixes(s3, bucket, `${accountPrefix}CloudTrail/`)) {
      const region = regionPrefix.split('/').at(-2)!;
      if (scope.regions !== null && !scope.regions.includes(region)) continue;
      for (const day of days) {
        let ContinuationToken: string | undefined;
        do {
          const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `${regionPrefix}${day}/`, ContinuationToken }));
          for (const object of page.Contents ?? []) {
            const key = object.Key!;
            if (!isLogFile(key)) continue;
            yield {
              name: `s3://${bucket}/${key}`,
              read: async () => {
                const response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
                return response.Body!.transformToByteArray();
              },
            };
          }
          ContinuationToken = page.NextContinuationToken;
        } while (ContinuationToken);
      }
    }
  }
}
