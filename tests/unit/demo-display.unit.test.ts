import { describe, expect, it } from 'vitest';
import { slackMessage } from '../../shared/alerts/slack-message.js';
import { snsAlert } from '../../shared/alerts/sns-alert.js';
import { CreateModelRecordSchema } from '../../shared/cloudtrail/record.js';
import { decideCreateModel } from '../../shared/decision/decide-create-model.js';
import type { AlertInput } from '../../shared/model/outcome.js';
import { emailForm, slackForm } from '../../scripts/demo-display.js';
import { describedModel, ownRecord } from '../support/fixtures.js';

// `npm start` shows the e-mail and the Slack message as the security team reads them (issue 22, item 2).

function alert(): AlertInput {
  const record = CreateModelRecordSchema.parse(ownRecord('createmodel_absent_terraform.json'));
  const { decision, context } = decideCreateModel(record, { exemptions: [], now: new Date('2026-11-22T12:00:00Z') });
  return { decision, context, model: describedModel({ raw: {} }), action: { kind: 'quarantine', status: 'done', detail: 'Tagged.' }, mode: 'quarantine', dryRun: false, severity: 'high' };
}

describe('the demo\'s display of what the security team receives', () => {
  it('shows the e-mail an `email` subscriber reads: subject, the summary with its Severity line, the start of the JSON', () => {
    const sns = snsAlert(alert());
    const shown = emailForm({ Subject: sns.subject, Message: sns.message, MessageStructure: 'json' });
    const lines = shown.split('\n');
    expect(lines[0]).toBe(`Subject: ${sns.subject}`);
    expect(lines[2]).toBe('HIGH VIOLATION: SageMaker model fraud-detector-v7 was created without network isolation.');
    expect(shown).toContain('\nSeverity:  high (no classification tag, not production)\n');
    expect(shown).toContain('\nFix:       Terraform: set enable_network_isolation = true');
    expect(shown).toContain('----- The alert as JSON (for tools and the record) -----\n{');
    expect(shown).toMatch(/\.\.\. \(\d+ more lines of JSON\)$/);
    // The whole summary is there, as the e-mail has it.
    expect(shown).toContain(sns.email.split('----- The alert as JSON')[0]!);
  });

  it('shows the Slack message as the channel does: notification, header, every section and field, the button, the bar', () => {
    const shown = slackForm(slackMessage(alert()) as Parameters<typeof slackForm>[0]);
    expect(shown).toMatch(/^Notification: HIGH: SageMaker model created without network isolation: `fraud-detector-v7` in `111122223333\/eu-west-1`$/m);
    expect(shown).toContain('\n# HIGH: SageMaker model created without network isolation\n');
    expect(shown).toContain('\n*Severity* high, no classification tag, not production\n');
    expect(shown).toContain('\n*Model*: `fraud-detector-v7`\n');
    expect(shown).toContain('\n*Fix*: Terraform: set `enable_network_isolation = true`');
    expect(shown).toContain('\n[Open in the console] https://eu-west-1.console.aws.amazon.com/sagemaker/home?region=eu-west-1#/models/fraud-detector-v7\n');
    expect(shown).toMatch(/\n\| Severity high \(bar #e01e5a\)$/);
  });
});
