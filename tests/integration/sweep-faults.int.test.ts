import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAwsClients, type AwsClients } from '../../shared/aws/clients.js';
import { loadConfig } from '../../shared/config.js';
import { enforcementDeps, enforcementSettings } from '../../shared/enforcement/deps.js';
import { inventorySummary, renderInventory } from '../../shared/reports/inventory-report.js';
import { sweepModels } from '../../shared/sweep/sweep.js';
import { runCliInProcess } from '../support/cli.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { createModel } from '../../local-aws/local-stack.js';
import { awsClientConfig, motoEnvironment, startMoto, type MotoServer } from '../../local-aws/moto.js';

/** The sweep under faults, on moto behind the fault-injecting proxy. */
const REGION = 'eu-west-1';
const EMPTY_REGION = 'eu-north-1';
const MODELS = Array.from({ length: 30 }, (_, i) => `sweep-fault-${String(i).padStart(2, '0')}`);
let moto: MotoServer;
let proxy: FaultProxy;
let setup: AwsClients;
let clients: AwsClients;

beforeAll(async () => {
  moto = await startMoto();
  proxy = await startFaultProxy(moto.endpoint);
  setup = createAwsClients(awsClientConfig(moto.endpoint, REGION));
  clients = createAwsClients({ ...awsClientConfig(proxy.endpoint, REGION), requestHandler: { requestTimeout: 1_000, throwOnRequestTimeout: true } });
  for (const name of MODELS) await createModel(setup, REGION, name);
}, 120_000);

afterAll(async () => {
  await proxy?.close();
  await moto?.stop();
});

beforeEach(() => {
  proxy.clearFaults();
  proxy.calls.clear();
});

describe('sweep with one model whose DescribeModel is denied', () => {
  it('reports that model as one row with its error, not proven isolated, and every other model with every effect taken', async () => {
    proxy.fault('DescribeModel', { accessDenied: true, bodyIncludes: '"sweep-fault-13"' });
    const config = loadConfig({ env: { ISOLATION_GUARD_MODE: 'quarantine' } });
    const result = await sweepModels({ regions: [REGION], reminderDays: 0 }, enforcementSettings(config), enforcementDeps(config, clients));

    expect(result.regions).toEqual([{ region: REGION, models: 30, error: null }]);
    expect(result.models).toHaveLength(30);
    const failed = result.models.filter((m) => m.error);
    expect(failed.map((m) => m.modelName)).toEqual(['sweep-fault-13']);
    // The ARN comes from ListModels, so the row says which model it is.
    expect(failed[0]).toMatchObject({ modelArn: expect.stringMatching(/:model\/sweep-fault-13$/), networkIsolation: false, error: expect.stringMatching(/AccessDenied/) });
    // Every AddTags that happened is in the inventory.
    const tagged = result.models.filter((m) => m.action.kind === 'quarantine' && m.action.status === 'done');
    expect(tagged).toHaveLength(29);
    expect(proxy.calls.get('AddTags')).toBe(29);

    const summary = inventorySummary(result);
    expect(summary).toMatchObject({ models: 30, unreadable: 1, violations: 29, isolated: 0, isolatedShare: 0 });
    expect(renderInventory(result, 'csv')).toMatch(/sweep-fault-13.*AccessDenied/);
  }, 120_000);

  it('a region that read no model never shows 100% isolated', async () => {
    const config = loadConfig({ env: {} });
    const result = await sweepModels({ regions: [EMPTY_REGION], reminderDays: 7 }, enforcementSettings(config), enforcementDeps(config, clients));
    expect(inventorySummary(result).isolatedShare).toBeNull();
    expect(renderInventory(result, 'md')).toContain('isolated: 0 (n/a (no model was read))');
    const html = renderInventory(result, 'html');
    expect(html).toContain('<span data-kpi="isolatedShare">n/a</span>');
    expect(html).toContain('No model was read: this inventory proves nothing about isolation.');
    // No "100" in front of a % sign anywhere a reader looks (the stylesheet's width:100% aside).
    expect(html.replace(/<style>[\s\S]*?<\/style>/, '')).not.toMatch(/100(\.0)?\s*(<[^>]+>\s*)*%/);
  }, 60_000);
});

describe('isolation-guard sweep exit codes under faults', () => {
  const env = () => ({ ...motoEnvironment(proxy.endpoint, REGION) });

  it('exits 3 when effects failed, with their count and the cause named: the missing ledger table', async () => {
    // Models of their own, in a region of their own: no other test has quarantined them.
    const LEDGER_REGION = 'us-west-2';
    const own = createAwsClients(awsClientConfig(moto.endpoint, LEDGER_REGION));
    for (const name of ['ledger-a', 'ledger-b', 'ledger-c']) await createModel(own, LEDGER_REGION, name);
    const run = await runCliInProcess(['sweep', '--regions', LEDGER_REGION, '--mode', 'quarantine', '--idempotency-table', 'no-such-ledger', '--format', 'json'], {
      env: motoEnvironment(proxy.endpoint, LEDGER_REGION),
    });
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/3 effect\(s\) failed on 3 model\(s\)/);
    expect(run.stderr).toMatch(/the step-ledger table no-such-ledger does not exist/);
    expect(run.stderr).not.toMatch(/internal error/i);
    // Deduplication could not happen, so the effects ran anyway (fail closed), and the report says so.
    const report = JSON.parse(run.stdout);
    expect(report.summary.effectFailures).toHaveLength(3);
    expect(report.models.filter((m: any) => m.action.status === 'done')).toHaveLength(3);
  }, 120_000);

  it('exits 2 when a model could not be read, naming it', async () => {
    proxy.fault('DescribeModel', { accessDenied: true, bodyIncludes: '"sweep-fault-07"' });
    const run = await runCliInProcess(['sweep', '--regions', REGION, '--format', 'json'], { env: env() });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/model sweep-fault-07 in eu-west-1 could not be read: .*AccessDenied/);
    expect(run.stderr).toMatch(/1 not readable/);
  }, 120_000);
});
