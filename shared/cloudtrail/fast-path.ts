/**
 * The parse pool's worker and its fast path: most files of a trail hold no CreateModel call, and
 * deciding that from the bytes costs a fraction of parsing them. The functions here use no
 * imports and no names outside this file: the pool's workers run their source text (so the type
 * checker reads the worker's code), and a module loader rewrites references to imported names.
 */

/**
 * False only when the bytes provably hold no JSON string equal to one of `words` (ASCII letters),
 * so a record with `"eventName":"CreateModel"` in any spelling is never missed:
 * - written plainly, the word sits between two unescaped quotes (`"CreateModel"`); as part of a
 *   longer text (`"sagemaker:CreateModel"`, `CreateModelPackage`) or inside a JSON-encoded policy
 *   (`\"CreateModel\"`, whose quotes are escaped) it is not a string of its own;
 * - any letter may also be written `\u00XX` (JSON has no other escape for a letter): a file with
 *   an escape in the range of one of the words' letters (`\u004.` to `\u007.`) is parsed.
 *   CloudTrail's own escapes (`\u003c`, `\u003e`, `\u0026`, controls) are below it and keep the fast path.
 */
export function mayHoldString(bytes: Buffer, words: readonly string[]): boolean {
  for (const word of words) {
    const needle = Buffer.from(word, 'latin1');
    let at = bytes.indexOf(needle);
    while (at >= 0) {
      const before = at - 1;
      if (bytes[before] === 0x22 && bytes[at + word.length] === 0x22) {
        let backslashes = 0;
        for (let k = before - 1; k >= 0 && bytes[k] === 0x5c; k--) backslashes++;
        if (backslashes % 2 === 0) return true;
      }
      at = bytes.indexOf(needle, at + 1);
    }
  }
  // A letter written as an escape is `\u00` and its two hex digits; the first is the letter's code
  // divided by 16 (4 to 7 for ASCII letters). One search per such digit: any hit means a parse.
  const firstDigits = new Set<string>();
  for (const word of words) for (let i = 0; i < word.length; i++) firstDigits.add((word.charCodeAt(i) >> 4).toString(16));
  for (const digit of firstDigits) if (bytes.indexOf(`\\u00${digit}`, 0, 'latin1') >= 0) return true;
  return false;
}

/**
 * The record count of a log file in CloudTrail's own framing (`{"Records":[{"eventVersion":...},...]}`,
 * compact, eventVersion first in each record), counted without parsing; null when the bytes are not
 * framed so (the file is then parsed, and any problem named). Every record must start right after
 * the previous one's `},` (so an element that is not an object, such as `null`, sends the file to
 * the parser), and a quote inside a string is always escaped, so `{"eventVersion":` occurs only where
 * an object starts.
 */
export function countLogFileRecords(bytes: Buffer, isUtf8: (b: Buffer) => boolean): number | null {
  const head = '{"Records":[';
  if (bytes.length < head.length + 2 || bytes.toString('latin1', 0, head.length) !== head) return null;
  let end = bytes.length;
  while (end > 0 && (bytes[end - 1] === 0x20 || bytes[end - 1] === 0x0a || bytes[end - 1] === 0x0d || bytes[end - 1] === 0x09)) end--;
  if (bytes[end - 1] !== 0x7d || bytes[end - 2] !== 0x5d) return null;
  if (bytes.indexOf(0) >= 0 || !isUtf8(bytes)) return null;
  if (end === head.length + 2) return 0; // {"Records":[]}
  if (bytes[end - 3] !== 0x7d) return null; // the last element is an object
  const marker = Buffer.from('{"eventVersion":', 'latin1');
  if (bytes.indexOf(marker) !== head.length) return null;
  let count = 0;
  let at = head.length;
  while (at >= 0) {
    if (count > 0 && (bytes[at - 2] !== 0x7d || bytes[at - 1] !== 0x2c)) return null;
    count++;
    at = bytes.indexOf(marker, at + marker.length);
  }
  return count;
}

/** The worker's body; it runs from its source text (the type checker still reads it here). */
function workerMain(maxInflated: number) {
  // process.getBuiltinModule, not require: a bundler rewrites require() calls, and this text runs as is.
  const { parentPort } = process.getBuiltinModule('node:worker_threads');
  const { gunzipSync } = process.getBuiltinModule('node:zlib');
  const { isUtf8 } = process.getBuiltinModule('node:buffer');
  // Inflated files are memory outside V8's heap, which V8 collects only after tens of MB of them:
  // a full collection after every INFLATED_PER_GC bytes (16 MB: about 5 log files) keeps the worker's memory flat.
  process.getBuiltinModule('node:v8').setFlagsFromString('--expose-gc');
  const collect = process.getBuiltinModule('node:vm').runInNewContext('gc') as () => void;
  const INFLATED_PER_GC = 16 * 1024 * 1024;
  let inflatedSinceGc = 0;
  const post = (message: object, transfer: ArrayBuffer[] = []) => parentPort!.postMessage(message, transfer);
  parentPort!.on('message', ({ id, bytes, words }: { id: number; bytes: Uint8Array; words: string[] }) => {
    try {
      handle(id, bytes, words);
    } catch (error) {
      post({ id, kind: 'failed', problem: error instanceof Error ? error.message : String(error) });
    }
  });
  function handle(id: number, bytes: Uint8Array, words: string[]) {
    let raw = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b) {
      try {
        raw = gunzipSync(raw, { maxOutputLength: maxInflated });
        inflatedSinceGc += raw.length;
        if (inflatedSinceGc > INFLATED_PER_GC) {
          inflatedSinceGc = 0;
          collect();
        }
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError) post({ id, kind: 'stream' });
        else post({ id, kind: 'failed', problem: `invalid gzip data (${error instanceof Error ? error.message : String(error)})` });
        return;
      }
    }
    const asText = () => {
      const copy = new Uint8Array(raw.length);
      copy.set(raw);
      post({ id, kind: 'text', text: copy }, [copy.buffer]);
    };
    // No words: the caller wants every record looked at (near misses named), never only counted.
    const count = words.length > 0 ? countLogFileRecords(raw, isUtf8) : null;
    if (count !== null && !mayHoldString(raw, words)) {
      post({ id, kind: 'records', count, records: [], indexes: [], parsed: false });
      return;
    }
    // A count means the bytes were already found free of NULs and valid UTF-8: not scanned twice.
    const clean = () => count !== null || (raw.indexOf(0) < 0 && isUtf8(raw));
    let value: unknown;
    try {
      value = JSON.parse(raw.toString('utf8'));
    } catch {
      asText();
      return;
    }
    const records = (value as { Records?: unknown } | null)?.Records;
    if (typeof value !== 'object' || value === null || Array.isArray(value) || !Array.isArray(records) || Object.keys(value).length !== 1 || !clean()) {
      asText();
      return;
    }
    const kept: unknown[] = [];
    const indexes: number[] = [];
    for (let i = 0; i < records.length; i++) {
      const r = records[i] as { eventSource?: unknown } | null;
      // SageMaker's records in any spelling of the source: one that is nearly it is named by the caller;
      // a source that is no string at all (null, an array) is a broken record, also named by the caller.
      const source = r && typeof r === 'object' ? r.eventSource : undefined;
      const broken = source !== undefined && typeof source !== 'string';
      if (!r || typeof r !== 'object' || Array.isArray(r) || broken || (typeof source === 'string' && source.trim().toLowerCase() === 'sagemaker.amazonaws.com')) {
        kept.push(r);
        indexes.push(i);
      }
    }
    post({ id, kind: 'records', count: records.length, records: kept, indexes, parsed: true });
  }
}

// `__name`: the helper some TypeScript runners (tsx, vitest) insert to keep function names.
export const workerSource = (maxInflated: number) =>
  `var __name = (target) => target;\n${mayHoldString.toString()}\n${countLogFileRecords.toString()}\n(${workerMain.toString()})(${maxInflated});`;

