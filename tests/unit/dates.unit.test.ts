import { describe, expect, it } from 'vitest';
import { parsePeriodBound } from '../../cli/commands/audit.js';
import { dateOption, instantOf, isDay, parseDateInput } from '../../shared/dates.js';
import { expiryInstant } from '../../shared/decision/exemptions.js';
import { judgeInlineExemption } from '../../shared/scan/inline-exemption.js';

const NOW = new Date('2026-11-29T12:00:00Z');

describe('dates: one grammar (YYYY-MM-DD or an ISO 8601 date-time with its offset), one rule for a bare date', () => {
  it('reads a bare date as the start of its UTC day, or its end (through that day) for an expiry or a --to', () => {
    expect(instantOf('2026-10-31').toISOString()).toBe('2026-10-31T00:00:00.000Z');
    expect(instantOf('2026-10-31', 'end').toISOString()).toBe('2026-11-01T00:00:00.000Z');
    expect(instantOf('2026-10-31T10:00:00+02:00', 'end').toISOString()).toBe('2026-10-31T08:00:00.000Z');
    expect(expiryInstant('2026-12-31').toISOString()).toBe('2027-01-01T00:00:00.000Z');
    expect(parseDateInput('2028-02-29', 'end')?.toISOString()).toBe('2028-03-01T00:00:00.000Z');
  });

  it('takes a date-time without seconds, as ISO 8601 allows (an inline exemption written `expires=2026-12-01T10:00Z` before the one grammar)', () => {
    expect(parseDateInput('2026-12-01T10:00Z')?.toISOString()).toBe('2026-12-01T10:00:00.000Z');
    expect(parseDateInput('2026-12-01T10:00+01:00')?.toISOString()).toBe('2026-12-01T09:00:00.000Z');
    expect(parseDateInput('2026-12-01T10Z')).toBeNull();
  });

  it('refuses what is not a real day, a time without its offset (read in the machine zone) and prose, at every edge', () => {
    for (const text of ['2026-02-30', '2026-13-01', '2026-11-29 10:00', '2026-11-29T10:00:00', 'Nov 29 2026', '1', 'last week', '']) {
      expect(parseDateInput(text)).toBeNull();
      expect(() => dateOption('--as-of', text)).toThrow(`--as-of: not a date (YYYY-MM-DD or ISO 8601): ${JSON.stringify(text)}`);
    }
    expect(isDay('2026-11-29')).toBe(true);
    expect(isDay('2026-11-29T00:00:00Z')).toBe(false);
  });

  it('audit --from/--to and an inline exemption read dates as the configuration and the exception register do', () => {
    expect(() => parsePeriodBound('--from', '2026-11-01 00:00')).toThrow('--from: not a date');
    expect(() => parsePeriodBound('--to', 'Nov 30 2026')).toThrow('--to: not a date');
    expect(parsePeriodBound('--to', '2026-11-30T18:00:00Z').toISOString()).toBe('2026-11-30T18:00:00.000Z');
    expect(judgeInlineExemption({ reason: 'r', expires: '2026-02-30' }, NOW)).toMatchObject({ applies: false, reason: expect.stringMatching(/'2026-02-30' is not a date \(YYYY-MM-DD\) or an ISO 8601 date-time/) });
    expect(judgeInlineExemption({ reason: 'r', expires: '2026-11-29' }, NOW)).toMatchObject({ applies: true });
    expect(judgeInlineExemption({ reason: 'r', expires: '2026-11-29T11:00:00Z' }, NOW)).toMatchObject({ applies: false });
  });
});
