import { publish, type SNSClient, type SnsAttributes } from '../aws/sns.js';
import type { AlertInput } from '../model/outcome.js';
import { alertDocument, boundedJson } from './alert-document.js';
import { alertKind, alertSummary } from './alert-summary.js';

export interface SnsAlert {
  subject: string;
  /**
   * What is published, with `MessageStructure: 'json'`: `{"default": DOCUMENT, "email": SUMMARY + DOCUMENT}`.
   * E-mail subscribers read the plain summary first; every other protocol (SQS, Lambda, HTTPS,
   * email-json) receives the JSON document alone, as before.
   */
  message: string;
  /** The machine-readable alert (JSON). */
  document: string;
  /** The e-mail body: the summary in plain words, then the document. */
  email: string;
  attributes: SnsAttributes;
}

/** SNS allows 256 KB per message (the whole structure); keep room for the envelope and attributes. */
const MAX_MESSAGE_BYTES = 240 * 1024;
const EMAIL_SEPARATOR = '\n\n----- The alert as JSON (for tools and the record) -----\n';
const MAX_SUBJECT = 99;

/**
 * Subjects must be ASCII, without line breaks, under 100 characters (SNS rejects the publish
 * otherwise): a hostile model name must not cost us the alert.
 */
export function snsSubject(text: string): string {
  const ascii = text.replace(/[^\x20-\x7e]+/g, ' ').replace(/\s+/g, ' ').trim();
  return ascii.length <= MAX_SUBJECT ? ascii : `${ascii.slice(0, MAX_SUBJECT - 3)}...`;
}

/**
 * A subject that keeps its lead (severity and verdict) and its place whole: a long model name is
 * what gets shortened. Places are tried in order (with the account's name, then its id alone) until
 * one leaves room for a few characters of the name; else the end is cut.
 */
export function leadingSubject(lead: string, name: string, places: readonly string[]): string {
  const [head, shortName] = [snsSubject(lead), snsSubject(name)];
  for (const place of places) {
    const end = snsSubject(place);
    const room = MAX_SUBJECT - head.length - end.length - 2;
    if (shortName.length <= room) return `${head} ${shortName} ${end}`;
    if (room >= 8) return `${head} ${shortName.slice(0, room - 3)}... ${end}`;
  }
  return snsSubject(`${head} ${shortName} ${places[0] ?? ''}`);
}

/** A message attribute subscribers filter on; an empty value is `-` (SNS refuses an empty one). */
export const attribute = (value: string | null | undefined) => ({ DataType: 'String' as const, StringValue: value ? value : '-' });

/**
 * The per-protocol message within SNS's limit: the document appears twice (default and e-mail) and
 * is escaped once more inside the structure, so it is bounded until the whole fits.
 */
function structuredMessage(input: AlertInput): { message: string; document: string; email: string } {
  const summary = alertSummary(input);
  for (let limit = 100 * 1024; ; limit = Math.floor(limit / 2)) {
    const structured = structuredSnsMessage(boundedJson(alertDocument(input), limit, 2), summary);
    if (Buffer.byteLength(structured.message) <= MAX_MESSAGE_BYTES || limit < 4096) return structured;
  }
}

/** Any message in the same two forms: e-mail subscribers read `summary` first, every other protocol the document. */
export function structuredSnsMessage(document: string, summary: string): { message: string; document: string; email: string } {
  const email = `${summary}${EMAIL_SEPARATOR}${document}`;
  return { message: JSON.stringify({ default: document, email }), document, email };
}

/** The alert as SNS carries it: subject, per-protocol body, and attributes subscribers filter on. */
export function snsAlert(input: AlertInput): SnsAlert {
  const { decision, action } = input;
  const dry = `${input.dryRun ? ' (dry run)' : ''}${input.unconfirmed ? ' (unconfirmed)' : ''}`;
  const byId = `in ${decision.account ?? '?'}/${decision.region}`;
  const places = input.accountName ? [`in ${input.accountName} (${decision.account})/${decision.region}`, byId] : [byId];
  return {
    subject: leadingSubject(`[isolation-guard] ${alertKind(input)}${dry}: model `, decision.modelName ?? '(unknown)', places),
    ...structuredMessage(input),
    attributes: {
      severity: attribute(input.severity),
      account: attribute(decision.account),
      region: attribute(decision.region),
      action: attribute(action.kind),
      verdict: attribute(decision.verdict),
    },
  };
}

export async function publishSnsAlert(client: SNSClient, topicArn: string, alert: SnsAlert): Promise<{ messageId: string }> {
  return publish(client, { topicArn, subject: alert.subject, message: alert.message, structure: 'json', attributes: alert.attributes });
}

/**
 * A notice that is not a model's alert (an audit report filed, a sweep run merged) on the alert
 * topic: its subject made safe for SNS, its body as given, and the `severity` and `verdict`
 * attributes subscribers filter on.
 */
export async function publishNotice(
  client: SNSClient,
  topicArn: string,
  notice: { subject: string; message: string; severity: string; verdict: string },
): Promise<{ messageId: string }> {
  return publish(client, {
    topicArn,
    subject: snsSubject(notice.subject),
    message: notice.message,
    attributes: { severity: attribute(notice.severity), verdict: attribute(notice.verdict) },
  });
}
