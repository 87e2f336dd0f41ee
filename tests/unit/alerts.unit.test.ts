import { describe, expect, it } from 'vitest';
import { boundedJson } from '../../shared/alerts/alert-document.js';
import { FINDING_DETAIL_TYPE, FINDING_SOURCE, findingEvent } from '../../shared/alerts/finding-event.js';
import { consoleLink, fixFor, recogniseTool } from '../../shared/alerts/alert-text.js';
import { escapedWithin, escapeSlack, slackMessage } from '../../shared/alerts/slack-message.js';
import { snsAlert, snsSubject } from '../../shared/alerts/sns-alert.js';
import { CreateModelRecordSchema } from '../../shared/cloudtrail/record.js';
import { decideCreateModel } from '../../shared/decision/decide-create-model.js';
import { DECISION_FIELDS } from '../../shared/model/decision.js';
import type { AlertInput } from '../../shared/model/outcome.js';
import { describedModel, ownRecord, readJson, ownFixturePath } from '../support/fixtures.js';

const NOW = new Date('2026-11-22T12:00:00Z');
function alertFor(name: string, overrides: Partial<AlertInput> = {}, recordOverrides: Record<string, unknown> = {}): AlertInput {
  const record = CreateModelRecordSchema.parse({ ...ownRecord(name), ...recordOverrides });
  const { decision, context } = decideCreateModel(record, { exemptions: [], now: NOW });
  return {
    decision,
    context,
    model: describedModel({ arn: decision.modelArn ?? '', raw: { ModelArn: decision.modelArn, PrimaryContainer: { Image: 'img' } } }),
    action: { kind: 'quarantine', status: 'done', detail: 'Tagged.' },
    mode: 'quarantine',
    dryRun: false,
    severity: 'high',
    ...overrides,
  };
}
const markup = () => {
  const event = readJson(ownFixturePath('eventbridge_createmodel_markup.json')) as { detail: Record<string, unknown> };
  const { decision, context } = decideCreateModel(CreateModelRecordSchema.parse(event.detail), { exemptions: [], now: NOW });
  return { ...alertFor('createmodel_false_cli.json'), decision, context };
};

describe('SNS alert', () => {
  it('opens the e-mail with a plain-text summary a person can act on, then the JSON document', () => {
    const alert = snsAlert(alertFor('createmodel_absent_terraform.json', { accountName: 'prod-ml' }));
    const [summary, json] = alert.email.split('----- The alert as JSON (for tools and the record) -----\n');
    expect(summary).toMatch(/^HIGH VIOLATION: SageMaker model fraud-detector-v7 was created without network isolation\.\n\n/);
    expect(summary).toMatch(/^Where: {5}account prod-ml \(111122223333\), region eu-west-1$/m);
    expect(summary).toMatch(/^Who: {7}arn:aws:sts::111122223333:assumed-role\/.+$/m);
    expect(summary).toMatch(/^Done: {6}Tagged\. \(mode quarantine\)$/m);
    expect(summary).toMatch(/^Fix: {7}Terraform: set enable_network_isolation = true on the aws_sagemaker_model resource\./m);
    expect(summary).toContain('Console:   https://eu-west-1.console.aws.amazon.com/sagemaker/home?region=eu-west-1#/models/fraud-detector-v7');
    expect(summary).toContain('can send training data, inference inputs or model weights anywhere');
    expect(summary!.split('\n').length).toBeLessThan(20);
    expect(JSON.parse(json!)).toMatchObject({ modelName: 'fraud-detector-v7', verdict: 'violation' });
  });

  it('says what a dry run would have done, and keeps hostile text on its own line', () => {
    const dry = snsAlert(alertFor('createmodel_absent_terraform.json', { dryRun: true, action: { kind: 'delete', status: 'would-do', detail: 'Dry run: would delete the model.' } }));
    expect(dry.email).toMatch(/^\[dry run\] HIGH VIOLATION/);
    expect(dry.email).toMatch(/^Done: {6}Nothing changed \(dry run\)\. Dry run: would delete the model\.$/m);
    const hostile = snsAlert(alertFor('createmodel_false_cli.json', {}, { requestParameters: { modelName: 'evil\nDone:     nothing to see\u202e\u0007' } }));
    const summary = hostile.email.split('-----')[0]!;
    expect(summary.match(/^Done:/gm)).toHaveLength(1);
    expect(summary).not.toMatch(/[\u202e\u0007]/);
    expect(summary).toContain('HIGH VIOLATION: SageMaker model evil Done: nothing to see was created');
  });


  it('has a one-line ASCII subject under 100 characters, whatever the model is called', () => {
    expect(snsSubject('a\nb\r\nc\u0000d é 😀 e')).toBe('a b c d e');
    const long = snsAlert(alertFor('createmodel_false_cli.json', {}, { requestParameters: { modelName: `x\n${'é'.repeat(10_000)}${'y'.repeat(10_000)}` } }));
    expect(long.subject.length).toBeLessThan(100);
    // The long name is what gets cut: the severity leads and the place stays.
    expect(long.subject).toMatch(/^\[isolation-guard\] HIGH VIOLATION: model x y+\.\.\. in 111122223333\/eu-west-1$/);
  });

  it('leads with severity: subject, summary and Slack say CRITICAL, and a Severity line names classification and production', () => {
    const input = alertFor('createmodel_absent_terraform.json', { severity: 'critical', accountName: 'prod-ml' });
    const critical = { ...input, decision: { ...input.decision, severity: 'critical' as const, classification: 'phi', production: true } };
    const alert = snsAlert(critical);
    expect(alert.subject).toBe('[isolation-guard] CRITICAL VIOLATION: model fraud-detector-v7 in prod-ml (111122223333)/eu-west-1');
    expect(alert.subject.length).toBeLessThan(100);
    expect(alert.email).toMatch(/^CRITICAL VIOLATION: SageMaker model fraud-detector-v7 was created without network isolation\.\n\nSeverity: {2}critical \(classification phi, production\)$/m);
    const plain = snsAlert(alertFor('createmodel_absent_terraform.json'));
    expect(plain.email).toMatch(/^Severity: {2}high \(no classification tag, not production\)$/m);
    const slack = slackMessage(critical) as { text: string; blocks: Array<{ type: string; text?: { text: string } }> };
    expect(slack.text).toMatch(/^CRITICAL: SageMaker model created without network isolation: /);
    expect(slack.blocks[0]!.text!.text).toBe('CRITICAL: SageMaker model created without network isolation');
    expect(slack.blocks.map((b) => b.text?.text ?? '')).toContain('*Severity* critical, classification `phi`, production');
    // An exemption used is not a violation: no severity headline, the Severity line still says why it is low.
    const exempt = alertFor('createmodel_absent_terraform.json', { severity: 'low' });
    const used = snsAlert({ ...exempt, decision: { ...exempt.decision, verdict: 'exempt' } });
    expect(used.subject).toMatch(/^\[isolation-guard\] EXEMPTION USED: /);
    expect(used.email).toMatch(/^Severity: {2}low \(/m);
  });

  it('keeps the severity and the place in a subject whose account name is long', () => {
    const alert = snsAlert(alertFor('createmodel_absent_terraform.json', { severity: 'critical', accountName: 'a'.repeat(10) }, { requestParameters: { modelName: 'm'.repeat(63) } }));
    expect(alert.subject.length).toBeLessThan(100);
    expect(alert.subject).toMatch(/^\[isolation-guard\] CRITICAL VIOLATION: model m+\.\.\. in a{10} \(111122223333\)\/eu-west-1$/);
    // An account name too long to leave room for the model's: the account id alone.
    const named = snsAlert(alertFor('createmodel_absent_terraform.json', { severity: 'critical', accountName: 'a'.repeat(50) }));
    expect(named.subject).toBe('[isolation-guard] CRITICAL VIOLATION: model fraud-detector-v7 in 111122223333/eu-west-1');
  });

  it('carries every decision field, the action and the model description in a JSON body', () => {
    const alert = snsAlert(alertFor('createmodel_absent_terraform.json'));
    const body = JSON.parse(alert.document);
    for (const field of DECISION_FIELDS) expect(body).toHaveProperty(field);
    expect(body).toMatchObject({ schemaVersion: 1, severity: 'high', mode: 'quarantine', action: { kind: 'quarantine' }, model: { description: { PrimaryContainer: { Image: 'img' } } } });
  });

  it('keeps the model section of schemaVersion 1: isolation, tags, the DescribeModel output as description; a gone model as such', () => {
    const described = alertFor('createmodel_absent_terraform.json', {
      model: describedModel({ creationTime: '2026-11-22T11:59:58.000Z', tags: { team: 'fraud' }, raw: { ModelName: 'fraud-detector-v7' } }),
    });
    expect(JSON.parse(snsAlert(described).document).model).toEqual({
      exists: true,
      networkIsolation: false,
      tags: { team: 'fraud' },
      description: { ModelName: 'fraud-detector-v7' },
      creationTime: '2026-11-22T11:59:58.000Z',
    });
    const gone = alertFor('createmodel_absent_terraform.json', { model: { exists: false, name: 'fraud-detector-v7', region: 'eu-west-1' } });
    expect(JSON.parse(snsAlert(gone).document).model).toEqual({ exists: false, networkIsolation: null, tags: {}, description: null, creationTime: null });
  });

  it('sets the five filterable attributes, never empty', () => {
    const input = alertFor('createmodel_absent_terraform.json');
    const alert = snsAlert({ ...input, decision: { ...input.decision, account: null } });
    expect(Object.fromEntries(Object.entries(alert.attributes).map(([k, v]) => [k, v.StringValue]))).toEqual({
      severity: 'high',
      account: '-',
      region: 'eu-west-1',
      action: 'quarantine',
      verdict: 'violation',
    });
  });

  it('stays under the 256 KB SNS limit with a megabyte-long user agent, and says what it cut', () => {
    const alert = snsAlert(alertFor('createmodel_absent_terraform.json', {}, { userAgent: 'u'.repeat(1024 * 1024) }));
    expect(Buffer.byteLength(alert.message)).toBeLessThanOrEqual(240 * 1024);
    expect(JSON.parse(alert.document).context.userAgent).toMatch(/…\[truncated\]$/);
    expect(JSON.parse(alert.document).modelName).toBe('fraud-detector-v7');
    // The structure SNS reads: a default for every protocol, and the e-mail's own body.
    expect(JSON.parse(alert.message)).toStrictEqual({ default: alert.document, email: alert.email });
  });

  it('names the account when its name is known, in the subject, the body and Slack', () => {
    const input = alertFor('createmodel_absent_terraform.json', { accountName: 'prod-ml' });
    const alert = snsAlert(input);
    expect(alert.subject).toContain('in prod-ml (111122223333)/eu-west-1');
    expect(JSON.parse(alert.document).accountName).toBe('prod-ml');
    expect(JSON.stringify(slackMessage(input))).toContain('prod-ml (111122223333) / eu-west-1');
  });

  it('marks dry runs and exemptions in the subject', () => {
    expect(snsAlert(alertFor('createmodel_false_cli.json', { dryRun: true })).subject).toContain('VIOLATION (dry run)');
  });
});

describe('boundedJson', () => {
  it('returns the document untouched when it fits', () => {
    expect(boundedJson({ a: 'x' }, 100)).toBe('{"a":"x"}');
  });

  it('cuts the longest strings first', () => {
    const text = boundedJson({ short: 'keep me', long: 'z'.repeat(5000) }, 1000);
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(1000);
    expect(JSON.parse(text).short).toBe('keep me');
  });
});

describe('finding event', () => {
  it('is an EventBridge entry from our source, on the named bus, about the model', () => {
    const entry = findingEvent(alertFor('createmodel_absent_terraform.json'), 'security-findings');
    expect(entry).toMatchObject({
      Source: FINDING_SOURCE,
      DetailType: FINDING_DETAIL_TYPE,
      EventBusName: 'security-findings',
      Resources: ['arn:aws:sagemaker:eu-west-1:111122223333:model/fraud-detector-v7'],
      Time: new Date('2026-11-03T10:01:00Z'),
    });
    expect(JSON.parse(entry.Detail!)).toMatchObject({ verdict: 'violation', modelName: 'fraud-detector-v7' });
  });

  it('stays under the PutEvents entry limit', () => {
    const entry = findingEvent(alertFor('createmodel_absent_terraform.json', {}, { userAgent: 'u'.repeat(600_000) }));
    expect(Buffer.byteLength(entry.Detail!)).toBeLessThanOrEqual(240 * 1024);
  });
});

describe('Slack message', () => {
  it('escapes &, < and > in every field from the event', () => {
    const payload = JSON.stringify(slackMessage(markup()));
    expect(payload).not.toMatch(/<!channel>|<@U123>|<https:\/\/evil|<script>/);
    expect(payload).toContain('x&lt;!channel&gt;-&amp;-&lt;https://evil.example|click&gt;');
    expect(payload).toContain('&lt;script&gt;');
  });

  it('keeps a 100 KB user agent within Slack limits without cutting an entity in half', () => {
    const huge = alertFor('createmodel_false_cli.json', {}, { userAgent: `${'<&>'.repeat(40_000)}` });
    const message = slackMessage(huge) as { blocks: Array<{ text?: { text: string }; fields?: Array<{ text: string }> }> };
    expect(message.blocks.length).toBeLessThanOrEqual(50);
    // The user agent's block is among those checked below: the loop cannot pass on no blocks.
    expect(JSON.stringify(message.blocks)).toContain('&lt;&amp;&gt;');
    for (const block of message.blocks) {
      const texts = [block.text?.text ?? '', ...(block.fields ?? []).map((f: any) => f.text)];
      for (const text of texts) {
        expect(text.length).toBeLessThanOrEqual(3000);
        expect(text).not.toMatch(/&(a|am|amp|l|lt|g|gt)?…/);
      }
    }
    expect(escapedWithin('a&b', 4)).toBe('a…');
    expect(escapedWithin('a&b', 100)).toBe('a&amp;b');
    expect(escapeSlack('<!here> & <@U1>')).toBe('&lt;!here&gt; &amp; &lt;@U1&gt;');
  });

  it('names the fix for the tool that created the model', () => {
    expect(recogniseTool(ownRecord('createmodel_absent_terraform.json').userAgent ?? null, null)).toBe('terraform');
    expect(recogniseTool(ownRecord('createmodel_isolated_sdk.json').userAgent ?? null, null)).toBe('sagemaker-python-sdk');
    expect(recogniseTool(ownRecord('createmodel_false_cli.json').userAgent ?? null, null)).toBe('aws-cli');
    expect(recogniseTool('cloudformation.amazonaws.com', 'cloudformation.amazonaws.com')).toBe('cloudformation');
    expect(recogniseTool('aws-cdk/2.150.0', null)).toBe('cloudformation');
    expect(recogniseTool('curl/8', null)).toBe('unknown');
    expect(fixFor('terraform')).toMatch(/enable_network_isolation = true/);
    expect(fixFor('cloudformation')).toMatch(/EnableNetworkIsolation: true/);
    expect(fixFor('sagemaker-python-sdk')).toMatch(/enable_network_isolation=True/);
    expect(fixFor('aws-cli')).toMatch(/--enable-network-isolation/);
    expect(JSON.stringify(slackMessage(alertFor('createmodel_absent_terraform.json')))).toContain('enable_network_isolation = true');
  });

  it('links the console only for a valid region and model name', () => {
    expect(consoleLink('eu-west-1', 'fraud-detector-v7')).toBe('https://eu-west-1.console.aws.amazon.com/sagemaker/home?region=eu-west-1#/models/fraud-detector-v7');
    expect(consoleLink('eu-west-1', 'x<!channel>')).toBeNull();
    expect(consoleLink('evil.example/x', 'model')).toBeNull();
    expect(JSON.stringify(slackMessage(markup()))).not.toContain('console.aws.amazon.com');
  });

  it('says dry run, and words an exemption used differently', () => {
    expect(JSON.stringify(slackMessage(alertFor('createmodel_false_cli.json', { dryRun: true })))).toContain('[dry run]');
    const exempt = alertFor('createmodel_false_cli.json', { severity: 'low' });
    expect(slackMessage({ ...exempt, decision: { ...exempt.decision, verdict: 'exempt' } }).text).toMatch(/exemption used/);
  });
});
