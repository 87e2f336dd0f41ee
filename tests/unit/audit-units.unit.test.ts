import { describe, expect, it } from 'vitest';
import { isLogFile, parseArchivePath, periodDays } from '../../shared/audit/archive-layout.js';
import { weekOf } from '../../shared/audit/audit-report.js';
import { rateLimiter } from '../../shared/audit/lookup-source.js';
import { parseS3Url } from '../../shared/audit/sources.js';
import { parsePeriodBound } from '../../cli/commands/audit.js';

describe('archive layout', () => {
  it('lists the days of the period and the day after', () => {
    expect(periodDays(new Date('2026-02-27T00:00:00Z'), new Date('2026-03-01T00:00:00Z'))).toEqual(['2026/02/27', '2026/02/28', '2026/03/01', '2026/03/02']);
  });

  it('reads account, region, day and organisation back from a key', () => {
    expect(parseArchivePath('p/AWSLogs/o-abc123/222222222222/CloudTrail/us-east-1/2026/10/20/x.json.gz')).toEqual({
      account: '222222222222',
      region: 'us-east-1',
      day: '2026/10/20',
      organization: 'o-abc123',
    });
    expect(parseArchivePath('flat/file.json.gz')).toBeNull();
    expect(isLogFile('AWSLogs/1/CloudTrail-Digest/eu-west-1/2026/10/05/d.json.gz')).toBe(false);
    expect(isLogFile('a.json.gz')).toBe(true);
  });

  it('parses s3:// URLs and refuses others', () => {
    expect(parseS3Url('s3://my-trail/prefix')).toEqual({ bucket: 'my-trail', prefix: 'prefix/' });
    expect(parseS3Url('s3://my-trail')).toEqual({ bucket: 'my-trail', prefix: '' });
    expect(() => parseS3Url('https://x')).toThrow(/not an s3/);
  });

  it('puts an instant in its ISO week (Monday, UTC)', () => {
    expect(weekOf('2026-10-05T11:00:00Z')).toBe('2026-10-05');
    expect(weekOf('2026-10-11T23:59:59Z')).toBe('2026-10-05');
    expect(weekOf('2026-10-12T00:00:00Z')).toBe('2026-10-12');
  });

  it('reads --to as the end of the day named', () => {
    expect(parsePeriodBound('--to', '2026-10-31').toISOString()).toBe('2026-11-01T00:00:00.000Z');
    expect(parsePeriodBound('--from', '2026-10-01').toISOString()).toBe('2026-10-01T00:00:00.000Z');
    expect(() => parsePeriodBound('--from', 'last week')).toThrow('--from: not a date');
  });
});

describe('rateLimiter', () => {
  it('spaces calls at the given rate, two per second for LookupEvents', async () => {
    let clock = 1_000;
    const waits: number[] = [];
    const limit = rateLimiter(2, () => clock, async (ms) => {
      waits.push(ms);
      clock += ms;
    });
    for (let i = 0; i < 5; i++) await limit();
    expect(waits).toEqual([500, 500, 500, 500]);
  });
});
