import { describe, expect, it } from 'vitest';
import { planAction } from '../../shared/actions/plan.js';
import { confirmDecision } from '../../shared/decision/confirm.js';
import { decideCreateModel } from '../../shared/decision/decide-create-model.js';
import type { SageMakerModel } from '../../shared/model/sagemaker-model.js';
import { describedModel, ownRecord } from '../support/fixtures.js';

const NOW = new Date('2026-11-22T12:00:00Z');
const decided = (name: string) => decideCreateModel(ownRecord(name), { exemptions: [], now: NOW });
const existing = (networkIsolation: boolean): SageMakerModel => describedModel({ enableNetworkIsolation: networkIsolation });
const gone: SageMakerModel = { exists: false, name: 'fraud-detector-v7', region: 'eu-west-1' };

describe('confirmDecision', () => {
  it('keeps a violation that DescribeModel confirms, saying so, and acts on that model', () => {
    const { decided: { decision }, model } = confirmDecision(decided('createmodel_absent_terraform.json'), existing(false));
    expect(decision.verdict).toBe('violation');
    expect(decision.reasons.at(-1)).toMatch(/DescribeModel confirms/);
    expect(model.exists).toBe(true);
  });

  it.each([
    ['the request said false', 'createmodel_false_cli.json'],
    ['the request left it out', 'createmodel_absent_terraform.json'],
  ])('keeps the violation when DescribeModel shows an isolated model of that name, even one made with the call (%s): the call is the evidence', (_what, fixture) => {
    const call = decided(fixture);
    // Created the same second as the call: no time window decides.
    const { decided: { decision }, model } = confirmDecision(call, describedModel({ enableNetworkIsolation: true, creationTime: call.decision.eventTime }));
    expect(decision).toMatchObject({ verdict: 'violation', severity: call.decision.severity });
    expect(decision.reasons.at(-1)).toMatch(/not the model this call created: that one was deleted and the name reused\. The violation stands/);
    // Nothing to act on: the isolated model is another one.
    expect(model.exists).toBe(false);
  });

  it('keeps the violation of a model already gone and says it is gone', () => {
    const { decided: { decision } } = confirmDecision(decided('createmodel_false_cli.json'), gone);
    expect(decision.verdict).toBe('violation');
    expect(decision.reasons.at(-1)).toBe('DescribeModel: the model no longer exists.');
  });

  it('leaves compliant and failed calls alone', () => {
    const compliant = decided('createmodel_isolated_sdk.json');
    expect(confirmDecision(compliant, existing(false)).decided).toBe(compliant);
    const denied = decided('createmodel_denied.json');
    expect(confirmDecision(denied, gone).decided).toBe(denied);
  });
});

describe('planAction', () => {
  const violation = () => decided('createmodel_absent_terraform.json');

  it('does nothing in alert mode, and nothing for compliant, exempt or failed calls', () => {
    expect(planAction(violation(), existing(false), 'alert', []).kind).toBe('none');
    expect(planAction(decided('createmodel_isolated_sdk.json'), null, 'delete', []).kind).toBe('none');
    expect(planAction(decided('createmodel_denied.json'), null, 'delete', []).kind).toBe('none');
    const exempt = decideCreateModel(ownRecord('createmodel_absent_terraform.json'), {
      exemptions: [{ kind: 'model-name', pattern: '*', expires: null }],
      now: NOW,
    });
    expect(planAction(exempt, existing(false), 'delete', []).kind).toBe('none');
  });

  it('quarantines and deletes as the mode says', () => {
    expect(planAction(violation(), existing(false), 'quarantine', [])).toEqual({ kind: 'quarantine', note: null });
    expect(planAction(violation(), existing(false), 'delete', [])).toEqual({ kind: 'delete', note: null });
  });

  it('quarantines a CloudFormation-managed model instead of deleting it, and says why', () => {
    const plan = planAction(decided('createmodel_cloudformation.json'), existing(false), 'delete', []);
    expect(plan.kind).toBe('quarantine');
    expect(plan.note).toMatch(/CloudFormation stack ModelStack manages this model, so deleting it would only drift the stack/);
  });

  it('recognises CloudFormation from invokedBy alone', () => {
    const record = { ...ownRecord('createmodel_cloudformation.json'), requestParameters: { modelName: 'm' } };
    const plan = planAction(decideCreateModel(record, { exemptions: [], now: NOW }), existing(false), 'delete', []);
    expect(plan).toMatchObject({ kind: 'quarantine', note: expect.stringMatching(/CloudFormation a stack manages/) });
  });

  it('protects models carrying a configured IaC tag key', () => {
    expect(planAction(violation(), existing(false), 'delete', ['managed-by'])).toMatchObject({ kind: 'quarantine', note: expect.stringMatching(/tag managed-by/) });
    expect(planAction(violation(), existing(false), 'delete', ['pulumi:project']).kind).toBe('delete');
  });
});
