/**
 * How `npm start` shows what the security team receives: the e-mail as an e-mail subscriber of the
 * topic reads it (the subject, then the `email` body of the published message structure) and the
 * Slack message as the channel shows it (header, sections, fields, button, the coloured bar's text).
 */

/** The e-mail form of one SNS publish with `MessageStructure: 'json'`: what SNS sends to `email` subscribers. */
export function emailForm(publish: { Subject?: string; Message?: string; MessageStructure?: string }, options: { jsonLines?: number } = {}): string {
  const structure = publish.MessageStructure === 'json' ? (JSON.parse(publish.Message ?? '{}') as { email?: string; default?: string }) : null;
  const body = structure ? (structure.email ?? structure.default ?? '') : (publish.Message ?? '');
  const lines = body.split('\n');
  // The JSON document after the summary is for tools: its first lines show what it is.
  const json = lines.findIndex((line) => line.startsWith('----- The alert as JSON'));
  const keep = options.jsonLines ?? 4;
  const shown = json < 0 || lines.length - json - 1 <= keep ? lines : [...lines.slice(0, json + 1 + keep), `... (${lines.length - json - 1 - keep} more lines of JSON)`];
  return [`Subject: ${publish.Subject ?? '(none)'}`, '', ...shown].join('\n');
}

interface SlackText {
  text?: string;
}
interface SlackBlock {
  type: string;
  text?: SlackText;
  fields?: SlackText[];
  elements?: Array<{ type: string; text?: SlackText; url?: string }>;
}

/** A Slack incoming-webhook body as the channel shows it, in plain lines (entities decoded, as Slack renders them). */
export function slackForm(body: { text?: string; blocks?: SlackBlock[]; attachments?: Array<{ text?: string; color?: string }> }): string {
  const decode = (text: string) => text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  const out: string[] = [`Notification: ${decode(body.text ?? '')}`];
  for (const block of body.blocks ?? []) {
    if (block.type === 'header') out.push('', `# ${decode(block.text?.text ?? '')}`);
    if (block.text && block.type === 'section') out.push(decode(block.text.text ?? '').replace(/\n/, ': '));
    for (const field of block.fields ?? []) out.push(decode(field.text ?? '').replace(/\n/, ': '));
    for (const element of block.elements ?? []) if (element.url) out.push(`[${element.text?.text ?? 'link'}] ${element.url}`);
  }
  for (const attachment of body.attachments ?? []) out.push(`| ${decode(attachment.text ?? '')} (bar ${attachment.color ?? '-'})`);
  return out.join('\n');
}
