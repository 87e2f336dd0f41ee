import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { planAction } from '../../shared/actions/plan.js';
import { decideCreateModel } from '../../shared/decision/decide-create-model.js';
import { applyFix } from '../../shared/fix/apply-fix.js';
import { isolatedName, planFix, type FixState } from '../../shared/fix/fix-plan.js';
import { describedModel, ownRecord } from '../support/fixtures.js';

const require = createRequire(import.meta.url);
const modes = require('../../iac/class-modes.cjs') as Record<string, (ctx: { resolveVariable: (name: string) => Promise<unknown> }) => Promise<unknown>>;
const resolving = (values: Record<string, string>) => ({ resolveVariable: async (name: string) => values[name.replace('param:', '')] });

const OPTIONS = { iacTagKeys: [], force: false, deleteOld: false, rollbackAlarms: [] };
const variant = (VariantName: string, ModelName: string) => ({ VariantName, ModelName, InitialInstanceCount: 1, InstanceType: 'ml.m5.large' as const });

function state(fields: Partial<FixState> = {}): FixState {
  return {
    model: describedModel({ name: 'scorer', raw: { PrimaryContainer: { Image: 'img', Environment: { LOG_LEVEL: 'info' } }, ExecutionRoleArn: 'arn:aws:iam::1:role/r' } }),
    configs: [{ EndpointConfigName: 'live', ProductionVariants: [variant('a', 'other')], ShadowProductionVariants: [variant('s', 'scorer')] }],
    endpoints: [{ name: 'live-endpoint', configName: 'live', status: 'InService' }],
    replacement: null,
    ...fields,
  };
}

describe('planFix', () => {
  it('names the replacement within 63 characters, never the old name', () => {
    expect(isolatedName('scorer')).toBe('scorer-isolated');
    expect(isolatedName('m'.repeat(63))).toBe(`${'m'.repeat(54)}-isolated`);
    // A cut that would end in a hyphen drops it.
    expect(isolatedName(`${'m'.repeat(53)}-abc`)).toBe(`${'m'.repeat(53)}-isolated`);
  });

  it('moves an endpoint whose config names the model in a shadow variant, swapping only that variant', () => {
    const plan = planFix(state(), OPTIONS);
    if (plan.status !== 'ready') throw new Error(plan.status);
    expect(plan.moves).toHaveLength(1);
    expect(plan.moves[0]!.createConfig).toMatchObject({
      EndpointConfigName: 'live-isolated',
      ProductionVariants: [{ VariantName: 'a', ModelName: 'other' }],
      ShadowProductionVariants: [{ VariantName: 's', ModelName: 'scorer-isolated' }],
    });
    expect(plan.moves[0]!.update).toStrictEqual({ EndpointName: 'live-endpoint', EndpointConfigName: 'live-isolated', RetainAllVariantProperties: true });
  });

  it('copies the containers, role and VPC of the old model, leaving out what DescribeModel gave empty', () => {
    const model = describedModel({
      name: 'scorer',
      tags: { team: 'ml', 'isolation-guard:quarantine': 'network-isolation-disabled', 'aws:cloudformation:logical-id': 'x' },
      raw: { PrimaryContainer: { Image: 'img', Mode: 'SingleModel' }, Containers: [], VpcConfig: {}, ExecutionRoleArn: 'arn:aws:iam::1:role/r' },
    });
    const plan = planFix(state({ model }), OPTIONS);
    if (plan.status !== 'ready') throw new Error(plan.status);
    expect(plan.createModel).toStrictEqual({
      ModelName: 'scorer-isolated',
      PrimaryContainer: { Image: 'img', Mode: 'SingleModel' },
      ExecutionRoleArn: 'arn:aws:iam::1:role/r',
      EnableNetworkIsolation: true,
      Tags: [
        { Key: 'team', Value: 'ml' },
        { Key: 'isolation-guard:replaces', Value: 'scorer' },
      ],
    });
  });

  it('asks for a blue/green update with auto-rollback on the alarms given', () => {
    const plan = planFix(state(), { ...OPTIONS, rollbackAlarms: ['p99-latency', '5xx'] });
    if (plan.status !== 'ready') throw new Error(plan.status);
    expect(plan.moves[0]!.update).toMatchObject({
      RetainAllVariantProperties: true,
      DeploymentConfig: {
        BlueGreenUpdatePolicy: { TrafficRoutingConfiguration: { Type: 'ALL_AT_ONCE' } },
        AutoRollbackConfiguration: { Alarms: [{ AlarmName: 'p99-latency' }, { AlarmName: '5xx' }] },
      },
    });
  });

  it('refuses when a model of the replacement name exists that is not the replacement', () => {
    const taken = describedModel({ name: 'scorer-isolated', enableNetworkIsolation: true });
    expect(planFix(state({ replacement: taken }), OPTIONS)).toMatchObject({ status: 'conflict', reason: expect.stringContaining('scorer-isolated exists already') });
  });
});

describe('recreate mode', () => {
  const violation = (tags: Record<string, string>) => {
    const decided = decideCreateModel(ownRecord('createmodel_absent_terraform.json'), { exemptions: [], now: new Date('2026-11-22T12:00:00Z') });
    return { ...decided, context: { ...decided.context, tags } };
  };

  it('recreates only a model tagged for it (key configurable), never an IaC-managed one; otherwise alerts', () => {
    const model = describedModel();
    expect(planAction(violation({ 'isolation-guard:auto-fix': 'allowed' }), model, 'recreate', [])).toEqual({ kind: 'recreate', note: null });
    expect(planAction(violation({}), model, 'recreate', [])).toMatchObject({ kind: 'none', note: expect.stringContaining('no tag isolation-guard:auto-fix=allowed') });
    expect(planAction(violation({ 'isolation-guard:auto-fix': 'no' }), model, 'recreate', []).kind).toBe('none');
    expect(planAction(violation({ fixme: 'allowed' }), model, 'recreate', [], { autoFixTagKey: 'fixme' }).kind).toBe('recreate');
    // A model fix replaced already (the sweep reads its tags) is not recreated again.
    const replaced = describedModel({ tags: { 'isolation-guard:replaced-by': 'fraud-detector-v7-isolated' } });
    expect(planAction(violation({ 'isolation-guard:auto-fix': 'allowed' }), replaced, 'recreate', [])).toMatchObject({ kind: 'none', note: expect.stringContaining('already replaced by fraud-detector-v7-isolated') });
    expect(planAction(violation({ 'isolation-guard:auto-fix': 'allowed', 'managed-by': 'tf' }), model, 'recreate', ['managed-by'])).toMatchObject({
      kind: 'none',
      note: expect.stringContaining('the tag managed-by says infrastructure as code manages this model'),
    });
  });

  it('alerts only on a tagged model in another account of the organisation (the member role may not create models), naming the CLI fix', () => {
    const tagged = violation({ 'isolation-guard:auto-fix': 'allowed' });
    const model = describedModel();
    const plan = planAction(tagged, model, 'recreate', [], { inMemberAccount: true });
    expect(plan).toMatchObject({ kind: 'none', note: expect.stringContaining('this account\'s models only') });
    expect(plan.note).toContain(`--account ${tagged.decision.account} --apply`);
    expect(planAction(tagged, model, 'recreate', [], { inMemberAccount: false }).kind).toBe('recreate');
    // Other modes act in member accounts as before (the member role grants AddTags, and DeleteModel when allowed).
    expect(planAction(tagged, model, 'quarantine', [], { inMemberAccount: true }).kind).toBe('quarantine');
  });

  it('packaging: a class in recreate mode grants it, and the CreateModel condition names the configured tag key', async () => {
    await expect(modes.classesRecreate!(resolving({ classes: '{"phi": {"severity": "critical", "mode": "recreate"}}' }))).resolves.toBe('true');
    await expect(modes.classesRecreate!(resolving({ classes: '{"phi": {"severity": "critical", "mode": "delete"}}' }))).resolves.toBe('false');
    await expect(modes.autoFixCondition!(resolving({ autoFixTagKey: 'team:fix' }))).resolves.toStrictEqual({
      Bool: { 'sagemaker:NetworkIsolation': 'true' },
      StringEquals: { 'aws:RequestTag/team:fix': 'allowed' },
    });
  });
});

describe('applyFix', () => {
  /** Effects that record the calls; the endpoint answers the statuses given, one a look. */
  function effects(statuses: Array<{ status: string; configName: string }>) {
    const calls: string[] = [];
    let look = 0;
    return {
      calls,
      adapter: {
        createModel: async () => void calls.push('CreateModel'),
        createEndpointConfig: async () => void calls.push('CreateEndpointConfig'),
        updateEndpoint: async () => void calls.push('UpdateEndpoint'),
        endpointStatus: async () => ({ ...statuses[Math.min(look++, statuses.length - 1)]!, failureReason: 'container failed to start' }),
        tagModel: async () => void calls.push('AddTags'),
        deleteEndpointConfig: async () => void calls.push('DeleteEndpointConfig'),
        deleteModel: async () => void calls.push('DeleteModel'),
      },
    };
  }
  let clock = 0;
  const wait = { timeoutMs: 60_000, pollMs: 30_000, sleep: async (ms: number) => void (clock += ms), now: () => clock };
  const ready = () => {
    const plan = planFix(state(), { ...OPTIONS, deleteOld: true });
    if (plan.status !== 'ready') throw new Error(plan.status);
    return plan;
  };

  it('reports an endpoint that rolled back to its old config as failed, and neither tags nor deletes the old model', async () => {
    const { calls, adapter } = effects([{ status: 'Updating', configName: 'live-isolated' }, { status: 'InService', configName: 'live' }]);
    const outcome = await applyFix(ready(), adapter, wait);
    expect(outcome.ok).toBe(false);
    expect(outcome.steps.map((s) => s.status)).toStrictEqual(['done', 'done', 'failed', 'not-done', 'not-done', 'not-done']);
    expect(outcome.steps[2]!.detail).toBe('rolled back to live: container failed to start');
    expect(calls).toStrictEqual(['CreateModel', 'CreateEndpointConfig', 'UpdateEndpoint']);
  });

  it('stops waiting for an endpoint at the bound, saying it is still updating', async () => {
    clock = 0;
    const progress: string[] = [];
    const { adapter } = effects([{ status: 'Updating', configName: 'live-isolated' }]);
    const outcome = await applyFix(ready(), adapter, { ...wait, progress: (line) => progress.push(line) });
    expect(outcome.steps[2]).toMatchObject({ status: 'failed', detail: expect.stringMatching(/^still Updating after \d+ s/) });
    expect(clock).toBeGreaterThanOrEqual(60_000);
    expect(progress).toStrictEqual(['live-endpoint: Updating (0 s)']);
  });

  it('once every endpoint moved, tags the old model replaced, then deletes its unused configs and itself (--delete-old)', async () => {
    const { calls, adapter } = effects([{ status: 'InService', configName: 'live-isolated' }]);
    const outcome = await applyFix(ready(), adapter, wait);
    expect(outcome.ok).toBe(true);
    expect(calls).toStrictEqual(['CreateModel', 'CreateEndpointConfig', 'UpdateEndpoint', 'AddTags', 'DeleteEndpointConfig', 'DeleteModel']);
  });
});
