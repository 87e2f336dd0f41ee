import { describe, expect, it } from 'vitest';
import { alertText } from '../../shared/alerts/alert-text.js';
import { securityHubFinding } from '../../shared/alerts/security-hub.js';
import { slackMessage } from '../../shared/alerts/slack-message.js';
import { snsAlert } from '../../shared/alerts/sns-alert.js';
import { CreateModelRecordSchema } from '../../shared/cloudtrail/record.js';
import { decideCreateModel } from '../../shared/decision/decide-create-model.js';
import type { AlertInput } from '../../shared/model/outcome.js';
import { ownRecord } from '../support/fixtures.js';

describe('alert text', () => {
  it.each([
    ['createmodel_absent_terraform.json', 'terraform'],
    ['createmodel_false_cli.json', 'aws-cli'],
    ['createmodel_cloudformation.json', 'cloudformation'],
  ])('%s: Slack, the e-mail and Security Hub give the fix and console link of the one alert text (%s)', (fixture, tool) => {
    const { decision, context } = decideCreateModel(CreateModelRecordSchema.parse(ownRecord(fixture)), { exemptions: [], now: new Date('2026-11-22T12:00:00Z') });
    const input: AlertInput = { decision, context, model: null, action: { kind: 'none', status: 'not-needed', detail: '-' }, mode: 'alert', dryRun: false, severity: decision.severity };
    const text = alertText(input);
    expect(text.tool).toBe(tool);
    expect(text.consoleLink).toMatch(/^https:\/\/[a-z0-9-]+\.console\.aws\.amazon\.com\/sagemaker\//);

    const slack = JSON.stringify(slackMessage(input).blocks);
    expect(slack).toContain(JSON.stringify(`*Fix*\n${text.fix}`).slice(1, -1));
    expect(slack).toContain(JSON.stringify(text.consoleLink));
    const email = snsAlert(input).email;
    expect(email).toContain(`Fix:       ${text.fix.replace(/`/g, '')}`);
    expect(email).toContain(`Console:   ${text.consoleLink}`);
    const finding = securityHubFinding(input, { productArn: 'arn:aws:securityhub:eu-west-1:111122223333:product/111122223333/default', importingAccount: '111122223333', now: new Date() });
    expect(finding?.Remediation?.Recommendation?.Text).toBe(text.fix);
  });
});
