import type { AlertInput } from '../model/outcome.js';
import { displayText as clean } from '../model/display-text.js';
import { alertText } from './alert-text.js';

/**
 * The alert in plain words, for a person reading an e-mail: what happened, where, who did it, why
 * it matters, what was done, how to fix it in the tool that made the model, and the console link.
 * Pure. Every value from the event is put on one line (control, format and bidirectional characters
 * removed, bounded), so a model name cannot forge a line of its own or reverse the text around it.
 */

const FIELD_MAX = 300;

/** One line of plain text: no control, line-breaking or bidi characters; at most `max` characters. */
export function plainField(text: string | null | undefined, max = FIELD_MAX): string {
  if (text === null || text === undefined || text === '') return '-';
  // The same characters Slack's text loses (controls, separators, bidi and zero-width marks), then one line.
  const cleaned = clean(text).replace(/\s+/g, ' ').trim();
  const chars = Array.from(cleaned);
  return chars.length <= max ? cleaned || '-' : `${chars.slice(0, max - 1).join('')}…`;
}

const VERDICT_LINE: Record<string, (model: string) => string> = {
  violation: (model) => `SageMaker model ${model} was created without network isolation.`,
  exempt: (model) => `SageMaker model ${model} runs without network isolation under an exemption.`,
};

/**
 * What the alert is, severity first, as the subject and the summary's first line say it:
 * `CRITICAL VIOLATION`, `HIGH VIOLATION`, `EXEMPTION USED` (an exemption is always low).
 */
export function alertKind(input: Pick<AlertInput, 'decision' | 'severity'>): string {
  const { verdict } = input.decision;
  if (verdict === 'violation') return `${input.severity.toUpperCase()} VIOLATION`;
  return verdict === 'exempt' ? 'EXEMPTION USED' : verdict.toUpperCase();
}

/** `critical (classification phi, production)`: the severity and what gave it, in words. */
export function severityLine(input: Pick<AlertInput, 'decision' | 'severity'>): string {
  const { classification, production } = input.decision;
  const cls = classification ? `classification ${plainField(classification, 60)}` : 'no classification tag';
  return `${input.severity} (${cls}, ${production ? 'production' : 'not production'})`;
}

const WHY_IT_MATTERS =
  'A model without network isolation can reach the internet and other networks from its containers: ' +
  'it can send training data, inference inputs or model weights anywhere. The setting cannot be changed ' +
  'on an existing model: the fix is to delete it and create it again with isolation on.';

function whatWasDone(input: AlertInput): string {
  const { action } = input;
  const mode = `mode ${input.mode}${input.dryRun ? ', dry run' : ''}`;
  switch (action.status) {
    case 'done':
      return `${plainField(action.detail, 600)} (${mode})`;
    case 'pending':
      return `${plainField(action.detail, 600)} (${mode})`;
    case 'would-do':
      return `Nothing changed (dry run). ${plainField(action.detail, 600)}`;
    case 'already-done':
      return `Already done: ${plainField(action.detail, 600)} (${mode})`;
    case 'failed':
      return `FAILED: ${plainField(action.detail, 600)} (${mode}); the event will be retried.`;
    case 'not-needed':
      return input.mode === 'alert' ? `Alert only (${mode}): nothing was changed.` : `Nothing to do: ${plainField(action.detail, 600)}`;
  }
}

/** The summary that opens the e-mail; the machine-readable document follows it. */
export function alertSummary(input: AlertInput): string {
  const { decision, context } = input;
  const model = plainField(decision.modelName ?? '(unknown model)', 120);
  const account = input.accountName ? `${plainField(input.accountName, 80)} (${plainField(decision.account)})` : plainField(decision.account);
  const { fix, consoleLink: link } = alertText(input);
  const headline = `${alertKind(input)}: ${(VERDICT_LINE[decision.verdict] ?? ((m: string) => `SageMaker model ${m}.`))(model)}`;
  const lines: Array<[string, string]> = [
    ['Severity', severityLine(input)],
    ['Where', `account ${account}, region ${plainField(decision.region, 40)}`],
    ['Who', `${plainField(decision.principal)}${context.invokedBy ? ` (through ${plainField(context.invokedBy, 80)})` : ''}`],
    ['When', plainField(decision.eventTime, 40)],
    ['Why', plainField(decision.reasons.join(' '), 800)],
    ['Done', whatWasDone(input)],
    ['Fix', fix.replace(/`/g, '')],
    ['Console', link ?? '-'],
    ['Model ARN', plainField(decision.modelArn)],
    ['Event id', plainField(decision.eventId, 80)],
  ];
  if (context.exemption) {
    lines.splice(5, 0, ['Exemption', `${context.exemption.kind} ${plainField(context.exemption.pattern, 120)}${context.exemption.expires ? `, expires ${plainField(context.exemption.expires, 40)}` : ', no expiry'}`]);
  }
  return [
    `${input.dryRun ? '[dry run] ' : ''}${headline}`,
    '',
    ...lines.map(([label, value]) => `${`${label}:`.padEnd(11)}${value}`),
    '',
    WHY_IT_MATTERS,
  ].join('\n');
}
