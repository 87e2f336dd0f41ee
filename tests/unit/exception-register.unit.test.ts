import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../shared/config.js';
import { decideCreateModel } from '../../shared/decision/decide-create-model.js';
import { decideDescribedModel } from '../../shared/decision/decide-described-model.js';
import { expiringExceptions, expiryReminder } from '../../shared/governance/expiry-reminders.js';
import { checkRegister, loadExceptions, parseExceptionRegister, readExceptionRegister, registerExemptions } from '../../shared/governance/exception-register.js';
import { describedModel, OWN_FIXTURES, ownRecord } from '../support/fixtures.js';
import { ExceptionRegisterError } from '../../shared/governance/errors.js';

const GOV = join(OWN_FIXTURES, '..', 'governance');
const NOW = new Date('2026-11-22T12:00:00Z');
/** fraud-detector-v7 in 111122223333, tagged managed-by=terraform, created by TerraformDeploy without isolation. */
const terraform = () => ownRecord('createmodel_absent_terraform.json');
const register = () => registerExemptions(readExceptionRegister(join(GOV, 'exceptions.json')));

describe('exception register: reading', () => {
  it('reads JSON and YAML to the same entries (a bare YAML date stays a string)', () => {
    const json = readExceptionRegister(join(GOV, 'exceptions.json'));
    expect(readExceptionRegister(join(GOV, 'exceptions.yml'))).toEqual(json);
    expect(json.map((e) => [e.id, e.expires])).toEqual([
      ['EXC-1', '2027-06-30'],
      ['EXC-2', '2026-12-01T00:00:00Z'],
    ]);
  });

  it.each([
    ['{"exceptions": [{"id": "A", "modelNam": "x-*", "expires": "2027-01-01"}]}', /exceptions\[0\] \(entry A\): Unrecognized key.*modelNam/],
    ['{"exceptions": [{"id": "A", "reason": "r", "expires": "2027-01-01"}]}', /exceptions\[0\] \(entry A\): names nothing to match/],
    ['{"exceptions": [{"id": "A", "account": "12", "expires": "2027-01-01"}]}', /exceptions\[0\]\.account \(entry A\): expected a 12-digit account id/],
    ['{"exceptions": [{"id": "A", "tag": "k"}, {"id": "A", "tag": "j"}]}', /exceptions\[1\]\.id \(entry A\): duplicate id "A"/],
    ['{"exception": []}', /reg\.json: .*exception/],
    ['{"exceptions": [', /reg\.json: not JSON/],
  ])('names the file and the field of a malformed register: %s', (text, message) => {
    expect(() => parseExceptionRegister(text, 'reg.json')).toThrow(ExceptionRegisterError);
    expect(() => parseExceptionRegister(text, 'reg.json')).toThrow(message);
  });

  it('names a file that cannot be read', () => {
    expect(() => readExceptionRegister('/nonexistent/exceptions.yml')).toThrow(/\/nonexistent\/exceptions\.yml: cannot read the exception register \(ENOENT\)/);
  });

  it('puts the register first and keeps the exemption settings as entries without approval', () => {
    const config = loadConfig({ flags: { exceptions: join(GOV, 'exceptions.json'), exemptModelNamePatterns: 'sandbox-*' } });
    const exemptions = loadExceptions(config);
    expect(exemptions.map((e) => [e.kind, e.id ?? e.pattern])).toEqual([
      ['register', 'EXC-1'],
      ['register', 'EXC-2'],
      ['model-name', 'sandbox-*'],
    ]);
  });
});

describe('exception register: decisions', () => {
  it('an exempt decision carries the entry: id, reason, ticket, approver, expiry', () => {
    const { decision } = decideCreateModel(terraform(), { exemptions: register(), now: NOW });
    expect(decision.verdict).toBe('exempt');
    expect(decision.exception).toEqual({
      id: 'EXC-1',
      reason: 'licence check at start-up',
      ticket: 'SEC-1234',
      approvedBy: 'security-lead@example.com',
      expires: '2027-06-30',
    });
    expect(decision.reasons.at(-1)).toMatch(/Exempt by exception EXC-1 .*approved by security-lead@example.com/);
  });

  it('several matchers narrow the match: the account must match too', () => {
    const other = parseExceptionRegister(
      JSON.stringify({ exceptions: [{ id: 'E', modelName: 'fraud-*', account: '999999999999', reason: 'r', ticket: 't', approvedBy: 'a', expires: '2027-01-01' }] }),
      'r.json',
    );
    const { decision } = decideCreateModel(terraform(), { exemptions: registerExemptions(other), now: NOW });
    expect(decision.verdict).toBe('violation');
    expect(decision.exception).toBeNull();
  });

  it('an entry lacking an approval field never exempts, and the reasons say why (fail closed)', () => {
    const incomplete = parseExceptionRegister(JSON.stringify({ exceptions: [{ id: 'E', modelName: 'fraud-*', reason: 'r', expires: '2027-01-01' }] }), 'r.json');
    const { decision } = decideCreateModel(terraform(), { exemptions: registerExemptions(incomplete), now: NOW });
    expect(decision.verdict).toBe('violation');
    expect(decision.reasons.join(' ')).toMatch(/exception E matches but lacks ticket, approvedBy/);
  });

  it('an exemption setting is reported as an exception without approval', () => {
    const { decision } = decideCreateModel(terraform(), { exemptions: [{ kind: 'tag', pattern: 'managed-by', expires: null }], now: NOW });
    expect(decision.exception).toMatchObject({ id: 'exemptTagKeys:managed-by', approvedBy: null, ticket: null });
    expect(decision.exception!.reason).toMatch(/not in the exception register/);
  });

  it('after expiry the model is a violation again', () => {
    const { decision } = decideCreateModel(terraform(), { exemptions: register(), now: new Date('2027-07-01T00:00:00Z') });
    expect(decision.verdict).toBe('violation');
    expect(decision.reasons.join(' ')).toMatch(/exception EXC-1 .* has expired/);
  });

  it('in a sweep, a register entry naming a principal cannot match (the creator is unknown)', () => {
    const byPrincipal = registerExemptions(
      parseExceptionRegister(JSON.stringify({ exceptions: [{ id: 'P', principal: '*', reason: 'r', ticket: 't', approvedBy: 'a', expires: '2027-01-01' }] }), 'r.json'),
    );
    const model = describedModel({ name: 'm' });
    expect(decideDescribedModel(model, { exemptions: byPrincipal, now: NOW }).decision.verdict).toBe('violation');
    expect(decideDescribedModel({ ...model, tags: { team: 'research' } }, { exemptions: register(), now: NOW }).decision.exception?.id).toBe('EXC-2');
  });
});

describe('exceptions check', () => {
  const entries = readExceptionRegister(join(GOV, 'exceptions-problems.json'));

  it('names each entry that lacks a field, has expired or expires too far ahead', () => {
    const problems = checkRegister(entries, { asOf: NOW, maxDays: 365 });
    expect(problems.map((p) => [p.id, p.problems])).toEqual([
      ['NO-APPROVAL', ['approvedBy: missing']],
      ['EXPIRED', [expect.stringMatching(/^expired: 2026-11-01 is past/)]],
      ['TOO-FAR', [expect.stringMatching(/^expires 2030-01-01: more than 365 days ahead/)]],
      ['NO-EXPIRY', ['reason: missing', 'expires: missing']],
    ]);
  });

  it('--max-days moves the limit', () => {
    expect(checkRegister(entries, { asOf: NOW, maxDays: 2000 }).map((p) => p.id)).not.toContain('TOO-FAR');
    expect(checkRegister(entries, { asOf: NOW, maxDays: 30 }).map((p) => p.id)).toContain('OK-1');
  });

  it('the sample register passes as of its writing', () => {
    expect(checkRegister(readExceptionRegister(join(GOV, 'exceptions.json')), { asOf: NOW, maxDays: 365 })).toEqual([]);
  });
});

describe('expiry reminders', () => {
  it('are due within 14 days of expiry, not before, not after', () => {
    const exemptions = register();
    // EXC-2 expires 2026-12-01T00:00Z.
    expect(expiringExceptions(exemptions, new Date('2026-11-16T23:00:00Z'))).toEqual([]);
    expect(expiringExceptions(exemptions, new Date('2026-11-17T00:00:00Z')).map((e) => [e.exception.id, e.daysLeft])).toEqual([['EXC-2', 14]]);
    expect(expiringExceptions(exemptions, new Date('2026-11-30T12:00:00Z')).map((e) => [e.exception.id, e.daysLeft])).toEqual([['EXC-2', 0]]);
    expect(expiringExceptions(exemptions, new Date('2026-12-01T00:00:00Z'))).toEqual([]);
  });

  it('carry kind=exception-expiring, the owner and the models covered', () => {
    const [due] = expiringExceptions(register(), NOW);
    const alert = expiryReminder(due!, ['arn:aws:sagemaker:eu-west-1:111122223333:model/m']);
    expect(alert.attributes.kind!.StringValue).toBe('exception-expiring');
    expect(alert.attributes.owner!.StringValue).toBe('research-lead@example.com');
    expect(alert.subject).toBe('[isolation-guard] EXCEPTION EXPIRING: EXC-2 expires 2026-12-01T00:00:00Z (8 day(s) left)');
    expect(alert.email).toMatch(/^EXCEPTION EXPIRING: EXC-2 expires 2026-12-01T00:00:00Z \(8 day\(s\) left\)\./);
    expect(JSON.parse(alert.message)).toStrictEqual({ default: alert.document, email: alert.email });
    expect(JSON.parse(alert.document)).toMatchObject({ kind: 'exception-expiring', coveredModels: ['arn:aws:sagemaker:eu-west-1:111122223333:model/m'], exception: { id: 'EXC-2' }, notRead: [] });
    expect(alert.email).not.toMatch(/Not read/);
  });

  it('name the accounts and regions the sweep could not list, so the owner knows the list may be short', () => {
    const [due] = expiringExceptions(register(), NOW);
    const alert = expiryReminder(due!, [], ['222222222222/eu-west-1']);
    expect(JSON.parse(alert.document)).toMatchObject({ coveredModels: [], notRead: ['222222222222/eu-west-1'] });
    expect(alert.email).toMatch(/Covers: {4}no model today\nNot read: {2}222222222222\/eu-west-1 \(this sweep could not list the models there/);
  });
});

it('the register shipped with the service is valid and empty', () => {
  expect(parseExceptionRegister(readFileSync(join(OWN_FIXTURES, '..', '..', '..', 'exceptions.json'), 'utf8'), 'exceptions.json')).toEqual([]);
});
