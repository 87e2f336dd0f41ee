import { lookupCreateModelPages, type CloudTrailClient } from '../aws/cloudtrail.js';
import type { ArchiveFile } from './sources.js';

/**
 * A limiter of `perSecond` calls per second: CloudTrail's LookupEvents allows two per second per
 * account and region, and exceeding it only buys throttling errors.
 */
export function rateLimiter(perSecond: number, now: () => number = Date.now, sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))) {
  const interval = 1000 / perSecond;
  let next = 0;
  return async () => {
    const at = Math.max(now(), next);
    next = at + interval;
    const wait = at - now();
    if (wait > 0) await sleep(wait);
  };
}

/** An account and region whose LookupEvents the audit reads. */
export interface LookupTarget {
  /** null: this account. */
  account: string | null;
  region: string;
}

/**
 * CreateModel events of the period from CloudTrail's LookupEvents (the last 90 days), every account
 * and region in parallel, every page, each account and region's calls spaced by its own limiter. Each page is handed on as
 * an archive file holding `{"Records": [...]}`, so the rest of the audit reads it like any file.
 */
export async function* lookupEventsArchive(
  clientFor: (target: LookupTarget) => CloudTrailClient | Promise<CloudTrailClient>,
  targets: readonly LookupTarget[],
  period: { from: Date; to: Date },
  options: { perSecond?: number } = {},
): AsyncGenerator<ArchiveFile> {
  const pages: ArchiveFile[][] = await Promise.all(
    targets.map(async (target) => {
      const { region } = target;
      const where = target.account ? `${target.account}:${region}` : region;
      const client = await clientFor(target);
      // The limit is per account and region, as CloudTrail applies it.
      const limit = rateLimiter(options.perSecond ?? 2);
      const files: ArchiveFile[] = [];
      let page = 0;
      // The paginator calls LookupEvents when asked for a page: the limiter waits before the first
      // call, and after each page only when another page follows (a next token), as the paginator does.
      await limit();
      for await (const output of lookupCreateModelPages(client, period)) {
        const body = Buffer.from(JSON.stringify({ Records: output.records }));
        files.push({ name: `lookup:${where}:page${++page}`, read: async () => body });
        if (output.more) await limit();
      }
      return files;
    }),
  );
  for (const files of pages) yield* files;
}
