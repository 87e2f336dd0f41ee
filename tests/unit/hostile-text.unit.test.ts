import { describe, expect, it } from 'vitest';
import { slackMessage } from '../../shared/alerts/slack-message.js';
import { CreateModelRecordSchema } from '../../shared/cloudtrail/record.js';
import { decideCreateModel } from '../../shared/decision/decide-create-model.js';
import type { AlertInput } from '../../shared/model/outcome.js';
import { jsonLine, printable } from '../../cli/format-table.js';
import { ownRecord } from '../support/fixtures.js';

/** Event fields written to make a Slack message or a terminal lie. */
const RLO = '\u202e';
const HOSTILE = {
  modelName: `invoice${RLO}fdp.exe`,
  principal: 'arn:aws:sts::111122223333:assumed-role/x/\n> *URGENT* approve <https://evil.example|here> `rm -rf` ``` @channel',
  userAgent: 'curl/8 `backtick` \u0085next-line \u2028sep *bold* _it_ ~strike~ https://evil.example/phish',
  isolation: 'x\n• fake bullet https://evil.example',
};

function hostileAlert(): AlertInput {
  const base = ownRecord('createmodel_absent_terraform.json') as Record<string, any>;
  const record = CreateModelRecordSchema.parse({
    ...base,
    userAgent: HOSTILE.userAgent,
    userIdentity: { ...base.userIdentity, arn: HOSTILE.principal },
    requestParameters: { ...base.requestParameters, modelName: HOSTILE.modelName, enableNetworkIsolation: HOSTILE.isolation },
  });
  const { decision, context } = decideCreateModel(record, { exemptions: [], now: new Date('2026-11-22T12:00:00Z') });
  return {
    decision,
    context,
    model: null,
    action: { kind: 'none', status: 'not-needed', detail: `Alert mode: no remediation. ${HOSTILE.isolation}` },
    mode: 'alert',
    dryRun: false,
    severity: 'high',
  };
}

/** Every mrkdwn or plain text of the message, with where it is. */
function texts(message: { text: string; blocks: unknown[] }): Array<{ where: string; text: string; verbatim?: boolean; type?: string }> {
  const out: Array<{ where: string; text: string; verbatim?: boolean; type?: string }> = [{ where: 'text', text: message.text }];
  message.blocks.forEach((block: any, i) => {
    if (block.text) out.push({ where: `blocks[${i}].text`, ...block.text });
    (block.fields ?? []).forEach((field: any, j: number) => out.push({ where: `blocks[${i}].fields[${j}]`, ...field }));
  });
  return out;
}

describe('hostile event fields in the Slack message', () => {
  const message = slackMessage(hostileAlert());
  const all = texts(message);

  it('carries no bidirectional or control character anywhere', () => {
    const raw = JSON.stringify(message);
    expect(raw).not.toContain(RLO);
    // Line breaks are the message's own (label, then value); none comes from an event field.
    for (const { text, where } of all) expect(text, where).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028-\u202e\u2066-\u2069]/);
    expect(message.text).not.toContain('\n');
  });

  it('never lets an event field start a line: each line is a label, a code span or a code block', () => {
    for (const { text, where, type } of all) {
      // The header is plain text of our own; the fix is our own words, holding no event field.
      if (type === 'plain_text' || text.startsWith('*Fix*\n')) continue;
      for (const line of text.split('\n')) expect(line, where).toMatch(/^(\*[A-Z][\w /()]*\*|\*Done\* \(mode [a-z]+(, dry run)?\)|`|-$|\[)|^((CRITICAL|HIGH|MEDIUM|LOW): )?SageMaker model /);
    }
  });

  it('puts event fields in code spans whose backticks cannot be closed early', () => {
    const model = all.find((t) => t.text.startsWith('*Model*'))!.text;
    expect(model).toBe(`*Model*\n\`invoice fdp.exe\``);
    const principal = all.find((t) => t.text.startsWith('*Created by*'))!.text;
    // Exactly the two backticks of the span: the field's own are look-alikes.
    expect(principal.match(/`/g)).toHaveLength(2);
    expect(principal).toContain('&lt;https://evil.example|here&gt;');
    const why = all.find((t) => t.text.startsWith('*Why*'))!.text;
    expect(why.startsWith('*Why*\n```')).toBe(true);
    expect(why.endsWith('```')).toBe(true);
    expect(why.match(/`/g)).toHaveLength(6);
    expect(message.text).toMatch(/^HIGH: SageMaker model created without network isolation: `invoice fdp\.exe` in `/);
  });

  it('asks Slack not to turn bare URLs, mentions or channel names into links', () => {
    const mrkdwn = all.filter((t) => t.type === 'mrkdwn');
    expect(mrkdwn.length).toBeGreaterThan(5);
    for (const { verbatim, where } of mrkdwn) expect(verbatim, where).toBe(true);
  });

  it('says when the alert is unconfirmed', () => {
    expect(slackMessage({ ...hostileAlert(), unconfirmed: 'DescribeModel denied' }).text).toMatch(/^\[unconfirmed\] /);
  });
});

describe('hostile event fields on the terminal', () => {
  it('shows C1, bidirectional and zero-width characters as escapes in tables', () => {
    expect(printable(`a${RLO}b\u0085c\u009bd\u200be\u2066f`)).toBe('a\\u202eb\\u0085c\\u009bd\\u200be\\u2066f');
  });

  it('writes JSON lines that carry the same value with no raw control or bidi character', () => {
    const value = { modelName: HOSTILE.modelName, userAgent: HOSTILE.userAgent };
    const line = jsonLine(value);
    expect(line).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028-\u202e]/);
    expect(JSON.parse(line)).toEqual(value);
  });
});

describe('hostile text in the Slack attachment (the classification tag, shown in notifications)', () => {
  const tag = `phi\u001b[31m${RLO}gpj.exe\u200b\r\nfake line\u2028\u2029 *bold* _it_ ~s~ \`code\` https://evil.example/phish evil.example <!channel>`;
  const alert = hostileAlert();
  const message = slackMessage({ ...alert, decision: { ...alert.decision, classification: tag } });

  it.each(['text', 'fallback'] as const)('attachment %s: no control, bidi, zero-width or separator character, no formatting, mention or link', (key) => {
    const text = message.attachments[0]![key];
    expect(text).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]/);
    expect(text).not.toMatch(/[*_~`<>]/);
    expect(text).not.toMatch(/https?:\/\/|evil\.example/);
    // Still readable: the words are there, defanged.
    expect(text).toContain('https[:]//evil[.]example/phish');
    expect(text).toContain('∗bold∗');
    expect(text).toContain('&lt;!channel&gt;');
  });
});
