import type { ArchiveFile } from '../../shared/audit/sources.js';
import type { InventoryEntry, SweepResult } from '../../shared/model/inventory.js';
import { createModelRecord, gzipRecords, remediationRecord } from './archive-generator.js';

/** Names a report must show as text: markup, a script, an event handler, a spreadsheet formula. */
export const HOSTILE = {
  script: 'x<script>alert(1)</script>',
  image: '<img src=x onerror=alert(2)>',
  formula: '=HYPERLINK("http://evil.example","click")',
} as const;

export const ACCOUNT_A = '111122223333';
export const ACCOUNT_B = '444455556666';

/**
 * The CreateModel calls of November 2026 (`--from 2026-11-01 --to 2026-11-30`) in two accounts and
 * two regions: isolated, violating (one deleted 4 minutes later), a denied call, hostile names, and
 * three weeks without a model created (09 Nov, 23 Nov, 30 Nov).
 */
export function novemberAuditRecords(): Array<Record<string, unknown>> {
  return [
    createModelRecord({ account: ACCOUNT_A, region: 'eu-west-1', time: '2026-11-01T09:00:00Z', modelName: 'fraud-scorer', isolation: true }),
    createModelRecord({ account: ACCOUNT_A, region: 'eu-west-1', time: '2026-11-02T10:00:00Z', modelName: 'churn-v1', isolation: true }),
    createModelRecord({ account: ACCOUNT_A, region: 'eu-west-1', time: '2026-11-03T10:00:00Z', modelName: HOSTILE.script }),
    createModelRecord({ account: ACCOUNT_A, region: 'eu-west-1', time: '2026-11-04T10:00:00Z', modelName: 'churn-v2', isolation: false }),
    remediationRecord('deleted', { account: ACCOUNT_A, region: 'eu-west-1', time: '2026-11-04T10:04:00Z', modelName: 'churn-v2' }),
    createModelRecord({ account: ACCOUNT_B, region: 'us-east-1', time: '2026-11-05T08:00:00Z', modelName: 'recommender', isolation: true }),
    createModelRecord({ account: ACCOUNT_B, region: 'us-east-1', time: '2026-11-17T08:00:00Z', modelName: HOSTILE.image }),
    createModelRecord({ account: ACCOUNT_B, region: 'us-east-1', time: '2026-11-18T08:00:00Z', modelName: HOSTILE.formula, isolation: true }),
    createModelRecord({ account: ACCOUNT_B, region: 'us-east-1', time: '2026-11-19T08:00:00Z', modelName: 'denied-model', errorCode: 'AccessDenied' }),
  ];
}

export async function* filesOf(...bodies: Buffer[]): AsyncGenerator<ArchiveFile> {
  for (const [i, body] of bodies.entries()) yield { name: `f${i}`, read: async () => body };
}

export const novemberArchive = () => filesOf(gzipRecords(novemberAuditRecords()));

function entry(account: string | null, region: string, name: string, created: string, isolated: boolean, extra: Partial<InventoryEntry> = {}): InventoryEntry {
  const verdict = isolated ? 'compliant' : 'violation';
  return {
    account,
    region,
    modelName: name,
    modelArn: `arn:aws:sagemaker:${region}:${account ?? '999988887777'}:model/${name.toLowerCase()}`,
    creationTime: created,
    networkIsolation: isolated,
    verdict,
    // A violation's severity (high without a data class), low for anything else, as the decision gives it.
    severity: isolated ? 'low' : 'high',
    classification: null,
    production: false,
    exception: null,
    quarantined: false,
    tags: {},
    reasons: isolated ? ['EnableNetworkIsolation is true'] : ['EnableNetworkIsolation is false: the model can reach the network'],
    action: { kind: 'none', status: 'not-needed', detail: '' },
    channels: { sns: isolated ? 'not-needed' : 'sent', slack: 'not-configured', finding: isolated ? 'not-needed' : 'sent' },
    failures: {},
    ...extra,
  } as InventoryEntry;
}

/**
 * A sweep of two accounts: models created over ten weeks (two weeks without one), violations,
 * an exemption, a quarantined model, hostile names, long ARNs, and a region that could not be read.
 */
export function sweepFixture(): SweepResult {
  const models: InventoryEntry[] = [
    entry(ACCOUNT_A, 'eu-west-1', 'fraud-scorer', '2026-09-21T10:00:00Z', true),
    entry(ACCOUNT_A, 'eu-west-1', 'churn-v1', '2026-09-30T10:00:00Z', true),
    entry(ACCOUNT_A, 'eu-west-1', HOSTILE.script, '2026-10-06T10:00:00Z', false),
    entry(ACCOUNT_A, 'eu-west-1', 'legacy-embeddings-with-a-rather-long-model-name-v17', '2026-10-07T10:00:00Z', false, {
      quarantined: true,
      tags: { 'isolation-guard:quarantine': 'network-isolation-disabled' },
      action: { kind: 'quarantine', status: 'done', detail: '' },
    }),
    entry(ACCOUNT_A, 'us-east-1', 'recommender', '2026-10-20T10:00:00Z', true),
    entry(ACCOUNT_A, 'us-east-1', 'research-sandbox', '2026-11-03T10:00:00Z', false, {
      verdict: 'exempt',
      severity: 'low',
      exception: { id: 'EXC-2026-017-research-sandbox', reason: 'research', ticket: 'SEC-4411', approvedBy: 'ciso@example.com', expires: '2026-12-31' },
      tags: { 'isolation-guard:exempt': 'research until 2026-12-31' },
      reasons: ['tag isolation-guard:exempt exempts it'],
      action: { kind: 'none', status: 'not-needed', detail: '' },
    }),
    entry(ACCOUNT_B, 'us-east-1', HOSTILE.image, '2026-11-10T10:00:00Z', false, { severity: 'critical', classification: 'phi', production: true }),
    entry(ACCOUNT_B, 'us-east-1', HOSTILE.formula, '2026-11-17T10:00:00Z', true),
    entry(ACCOUNT_B, 'us-east-1', 'ranker', '2026-11-24T10:00:00Z', true),
  ];
  return {
    startedAt: '2026-11-29T06:00:00.000Z',
    finishedAt: '2026-11-29T06:01:10.000Z',
    regions: [
      { account: ACCOUNT_A, region: 'eu-west-1', models: 4, error: null },
      { account: ACCOUNT_A, region: 'us-east-1', models: 2, error: null },
      { account: ACCOUNT_B, region: 'eu-west-1', models: 0, error: 'AccessDenied: not authorized to perform sagemaker:ListModels' },
      { account: ACCOUNT_B, region: 'us-east-1', models: 3, error: null },
    ],
    models,
  };
}
