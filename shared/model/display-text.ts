/**
 * The one sanitiser of text shown to people: Slack (message, attachment text and fallback), e-mail,
 * the terminal, Markdown, CSV, HTML (whose cells are HTML-escaped on top, shared/reports/cells.ts). Text from an event, a tag or a file must
 * not drive a terminal (ESC, BEL, an OSC-8 link), reverse or hide what follows (bidirectional and
 * zero-width characters), or start a line of its own (CR, LF, NEL, U+2028/U+2029). JSON keeps the
 * exact value: the same characters are written as JSON escapes (`jsonEscaped`), never raw. Pure.
 */

/** C0 and C1 controls, DEL, the Arabic letter mark, zero-width and bidirectional marks, line and paragraph separators, word joiners, BOM. */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]/g;
/** The same, but for a text whose own lines and tabs stay (a report, a table): tab, LF, and CR of a CRLF kept. */
// eslint-disable-next-line no-control-regex
const UNSAFE_IN_DOCUMENT = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]|\r(?!\n)/g;

const escape = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** A field made inert for a message (Slack, e-mail): each run of unsafe characters becomes one space. */
export function displayText(text: string): string {
  return text.replace(new RegExp(`(?:${UNSAFE.source})+`, 'g'), ' ');
}

/** A field for a terminal or a file read as text: unsafe characters shown as `\uXXXX`, so nothing is hidden. */
export function printableText(text: string): string {
  return text.replace(UNSAFE, escape);
}

/** A whole text document (Markdown, CSV, HTML, a table) for a terminal or a file: its own lines kept, any other unsafe character shown as `\uXXXX`. */
export function printableDocument(text: string): string {
  return text.replace(UNSAFE_IN_DOCUMENT, escape);
}

/**
 * JSON text with every unsafe character a string may hold raw (JSON.stringify leaves C1 controls,
 * bidirectional marks and line separators raw) written as its `\uXXXX` escape: the same JSON value,
 * and nothing a terminal acts on. (Outside strings JSON holds only ASCII punctuation and whitespace.)
 */
export function jsonEscaped(json: string): string {
  return json.replace(/[\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]/g, escape);
}

/**
 * Plain text for Slack where no code span can hold it (an attachment's `text` and `fallback`, which
 * notifications show): sanitised, `&`, `<`, `>` escaped, mrkdwn markers replaced by look-alikes
 * (`*bold*` stays as written, not bold) and links defanged (`https[:]//evil[.]example`), so
 * nothing from an event becomes formatting, a mention or a link.
 */
export function slackPlainText(text: string): string {
  return displayText(text)
    .replace(/[a-z][a-z0-9+.-]*:\/\/\S+|(?:[\w-]+\.)+[a-z]{2,}\S*/gi, (link) => link.replace(/:\/\//g, '[:]//').replace(/\./g, '[.]'))
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\*/g, '\u2217')
    .replace(/_/g, '\u02cd')
    .replace(/~/g, '\u02dc')
    .replace(/`/g, '\u02cb');
}
