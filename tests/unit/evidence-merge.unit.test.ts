import { describe, expect, it } from 'vitest';
import type { AuditCall, AuditReport } from '../../shared/audit/audit-report.js';
import { monthReportsPrefix } from '../../shared/aws/evidence-keys.js';
import { mergeMonthlyReports, monthsOf, type MonthEvidence } from '../../shared/audit/evidence-source.js';

const call = (eventId: string, eventTime: string, verdict: AuditCall['verdict']): AuditCall =>
  ({ eventId, eventTime, verdict, succeeded: true, region: 'eu-west-1', account: '111111111111', modelName: eventId, networkIsolation: verdict === 'compliant', remediation: null, now: { exists: true, isolated: false, quarantined: false } }) as unknown as AuditCall;

const report = (source: string, calls: AuditCall[]): AuditReport =>
  ({ schemaVersion: 1, kind: 'sagemaker-createmodel-audit', scope: { source, recordsRead: 10, duplicatesDropped: 0 }, calls }) as unknown as AuditReport;

describe('monthly evidence', () => {
  it('lists the months a period touches, across a year end and from mid-month', () => {
    expect(monthsOf(new Date('2025-11-15T00:00:00Z'), new Date('2026-02-01T00:00:00Z'))).toEqual(['2025-11', '2025-12', '2026-01']);
    expect(monthsOf(new Date('2026-01-01T00:00:00Z'), new Date('2026-01-01T00:00:01Z'))).toEqual(['2026-01']);
    expect(monthReportsPrefix('2025-12')).toBe('reports/2025-12-01_2026-01-01/');
  });

  it('keeps the calls of the period once, recomputes the KPIs, and names the missing month', () => {
    const months: MonthEvidence[] = [
      { month: '2026-01', file: 's3://b/jan.json', report: report('lookup', [call('a', '2026-01-03T00:00:00Z', 'violation'), call('b', '2026-01-31T23:00:00Z', 'compliant')]), problem: null },
      { month: '2026-02', file: null, report: null, problem: 'no report filed under s3://b/reports/2026-02-01_2026-03-01/' },
      // A report filed for a period overlapping January repeats call b: kept once.
      { month: '2026-03', file: 's3://b/mar.json', report: report('athena:db.t', [call('b', '2026-01-31T23:00:00Z', 'compliant'), call('c', '2026-03-02T00:00:00Z', 'violation')]), problem: null },
    ];
    const merged = mergeMonthlyReports(months, { from: new Date('2026-01-02T00:00:00Z'), to: new Date('2026-04-01T00:00:00Z'), source: 'evidence:b', generatedAt: new Date('2026-04-02T00:00:00Z') });
    expect(merged.calls.map((c) => c.eventId)).toEqual(['a', 'b', 'c']);
    expect(merged.scope.duplicatesDropped).toBe(1);
    expect(merged.kpis).toMatchObject({ createModelCalls: 3, violations: 2, isolatedShare: 33.3, violatingModelsStillExisting: null });
    expect(merged.calls.every((c) => c.now === null)).toBe(true);
    expect(merged.scope.filesFailed).toEqual([{ name: 'month 2026-02', problem: 'no report filed under s3://b/reports/2026-02-01_2026-03-01/' }]);
    expect(merged.scope.months).toEqual([
      { month: '2026-01', file: 's3://b/jan.json', source: 'lookup' },
      { month: '2026-02', file: null, source: null },
      { month: '2026-03', file: 's3://b/mar.json', source: 'athena:db.t' },
    ]);
    const january = mergeMonthlyReports(months, { from: new Date('2026-01-04T00:00:00Z'), to: new Date('2026-02-01T00:00:00Z'), source: 'evidence:b', generatedAt: new Date() });
    expect(january.calls.map((c) => c.eventId)).toEqual(['b']);
  });
});
