import { createReadStream } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { InputFile } from '../cloudtrail/read-files.js';
import { isLogFile, parseArchivePath, periodDays } from './archive-layout.js';

/** One file of an archive, read when asked (so only a few files' bytes are held at a time). */
export type ArchiveFile = InputFile;

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
  for (const path of files) {
    // Its size, so that a file too large to hold is streamed, never read whole (the reader's bounds apply to it).
    const size = await stat(path).then((info) => info.size, () => undefined);
    yield { name: path, path, size, read: () => readFile(path), open: () => createReadStream(path) };
  }
}

/** `s3://BUCKET/PREFIX` split; the prefix has no leading slash and ends in `/` when not empty. */
export function parseS3Url(url: string): { bucket: string; prefix: string } {
  const match = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(url);
  if (!match) throw new Error(`not an s3://BUCKET/PREFIX URL: ${url}`);
  const prefix = (match[2] ?? '').replace(/^\/+/, '');
  return { bucket: match[1]!, prefix: prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/` };
}
