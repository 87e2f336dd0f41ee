import { describe, expect, it } from 'vitest';
import type { EnforcementResult } from '../../shared/enforcement/pipeline.js';
import { recordEnforcementMetrics } from '../../shared/lambda/observability.js';

const result = (overrides: Partial<EnforcementResult>): EnforcementResult => ({
  eventKey: 'e',
  decision: {
    eventId: 'e',
    eventTime: '2026-11-22T10:00:00Z',
    account: '1',
    region: 'eu-west-1',
    modelName: 'm',
    modelArn: null,
    principal: null,
    succeeded: true,
    networkIsolation: null,
    verdict: 'violation',
    reasons: [],
    severity: 'high',
    classification: null,
    production: false,
    exception: null,
  },
  model: null,
  action: { kind: 'quarantine', status: 'done', detail: '' },
  channels: { sns: 'sent', slack: 'failed', finding: 'not-configured' },
  failures: {},
  ...overrides,
});

describe('recordEnforcementMetrics', () => {
  it('counts events, violations, remediations, alert failures, and the time from event to action', () => {
    const added: Array<[string, string, number]> = [];
    recordEnforcementMetrics({ addMetric: (name, unit, value) => void added.push([name, unit, value]) }, result({}), new Date('2026-11-22T10:00:02.500Z'));
    expect(added).toEqual([
      ['EventsHandled', 'Count', 1],
      ['Violations', 'Count', 1],
      ['Remediations', 'Count', 1],
      ['EventToActionMs', 'Milliseconds', 2500],
      ['AlertFailures_slack', 'Count', 1],
    ]);
  });

  it('counts an exemption used, and no remediation when none was done', () => {
    const added: string[] = [];
    const exempt = result({ action: { kind: 'none', status: 'not-needed', detail: '' }, channels: { sns: 'sent', slack: 'sent', finding: 'sent' } });
    recordEnforcementMetrics({ addMetric: (name) => void added.push(name) }, { ...exempt, decision: { ...exempt.decision, verdict: 'exempt' } }, new Date());
    expect(added).toEqual(['EventsHandled', 'ExemptionsUsed']);
  });
});
