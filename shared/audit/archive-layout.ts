/**
 * Where a trail writes its log files: `[PREFIX/]AWSLogs/[o-ORGID/]ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/`.
 * Pure helpers to list only the days of an audit period (plus the next day: a file is written up
 * to about 15 minutes after its records, so a record of 23:59 can sit in the next day's folder).
 */

/** Every UTC day from `from` to `to`, plus the day after `to`, as `YYYY/MM/DD`. */
export function periodDays(from: Date, to: Date): string[] {
  const days: string[] = [];
  const day = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate()));
  const last = new Date(Date.UTC(to.getUTCFullYear(), to.getUTCMonth(), to.getUTCDate() + 1));
  while (day.getTime() <= last.getTime()) {
    days.push(day.toISOString().slice(0, 10).replace(/-/g, '/'));
    day.setUTCDate(day.getUTCDate() + 1);
  }
  return days;
}

/** The path of a file relative to the archive root, read back: account, region, day. Null when flat. */
export function parseArchivePath(path: string): { account: string; region: string; day: string; organization: string | null } | null {
  const match = /AWSLogs\/(?:(o-[a-z0-9]+)\/)?(\d{12})\/CloudTrail\/([a-z0-9-]+)\/(\d{4})\/(\d{2})\/(\d{2})\//.exec(path);
  if (!match) return null;
  const [, organization, account, region, y, m, d] = match as unknown as [string, string | undefined, string, string, string, string, string];
  return { account, region, day: `${y}/${m}/${d}`, organization: organization ?? null };
}

/** A log file rather than a digest or anything else found in the bucket. */
export const isLogFile = (key: string): boolean => /\.json(\.gz)?$/.test(key) && !/CloudTrail-Digest\//.test(key);
