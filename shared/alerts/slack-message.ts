import { displayText, slackPlainText } from '../model/display-text.js';
import type { AlertInput } from '../model/outcome.js';
import { alertText } from './alert-text.js';

/**
 * The Slack incoming-webhook message (Block Kit). Pure. Every value that came from the event is
 * escaped (`&`, `<`, `>`), so a model name cannot say `<!channel>`, mention someone or hide a link;
 * the only link is the console's, built from a validated region and model name.
 */

export const escapeSlack = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Escapes, then cuts to `max` characters without splitting an entity (`&am…` would render raw). */
export function escapedWithin(text: string, max: number): string {
  const escaped = escapeSlack(text);
  if (escaped.length <= max) return escaped;
  let cut = escaped.slice(0, max - 1);
  const amp = cut.lastIndexOf('&');
  if (amp >= 0 && !cut.slice(amp).includes(';')) cut = cut.slice(0, amp);
  return `${cut}…`;
}

/** An event-sourced string made inert for display (the one sanitiser, shared/model/display-text.ts). */
export const clean = displayText;

/** Backticks would close an inline code span early; a look-alike keeps the text readable. */
const code = (text: string, max: number) => `\`${escapedWithin(clean(text).replace(/`/g, 'ˋ'), max)}\``;

/** A code block: no formatting, no links, no mentions inside; backticks neutralised. */
const codeBlock = (text: string, max: number) => `\`\`\`${escapedWithin(clean(text).replace(/`/g, 'ˋ'), max)}\`\`\``;

/** mrkdwn text that Slack must not auto-link (bare URLs, @mentions, #channels). */
const mrkdwn = (text: string) => ({ type: 'mrkdwn', text, verbatim: true });

const SECTION_MAX = 2900;

/** An attachment's text and fallback: no code span there, so plain text made inert, then cut. */
const attachmentText = (text: string) => {
  const chars = Array.from(slackPlainText(text));
  return chars.length <= FIELD_MAX ? chars.join('') : `${chars.slice(0, FIELD_MAX - 1).join('')}…`;
};
const FIELD_MAX = 400;

/** The attachment bar's colour by severity: the channel's eye goes to red first. */
export const SEVERITY_COLOURS: Record<AlertInput['severity'], string> = { critical: '#8b0000', high: '#e01e5a', medium: '#ecb22e', low: '#2eb67d' };

export function slackMessage(
  input: AlertInput,
  _options: { consoleBaseUrl?: string } = {},
): { text: string; blocks: unknown[]; attachments: Array<{ color: string; fallback: string; text: string }> } {
  const { decision, context, action } = input;
  const headline =
    decision.verdict === 'exempt'
      ? 'SageMaker model without network isolation (exemption used)'
      : 'SageMaker model created without network isolation';
  // Severity leads, as in the e-mail: `CRITICAL: SageMaker model created without network isolation`.
  const lead = decision.verdict === 'violation' ? `${input.severity.toUpperCase()}: ` : '';
  const header = `${input.dryRun ? '[dry run] ' : ''}${input.unconfirmed ? '[unconfirmed] ' : ''}${lead}${headline}`;
  const name = decision.modelName ?? '(unknown model)';
  const field = (label: string, value: string | null) => mrkdwn(`*${label}*\n${value === null ? '-' : code(value, FIELD_MAX)}`);
  // Our own words (no event field): the fix for the tool that made the call, and the console link.
  const { fix, consoleLink: link } = alertText(input);

  // The classification comes from a tag: in a code span, as every event field.
  const severity = `*Severity* ${input.severity}${decision.classification ? `, classification ${code(decision.classification, 60)}` : ', no classification tag'}${decision.production ? ', production' : ', not production'}`;
  const blocks: unknown[] = [
    { type: 'header', text: { type: 'plain_text', text: header.slice(0, 150) } },
    { type: 'section', text: mrkdwn(severity) },
    {
      type: 'section',
      fields: [
        field('Model', name),
        field('Account / region', `${input.accountName ? `${input.accountName} (${decision.account})` : (decision.account ?? '?')} / ${decision.region}`),
        field('Created by', decision.principal),
        field('Source IP', context.sourceIPAddress),
        field('Time', decision.eventTime),
        field('Event id', decision.eventId),
      ],
    },
    { type: 'section', text: mrkdwn(`*Model ARN*\n${decision.modelArn ? code(decision.modelArn, FIELD_MAX) : '-'}`) },
    { type: 'section', text: mrkdwn(`*User agent*\n${context.userAgent ? code(context.userAgent, FIELD_MAX) : '-'}`) },
    // Reasons quote event fields: a code block shows them as they are, with no formatting or link.
    { type: 'section', text: mrkdwn(`*Why*\n${codeBlock(decision.reasons.join(' '), SECTION_MAX)}`) },
    {
      type: 'section',
      text: mrkdwn(`*Done* (mode ${input.mode}${input.dryRun ? ', dry run' : ''})\n${codeBlock(`${action.kind}: ${action.status}. ${action.detail}`, SECTION_MAX)}`),
    },
    { type: 'section', text: mrkdwn(`*Fix*\n${fix}`) },
  ];
  if (link) blocks.push({ type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: 'Open in the console' }, url: link }] });

  // The notification text: event fields only inside code spans, never at the start of a line.
  const where = `${decision.account ?? '?'}/${decision.region}`;
  const priority = `Severity ${input.severity}${decision.classification ? `, classification ${decision.classification}` : ''}${decision.production ? ', production' : ''}`;
  return {
    text: `${escapeSlack(header)}: ${code(name, FIELD_MAX)} in ${code(where, FIELD_MAX)}`,
    blocks,
    // A coloured bar under the message; the classification comes from a tag: plain text, cleaned and escaped.
    attachments: [{ color: SEVERITY_COLOURS[input.severity], fallback: attachmentText(priority), text: attachmentText(priority) }],
  };
}
