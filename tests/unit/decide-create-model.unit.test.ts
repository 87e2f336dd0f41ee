import { describe, expect, it } from 'vitest';
import { CreateModelRecordSchema, type CreateModelRecord } from '../../shared/cloudtrail/record.js';
import { decideCreateModel, requestTags } from '../../shared/decision/decide-create-model.js';
import { decideDescribedModel } from '../../shared/decision/decide-described-model.js';
import type { Exemption } from '../../shared/decision/exemptions.js';
import { describedModel, ownRecord, publicFixturePath, readJson } from '../support/fixtures.js';

const NOW = new Date('2026-11-22T12:00:00Z');
const decide = (record: CreateModelRecord, exemptions: Exemption[] = [], now = NOW) => decideCreateModel(record, { exemptions, now });

/** The isolated fixture with its request parameters replaced. */
function withRequest(requestParameters: unknown): CreateModelRecord {
  return CreateModelRecordSchema.parse({ ...ownRecord('createmodel_isolated_sdk.json'), requestParameters });
}

describe('decideCreateModel: verdict', () => {
  it('is compliant only when the request says the boolean true', () => {
    const { decision } = decide(ownRecord('createmodel_isolated_sdk.json'));
    expect(decision.verdict).toBe('compliant');
    expect(decision.networkIsolation).toBe(true);
    expect(decision.reasons).toEqual(['The request set EnableNetworkIsolation to true.']);
  });

  it('is a violation when the key is absent, the common case (API default false)', () => {
    const { decision } = decide(ownRecord('createmodel_absent_terraform.json'));
    expect(decision.verdict).toBe('violation');
    expect(decision.networkIsolation).toBeNull();
    expect(decision.reasons.join(' ')).toMatch(/did not set EnableNetworkIsolation/);
  });

  it('is a violation when the request says false', () => {
    const { decision } = decide(ownRecord('createmodel_false_cli.json'));
    expect(decision).toMatchObject({ verdict: 'violation', networkIsolation: false });
  });

  it.each([
    ['the string "true"', 'true'],
    ['null', null],
    ['the number 1', 1],
    ['an object', { value: true }],
    ['an array', [true]],
  ])('fails closed when enableNetworkIsolation is %s', (_what, value) => {
    const { decision } = decide(withRequest({ modelName: 'm', enableNetworkIsolation: value }));
    expect(decision.verdict).toBe('violation');
    expect(decision.networkIsolation).toBeNull();
    expect(decision.reasons.join(' ')).toMatch(/not the boolean true/);
  });

  it.each([
    ['missing', undefined],
    ['null', null],
    ['a string (truncated record)', '{"modelName": "m", "enableNe'],
  ])('fails closed when requestParameters is %s on a successful call', (_what, requestParameters) => {
    const { decision } = decide(withRequest(requestParameters));
    expect(decision.verdict).toBe('violation');
    expect(decision.networkIsolation).toBeNull();
    expect(decision.reasons.join(' ')).toMatch(/no requestParameters/);
    // The name is still known from the response's ARN.
    expect(decision.modelName).toBe('churn-xgb-2026-11-02');
  });

  it('is not-applicable when the call failed: no model exists', () => {
    const { decision, context } = decide(ownRecord('createmodel_denied.json'));
    expect(decision).toMatchObject({ verdict: 'not-applicable', succeeded: false, networkIsolation: null });
    expect(context.errorCode).toBe('AccessDenied');
    expect(decision.reasons.join(' ')).toMatch(/failed \(AccessDenied\)/);
  });

  it('reads the model name of a denied call from the ARN in the error message', () => {
    const { decision } = decide(ownRecord('createmodel_denied.json'));
    expect(decision.modelName).toBe('denied-model');
    expect(decision.modelArn).toBe('arn:aws:sagemaker:eu-west-1:111122223333:model/denied-model');
  });

  it('a failed call stays not-applicable even when the request said false and an exemption matches', () => {
    const record = CreateModelRecordSchema.parse({
      ...ownRecord('createmodel_false_cli.json'),
      errorCode: 'ValidationException',
      errorMessage: 'Could not access model data',
    });
    const { decision } = decide(record, [{ kind: 'model-name', pattern: '*', expires: null }]);
    expect(decision.verdict).toBe('not-applicable');
  });
});

describe('decideCreateModel: identity and provenance', () => {
  it('carries principal, model name and ARN, account, region, time and event id', () => {
    const { decision, context } = decide(ownRecord('createmodel_isolated_sdk.json'));
    expect(decision).toMatchObject({
      eventId: '9a1b6f0e-3c1d-4a4b-8f0e-6d1c2b3a4f01',
      eventTime: '2026-11-02T09:14:27Z',
      account: '111122223333',
      region: 'eu-west-1',
      modelName: 'churn-xgb-2026-11-02',
      modelArn: 'arn:aws:sagemaker:eu-west-1:111122223333:model/churn-xgb-2026-11-02',
      principal: 'arn:aws:sts::111122223333:assumed-role/DataScientist/ds-alice',
      succeeded: true,
    });
    expect(context.sourceIPAddress).toBe('198.51.100.24');
    expect(context.userAgent).toMatch(/AWS-SageMaker-Python-SDK/);
    expect(context.tags).toEqual({ team: 'churn', 'cost-center': 'ml-42' });
  });

  it('uses the invokedBy service as principal when the caller has no ARN', () => {
    const record = CreateModelRecordSchema.parse({
      ...ownRecord('createmodel_absent_terraform.json'),
      userIdentity: { type: 'AWSService', invokedBy: 'cloudformation.amazonaws.com' },
    });
    const { decision, context } = decide(record);
    expect(decision.principal).toBe('cloudformation.amazonaws.com');
    expect(context.invokedBy).toBe('cloudformation.amazonaws.com');
  });

  it('takes the account from recipientAccountId over the caller account (public AWS example disagrees on purpose)', () => {
    const record = CreateModelRecordSchema.parse(readJson(publicFixturePath('01_createmodel_doc_iamuser_isolation_absent.json')));
    const { decision } = decide(record);
    expect(decision).toMatchObject({
      account: '444455556666',
      modelName: 'ExampleModel',
      modelArn: 'arn:aws:sagemaker:us-west-2:123456789012:model/barkinghappy2018-01-02t15-23-32-275z-ivrdog',
      principal: 'arn:aws:iam::123456789012:user/intern',
      eventId: '0f2b3e81-EXAMPLE',
      verdict: 'violation',
      networkIsolation: null,
    });
  });

  it('falls back to the account in the model ARN when recipientAccountId is missing', () => {
    const { recipientAccountId: _dropped, ...rest } = ownRecord('createmodel_absent_terraform.json');
    const { decision } = decide(CreateModelRecordSchema.parse({ ...rest, userIdentity: null }));
    expect(decision.account).toBe('111122223333');
    expect(decision.principal).toBeNull();
  });

  it('reads tags logged as Key/Value as well as key/value', () => {
    expect(requestTags({ tags: [{ Key: 'a', Value: '1' }, { key: 'b', value: '2' }, 'junk', { Key: 3 }] })).toEqual({ a: '1', b: '2' });
    expect(requestTags(null)).toEqual({});
    expect(requestTags({ tags: 'not-a-list' })).toEqual({});
  });
});

describe('decideCreateModel: exemptions', () => {
  const terraform = () => ownRecord('createmodel_absent_terraform.json');

  it('exempts a violation by a tag key on the model in the request', () => {
    const { decision, context } = decide(terraform(), [{ kind: 'tag', pattern: 'managed-by', expires: null }]);
    expect(decision.verdict).toBe('exempt');
    expect(context.exemption).toEqual({ kind: 'tag', pattern: 'managed-by', expires: null });
    expect(decision.reasons.at(-1)).toBe("Exempt by tag 'managed-by' (no expiry).");
  });

  it('matches KEY=VALUE tag exemptions on the value too', () => {
    expect(decide(terraform(), [{ kind: 'tag', pattern: 'managed-by=pulumi', expires: null }]).decision.verdict).toBe('violation');
    expect(decide(terraform(), [{ kind: 'tag', pattern: 'managed-by=terra*', expires: null }]).decision.verdict).toBe('exempt');
  });

  it('exempts by model-name pattern, case-insensitively', () => {
    expect(decide(terraform(), [{ kind: 'model-name', pattern: 'FRAUD-*', expires: null }]).decision.verdict).toBe('exempt');
    expect(decide(terraform(), [{ kind: 'model-name', pattern: 'fraud', expires: null }]).decision.verdict).toBe('violation');
  });

  it('exempts by principal pattern against the session ARN or the role that issued it', () => {
    expect(decide(terraform(), [{ kind: 'principal', pattern: 'arn:aws:iam::*:role/TerraformDeploy', expires: null }]).decision.verdict).toBe('exempt');
    expect(decide(terraform(), [{ kind: 'principal', pattern: 'arn:aws:sts::111122223333:assumed-role/TerraformDeploy/*', expires: null }]).decision.verdict).toBe('exempt');
    expect(decide(terraform(), [{ kind: 'principal', pattern: 'arn:aws:iam::*:role/Other', expires: null }]).decision.verdict).toBe('violation');
  });

  it('an exemption holds through its expiry date and not after', () => {
    const exemption: Exemption = { kind: 'model-name', pattern: 'fraud-*', expires: '2026-11-22' };
    expect(decide(terraform(), [exemption], new Date('2026-11-22T23:59:59Z')).decision.verdict).toBe('exempt');
    const after = decide(terraform(), [exemption], new Date('2026-11-23T00:00:00Z')).decision;
    expect(after.verdict).toBe('violation');
    expect(after.reasons.join(' ')).toMatch(/model name pattern 'fraud-\*' \(until 2026-11-22\) has expired/);
  });

  it('a date-time expiry ends at that instant; a later valid exemption still applies', () => {
    const expired: Exemption = { kind: 'tag', pattern: 'managed-by', expires: '2026-11-22T11:00:00Z' };
    const valid: Exemption = { kind: 'principal', pattern: '*TerraformDeploy*', expires: '2027-01-01' };
    const { decision } = decide(terraform(), [expired, valid]);
    expect(decision.verdict).toBe('exempt');
    expect(decision.reasons.join(' ')).toMatch(/has expired/);
  });

  it('a described model (sweep) goes through the same exemption step: expired ones reported, then the one in force', () => {
    const expired: Exemption = { kind: 'tag', pattern: 'managed-by', expires: '2026-11-22T11:00:00Z' };
    const valid: Exemption = { kind: 'model-name', pattern: 'fraud-*', expires: '2027-01-01' };
    const model = describedModel({ tags: { 'managed-by': 'terraform' } });

    const { decision, context } = decideDescribedModel(model, { exemptions: [expired, valid], now: NOW });
    const fromRecord = decide(terraform(), [expired, valid]).decision;

    expect(decision.verdict).toBe('exempt');
    expect(context.exemption).toEqual(valid);
    expect(decision.exception?.id).toBe('exemptModelNamePatterns:fraud-*');
    expect(decision.reasons.slice(1)).toEqual(fromRecord.reasons.slice(-2));
    expect(decision.reasons.at(-1)).toBe("Exempt by model name pattern 'fraud-*' (until 2027-01-01).");
    expect(decideDescribedModel({ ...model, enableNetworkIsolation: true }, { exemptions: [valid], now: NOW }).decision.verdict).toBe('compliant');
  });

  it('never turns a compliant call into exempt', () => {
    const { decision } = decide(ownRecord('createmodel_isolated_sdk.json'), [{ kind: 'model-name', pattern: '*', expires: null }]);
    expect(decision.verdict).toBe('compliant');
  });

  it('uses tags known from ListTags as well as request tags', () => {
    const { decision } = decideCreateModel(terraform(), {
      exemptions: [{ kind: 'tag', pattern: 'isolation-guard:exempt', expires: null }],
      now: NOW,
      modelTags: { 'isolation-guard:exempt': 'ticket SEC-1' },
    });
    expect(decision.verdict).toBe('exempt');
  });

  it('treats glob metacharacters of regular expressions literally', () => {
    expect(decide(terraform(), [{ kind: 'model-name', pattern: 'fraud.detector.v7', expires: null }]).decision.verdict).toBe('violation');
    expect(decide(terraform(), [{ kind: 'model-name', pattern: 'fraud-detector-v?', expires: null }]).decision.verdict).toBe('exempt');
  });
});

describe('decideCreateModel: a malformed record (read leniently, fail closed)', () => {
  const base = () => ({ ...ownRecord('createmodel_false_cli.json') }) as Record<string, any>;
  const tagged = (tags: Record<string, string>) => {
    const record = base();
    record.requestParameters = { ...record.requestParameters, tags: Object.entries(tags).map(([key, value]) => ({ key, value })) };
    return CreateModelRecordSchema.parse(record);
  };
  const priorities = { classificationTagKey: 'data-classification', environmentTagKey: 'environment', productionValues: ['prod'], classes: { phi: { severity: 'critical' as const } } };

  it('is a violation ranked as one: the class severity, no exemption, the malformed field first among the reasons', () => {
    const exemptions: Exemption[] = [{ kind: 'tag', pattern: 'owner-approved', expires: null }];
    const { decision, context } = decideCreateModel(tagged({ 'data-classification': 'phi', 'owner-approved': 'yes' }), {
      exemptions,
      now: new Date('2026-11-29T00:00:00Z'),
      priorities,
      malformed: 'eventTime: expected an ISO 8601 date-time',
    });
    expect(decision.verdict).toBe('violation');
    // The tag exemption would apply to the well-formed record; ranked as exempt, it was severity low.
    expect(decision.severity).toBe('critical');
    expect(decision.exception).toBeNull();
    expect(context.exemption).toBeNull();
    expect(decision.reasons[0]).toBe('The CloudTrail record is malformed (eventTime: expected an ISO 8601 date-time): treated as a violation, whatever else it says.');
    expect(decision.reasons.some((reason) => reason.startsWith('Exempt by'))).toBe(false);
    const wellFormed = decideCreateModel(tagged({ 'data-classification': 'phi', 'owner-approved': 'yes' }), { exemptions, now: new Date('2026-11-29T00:00:00Z'), priorities });
    expect(wellFormed.decision.verdict).toBe('exempt');
  });
});
