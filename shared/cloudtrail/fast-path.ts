/**
 * The parse pool's fast path: most files of a trail hold no CreateModel call, and deciding that
 * from the bytes costs a fraction of parsing them. Each function here is self-contained (no
 * imports, no outer names): the pool's workers run their source text.
 */

/**
 * False only when the bytes provably hold no JSON string equal to one of `words` (ASCII letters),
 * so a record with `"eventName":"CreateModel"` in any spelling is never missed:
 * - written plainly, the word sits between two unescaped quotes (`"CreateModel"`); as part of a
 *   longer text (`"sagemaker:CreateModel"`, `CreateModelPackage`) or inside a JSON-encoded policy
 *   (`\"CreateModel\"`, whose quotes are escaped) it is not a string of its own;
 * - any letter may also be written `\u00XX` (JSON has no other escape for a letter): a file with
 *   such an escape of one of the words' letters is parsed. CloudTrail's own escapes (`\u003c`,
 *   `\u003e`, `\u0026`, controls) are not letters and keep the fast path.
 */
export function mayHoldString(bytes: Buffer, words: readonly string[]): boolean {
  for (const word of words) {
    let at = bytes.indexOf(word, 0, 'latin1');
    while (at >= 0) {
      const before = at - 1;
      if (bytes[before] === 0x22 && bytes[at + word.length] === 0x22) {
        let backslashes = 0;
        for (let k = before - 1; k >= 0 && bytes[k] === 0x5c; k--) backslashes++;
        if (backslashes % 2 === 0) return true;
      }
      at = bytes.indexOf(word, at + 1, 'latin1');
    }
  }
  const letters = new Set<number>();
  for (const word of words) for (let i = 0; i < word.length; i++) letters.add(word.charCodeAt(i));
  let at = bytes.indexOf('\\u00', 0, 'latin1');
  while (at >= 0) {
    const code = Number.parseInt(bytes.toString('latin1', at + 4, at + 6), 16);
    if (letters.has(code)) return true;
    at = bytes.indexOf('\\u00', at + 4, 'latin1');
  }
  return false;
}

/**
 * The record count of a log file in CloudTrail's own framing (`{"Records":[{"eventVersion":...},...]}`,
 * compact, eventVersion first in each record), counted without parsing; null when the bytes are not
 * framed so (the file is then parsed). NUL bytes and invalid UTF-8 are left to the parser to name.
 */
export function countLogFileRecords(bytes: Buffer, isUtf8: (b: Buffer) => boolean): number | null {
  const head = '{"Records":[';
  if (bytes.length < head.length + 2 || bytes.toString('latin1', 0, head.length) !== head) return null;
  let end = bytes.length;
  while (end > 0 && (bytes[end - 1] === 0x20 || bytes[end - 1] === 0x0a || bytes[end - 1] === 0x0d || bytes[end - 1] === 0x09)) end--;
  if (bytes[end - 1] !== 0x7d || bytes[end - 2] !== 0x5d) return null;
  if (bytes.indexOf(0) >= 0 || !isUtf8(bytes)) return null;
  if (end === head.length + 2) return 0; // {"Records":[]}
  const marker = '{"eventVersion":';
  if (bytes.indexOf(marker, 0, 'latin1') !== head.length) return null;
  let count = 0;
  let at = head.length;
  while (at >= 0) {
    count++;
    at = bytes.indexOf(marker, at + marker.length, 'latin1');
  }
  return count;
}
