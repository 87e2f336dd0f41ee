import { describe, expect, it } from 'vitest';
import {
  auditReportKey,
  inventorySnapshotKey,
  monthReportsPrefix,
  parseAuditReportKey,
  parseInventorySnapshotKey,
  parsePipelineKey,
  parseSweepRunFolder,
  parseSweepUnitKey,
  pipelineDayPrefix,
  runIdOf,
  sweepMergedKey,
  sweepPlanKey,
  sweepUnitKey,
  sweepUnitsPrefix,
} from '../../shared/aws/evidence-keys.js';
import { monthsOf } from '../../shared/audit/evidence-source.js';
import { pipelineContext, pipelineKey, pipelineRecord } from '../../shared/scan/pipeline-evidence.js';

describe('evidence keys: what a writer files, its reader reads back', () => {
  it("the history Lambda's audit report is found under its month's prefix and read back with its period, time and format", () => {
    const period = { from: new Date('2026-10-01T00:00:00Z'), to: new Date('2026-11-01T00:00:00Z') };
    const filedAt = new Date('2026-11-01T06:00:12.345Z');
    const json = auditReportKey(period, filedAt, 'json');
    expect(json).toBe('reports/2026-10-01_2026-11-01/audit-2026-11-01T06-00-12-345Z.json');
    // The reader lists the month the period is (monthsOf) and keeps the JSON report it parses there.
    const [month] = monthsOf(period.from, period.to);
    expect(json.startsWith(monthReportsPrefix(month!))).toBe(true);
    expect(parseAuditReportKey(json)).toEqual({ from: '2026-10-01', to: '2026-11-01', filedAt, format: 'json' });
    expect(parseAuditReportKey(auditReportKey(period, filedAt, 'html'))?.format).toBe('html');
  });

  it("the sweep's inventory snapshot is read back with its time and format, and nothing else under inventory/ is taken for one", () => {
    const finishedAt = '2026-11-29T06:01:10.000Z';
    expect(inventorySnapshotKey(finishedAt, 'json')).toBe('inventory/2026/11/29/2026-11-29T06-01-10-000Z.json');
    expect(parseInventorySnapshotKey(inventorySnapshotKey(finishedAt, 'json'))).toEqual({ finishedAt: new Date(finishedAt), format: 'json' });
    expect(parseInventorySnapshotKey(inventorySnapshotKey(finishedAt, 'html'))).toEqual({ finishedAt: new Date(finishedAt), format: 'html' });
    // Later snapshots sort later: the reader takes the greatest key as the latest.
    expect(inventorySnapshotKey('2026-12-01T00:00:00.000Z', 'json') > inventorySnapshotKey(finishedAt, 'json')).toBe(true);
    expect(parseInventorySnapshotKey('inventory/notes.json')).toBeNull();
    expect(parseInventorySnapshotKey(auditReportKey({ from: new Date('2026-10-01'), to: new Date('2026-11-01') }, new Date(finishedAt), 'json'))).toBeNull();
  });

  it("a scan's pipeline record is read back with its time and result, under the day prefix the audit lists from", () => {
    const result = { findings: [{ file: 'm.tf', line: 1, column: 1, resource: 'aws_sagemaker_model.m', verdict: 'violation' as const }], problems: [] };
    const scannedAt = new Date('2026-10-05T08:30:00.123Z');
    const record = pipelineRecord(result as never, 1, pipelineContext({ GITHUB_ACTIONS: 'true', GITHUB_RUN_ID: '42/../x', GITHUB_RUN_ATTEMPT: '2' }), scannedAt);
    const key = pipelineKey(record);
    expect(key.startsWith(pipelineDayPrefix(scannedAt))).toBe(true);
    expect(parsePipelineKey(key)).toEqual({ at: scannedAt, result: 'rejected' });
    const passed = pipelineKey(pipelineRecord({ findings: [], problems: [] } as never, 0, pipelineContext({}), scannedAt));
    expect(parsePipelineKey(passed)).toEqual({ at: scannedAt, result: 'passed' });
    expect(parsePipelineKey(inventorySnapshotKey(scannedAt.toISOString(), 'json'))).toBeNull();
  });

  it("a fanned-out sweep's unit and run folder are read back: account (or the home account), region and run id", () => {
    const runId = runIdOf(new Date('2026-11-29T06:00:00.000Z'));
    expect(runId).toBe('20261129T060000Z');
    for (const unit of [
      { runId, account: '123456789012', region: 'eu-west-1' },
      { runId, account: null, region: 'us-gov-west-1' },
    ]) {
      const key = sweepUnitKey(unit);
      expect(key.startsWith(sweepUnitsPrefix(runId))).toBe(true);
      expect(parseSweepUnitKey(key)).toEqual(unit);
    }
    expect(parseSweepUnitKey(sweepPlanKey(runId))).toBeNull();
    expect(parseSweepUnitKey(sweepMergedKey(runId))).toBeNull();
    // The planner finds earlier runs from the folders of a delimiter listing.
    const folder = sweepPlanKey(runId).slice(0, -'plan.json'.length);
    expect(parseSweepRunFolder(folder)).toBe(runId);
    expect(parseSweepRunFolder('sweep-runs/not-a-run/')).toBeNull();
  });
});
