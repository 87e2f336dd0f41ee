import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { securityHubFinding, securityHubFindingId } from '../../shared/alerts/security-hub.js';
import { SEVERITY_COLOURS, slackMessage } from '../../shared/alerts/slack-message.js';
import { snsAlert } from '../../shared/alerts/sns-alert.js';
import { planAction } from '../../shared/actions/plan.js';
import { CreateModelRecordSchema } from '../../shared/cloudtrail/record.js';
import { loadConfig } from '../../shared/config.js';
import { decideCreateModel } from '../../shared/decision/decide-create-model.js';
import type { Exemption } from '../../shared/decision/exemptions.js';
import { prioritize, type PrioritySettings } from '../../shared/decision/priorities.js';
import type { AlertInput } from '../../shared/model/outcome.js';
import { isolationShares } from '../../shared/governance/shares.js';
import { describedModel, ownRecord } from '../support/fixtures.js';

const NOW = new Date('2026-11-22T12:00:00Z');
const PRIORITIES: PrioritySettings = loadConfig({
  flags: { classes: '{"PHI": {"severity": "critical", "mode": "delete"}, "internal": {"severity": "high"}, "public": {"severity": "low", "mode": "alert"}}' },
}).priorities;

/** The Terraform fixture (fraud-detector-v7, no isolation) with the given request tags. */
function decidedWith(tags: Record<string, string>, exemptions: Exemption[] = []) {
  const base = ownRecord('createmodel_absent_terraform.json') as Record<string, any>;
  const record = CreateModelRecordSchema.parse({ ...base, requestParameters: { ...base.requestParameters, tags: Object.entries(tags).map(([key, value]) => ({ key, value })) } });
  return decideCreateModel(record, { exemptions, now: NOW, priorities: PRIORITIES });
}

function alertInput(decided: ReturnType<typeof decidedWith>, overrides: Partial<AlertInput> = {}): AlertInput {
  return {
    ...decided,
    model: describedModel({ arn: decided.decision.modelArn ?? '', raw: { ModelArn: decided.decision.modelArn } }),
    action: { kind: 'none', status: 'not-needed', detail: 'Alert mode: no remediation.' },
    mode: 'alert',
    dryRun: false,
    severity: decided.decision.severity,
    ...overrides,
  };
}

describe('priorities', () => {
  it('a violation takes its class severity (tag value matched without case); no class: high', () => {
    expect(decidedWith({ 'data-classification': 'phi' }).decision).toMatchObject({ severity: 'critical', classification: 'phi' });
    expect(decidedWith({ 'data-classification': 'Public' }).decision).toMatchObject({ severity: 'low', classification: 'public' });
    expect(decidedWith({ 'data-classification': 'secret-sauce' }).decision).toMatchObject({ severity: 'high', classification: 'secret-sauce' });
    expect(decidedWith({}).decision).toMatchObject({ severity: 'high', classification: null, production: false });
  });

  it('anything but a violation is low; production comes from the environment tag', () => {
    const exempt = decidedWith({ 'data-classification': 'phi', environment: 'PROD' }, [{ kind: 'model-name', pattern: 'fraud-*', expires: null }]);
    expect(exempt.decision).toMatchObject({ verdict: 'exempt', severity: 'low', production: true });
    expect(prioritize({ environment: 'staging' }, 'violation', PRIORITIES).production).toBe(false);
  });

  it("a class's mode overrides the stage's; CloudFormation still turns delete into quarantine", () => {
    const phi = decidedWith({ 'data-classification': 'phi' });
    expect(phi.context.classMode).toBe('delete');
    expect(planAction(phi, null, phi.context.classMode ?? 'alert', []).kind).toBe('delete');
    const stack = decidedWith({ 'data-classification': 'phi', 'aws:cloudformation:stack-name': 'ml' });
    expect(planAction(stack, null, stack.context.classMode ?? 'alert', [])).toMatchObject({ kind: 'quarantine' });
    expect(decidedWith({ 'data-classification': 'internal' }).context.classMode).toBeNull();
  });

  it('rejects a class with an unknown severity or a mode beyond delete, naming the setting', () => {
    expect(() => loadConfig({ env: { ISOLATION_GUARD_CLASSES: '{"phi": {"severity": "urgent"}}' } })).toThrow(/ISOLATION_GUARD_CLASSES: phi\.severity/);
    expect(() => loadConfig({ env: { ISOLATION_GUARD_CLASSES: '{"phi": {"severity": "low", "mode": "nuke"}}' } })).toThrow(/ISOLATION_GUARD_CLASSES: phi\.mode/);
    expect(() => loadConfig({ env: { ISOLATION_GUARD_CLASSES: 'phi=critical' } })).toThrow(/ISOLATION_GUARD_CLASSES: expected a JSON object/);
  });

  it('SNS severity attribute and Slack colour follow the severity; the classification is escaped', () => {
    const critical = alertInput(decidedWith({ 'data-classification': 'phi' }));
    expect(snsAlert(critical).attributes.severity!.StringValue).toBe('critical');
    const slack = slackMessage(critical);
    expect(slack.attachments[0]!.color).toBe(SEVERITY_COLOURS.critical);
    expect(slackMessage(alertInput(decidedWith({}))).attachments[0]!.color).toBe(SEVERITY_COLOURS.high);
    const hostile = slackMessage(alertInput(decidedWith({ 'data-classification': '<!channel>' })));
    expect(hostile.attachments[0]!.text).toContain('&lt;!channel&gt;');
    expect(JSON.stringify(hostile)).not.toContain('<!channel>');
  });

  it('isolated share per classification and for production', () => {
    const shares = isolationShares([
      { isolated: true, classification: 'phi', production: true },
      { isolated: false, classification: 'phi', production: true },
      { isolated: true, classification: null, production: false },
    ]);
    expect(shares.byClassification).toEqual({
      '(unclassified)': { models: 1, isolated: 1, isolatedShare: 100 },
      phi: { models: 2, isolated: 1, isolatedShare: 50 },
    });
    expect(shares.production).toEqual({ models: 2, isolated: 1, isolatedShare: 50 });
    expect(isolationShares([]).production.isolatedShare).toBeNull();
  });
});

/** The ASFF fields BatchImportFindings requires, and the ones the control's triage relies on. */
const AsffSchema = z.object({
  SchemaVersion: z.literal('2018-10-08'),
  Id: z.string().min(1).max(512),
  ProductArn: z.string().regex(/^arn:aws:securityhub:[a-z0-9-]+:\d{12}:product\/\d{12}\/default$/),
  GeneratorId: z.string().min(1),
  AwsAccountId: z.string().regex(/^\d{12}$/),
  Types: z.array(z.string()).min(1),
  CreatedAt: z.iso.datetime(),
  UpdatedAt: z.iso.datetime(),
  Severity: z.object({ Label: z.enum(['INFORMATIONAL', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL']) }),
  Title: z.string().max(256),
  Description: z.string().max(1024),
  Resources: z.array(z.object({ Type: z.literal('Other'), Id: z.string() })).length(1),
  Compliance: z.object({ Status: z.enum(['PASSED', 'FAILED']), RelatedRequirements: z.array(z.string()) }),
  Remediation: z.object({ Recommendation: z.object({ Text: z.string().max(512) }) }),
});

describe('Security Hub finding (ASFF)', () => {
  // Imported in the model's own account (Security Hub: under a default product, AwsAccountId must be the caller's account).
  const meta = { productArn: 'arn:aws:securityhub:eu-west-1:111122223333:product/111122223333/default', importingAccount: '111122223333', now: NOW };
  const ARN = 'arn:aws:sagemaker:eu-west-1:111122223333:model/fraud-detector-v7';

  it('a violation: FAILED, NEW, the class severity, SageMaker.5, the model ARN, the fix for Terraform', () => {
    const finding = securityHubFinding(alertInput(decidedWith({ 'data-classification': 'phi' })), meta)!;
    expect(AsffSchema.parse(finding)).toBeTruthy();
    expect(finding).toMatchObject({
      Id: securityHubFindingId(ARN),
      AwsAccountId: '111122223333',
      Severity: { Label: 'CRITICAL' },
      Compliance: { Status: 'FAILED', RelatedRequirements: ['SageMaker.5'] },
      Workflow: { Status: 'NEW' },
      RecordState: 'ACTIVE',
      Resources: [{ Type: 'Other', Id: ARN, Region: 'eu-west-1' }],
    });
    expect(finding.Remediation!.Recommendation!.Text).toMatch(/enable_network_isolation = true/);
    expect(finding.ProductArn!.split(':')[4]).toBe(finding.AwsAccountId);
  });

  it('the Id depends on the model ARN only, so a repeat updates the same finding', () => {
    const a = securityHubFinding(alertInput(decidedWith({})), meta)!;
    const b = securityHubFinding(alertInput(decidedWith({ 'data-classification': 'phi' })), { ...meta, now: new Date('2026-12-01T00:00:00Z') })!;
    expect(b.Id).toBe(a.Id);
    expect(b.CreatedAt).toBe(a.CreatedAt);
    expect(b.UpdatedAt).not.toBe(a.UpdatedAt);
  });

  it('an exemption: SUPPRESSED with the register reason in the note', () => {
    const exempt = decidedWith({}, [
      { kind: 'register', pattern: "modelName 'fraud-*'", expires: '2027-06-30', id: 'EXC-1', match: { modelName: 'fraud-*' }, reason: 'licence check', ticket: 'SEC-1', approvedBy: 'lead@example.com', missing: [] },
    ]);
    const finding = securityHubFinding(alertInput(exempt), meta)!;
    expect(finding).toMatchObject({ Compliance: { Status: 'FAILED' }, Workflow: { Status: 'SUPPRESSED' }, Severity: { Label: 'LOW' } });
    expect(finding.Note!.Text).toMatch(/^Exception EXC-1: licence check \(SEC-1; approved by lead@example.com; expires 2027-06-30\)/);
  });

  it('a deleted model: ARCHIVED; an isolated one: PASSED and RESOLVED; a failed call: no finding', () => {
    const deleted = securityHubFinding(alertInput(decidedWith({}), { action: { kind: 'delete', status: 'done', detail: '' } }), meta)!;
    expect(deleted.RecordState).toBe('ARCHIVED');
    const isolated = decideCreateModel(ownRecord('createmodel_isolated_sdk.json'), { exemptions: [], now: NOW });
    const passed = securityHubFinding(alertInput(isolated, { model: null }), meta)!;
    expect(passed).toMatchObject({ Compliance: { Status: 'PASSED' }, Workflow: { Status: 'RESOLVED' }, Severity: { Label: 'INFORMATIONAL' } });
    const denied = decideCreateModel(ownRecord('createmodel_denied.json'), { exemptions: [], now: NOW });
    expect(securityHubFinding(alertInput(denied, { model: null }), meta)).toBeNull();
  });
});
