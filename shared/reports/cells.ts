/** Escaping for report cells, one function per format, shared by every report. */

/** CSV as RFC 4180 quotes it, formula-looking cells defused (CSV injection: `=`, `+`, `-`, `@`). */
export function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** A Markdown table cell: pipes escaped, one line, no raw HTML, no link, emphasis or code made by a name. */
export const mdCell = (value: string): string =>
  value
    .replace(/\\/g, '\\\\')
    .replace(/[|[\]*_`]/g, (c) => `\\${c}`)
    .replace(/[\r\n]+/g, ' ')
    .replace(/</g, '&lt;');

/** HTML text or attribute value. */
export const htmlText = (value: string): string =>
  value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
