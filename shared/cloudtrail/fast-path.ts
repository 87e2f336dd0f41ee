/**
 * The parse pool's worker and its fast path: most records of a trail are no CreateModel call, and
 * deciding that from the bytes costs a fraction of parsing them; the records that may be one are
 * found by their bytes and parsed alone. The functions here use no
 * imports and no names outside this file: the pool's workers run their source text (so the type
 * checker reads the worker's code), and a module loader rewrites references to imported names.
 */

/**
 * False only when the bytes provably hold no JSON string equal to one of `words` (ASCII letters)
 * (no `candidateOffsets`),
 * so a record with `"eventName":"CreateModel"` in any spelling is never missed:
 * - written plainly, the word sits between two unescaped quotes (`"CreateModel"`); as part of a
 *   longer text (`"sagemaker:CreateModel"`, `CreateModelPackage`) or inside a JSON-encoded policy
 *   (`\"CreateModel\"`, whose quotes are escaped) it is not a string of its own;
 * - any letter may also be written `\u00XX` (JSON has no other escape for a letter): a file with
 *   an escape in the range of one of the words' letters (`\u004.` to `\u007.`) is parsed.
 *   CloudTrail's own escapes (`\u003c`, `\u003e`, `\u0026`, controls) are below it and keep the fast path.
 */
export function mayHoldString(bytes: Buffer, words: readonly string[]): boolean {
  return candidateOffsets(bytes, words).length > 0;
}

/**
 * Where the records of a log file in CloudTrail's own framing start (`{"Records":[{"eventVersion":...},...]}`,
 * compact, eventVersion first in each record), found without parsing, and where the record list
 * ends (`]}`); null when the bytes are not framed so (the file is then parsed, and any problem
 * named). Every record must start right after the previous one's `},` (so an element that is not
 * an object, such as `null`, sends the file to the parser), and a quote inside a string is always
 * escaped, so `{"eventVersion":` occurs only where an object starts. Record `k` is the bytes from
 * `starts[k]` up to the `,` before `starts[k + 1]` (the last one: up to `listEnd`), ending in `}`.
 */
export function logFileRecords(bytes: Buffer, isUtf8: (b: Buffer) => boolean): { starts: number[]; listEnd: number } | null {
  const head = '{"Records":[';
  if (bytes.length < head.length + 2 || bytes.toString('latin1', 0, head.length) !== head) return null;
  let end = bytes.length;
  while (end > 0 && (bytes[end - 1] === 0x20 || bytes[end - 1] === 0x0a || bytes[end - 1] === 0x0d || bytes[end - 1] === 0x09)) end--;
  if (bytes[end - 1] !== 0x7d || bytes[end - 2] !== 0x5d) return null;
  if (bytes.indexOf(0) >= 0 || !isUtf8(bytes)) return null;
  const starts: number[] = [];
  if (end === head.length + 2) return { starts, listEnd: end - 2 }; // {"Records":[]}
  if (bytes[end - 3] !== 0x7d) return null; // the last element is an object
  const marker = Buffer.from('{"eventVersion":', 'latin1');
  if (bytes.indexOf(marker) !== head.length) return null;
  let at = head.length;
  while (at >= 0) {
    if (starts.length > 0 && (bytes[at - 2] !== 0x7d || bytes[at - 1] !== 0x2c)) return null;
    starts.push(at);
    at = bytes.indexOf(marker, at + marker.length);
  }
  return { starts, listEnd: end - 2 };
}

/**
 * The offsets at which a record may hold a JSON string equal to one of `words` (the record-level
 * form of `mayHoldString`, by the same proof): each plain `"word"` whose opening quote is not
 * escaped, and each escape `\u00X` in the range of the words' letters (JSON spells a letter no other
 * way). A record holding none of these offsets provably holds none of the words as a string.
 */
export function candidateOffsets(bytes: Buffer, words: readonly string[]): number[] {
  const offsets: number[] = [];
  // Searched by the word's tail from its last capital letter and the closing quote (`Model"`): Buffer
  // indexOf skips ahead by the needle's first byte, which is rare as a capital and common as a quote
  // or a word's first letter (ten times slower on a trail); words sharing a tail share a search.
  const byTail = new Map<string, string[]>();
  for (const word of words) {
    let cut = word.length - 1;
    while (cut > 0 && !(word.charCodeAt(cut) >= 0x41 && word.charCodeAt(cut) <= 0x5a)) cut--;
    const tail = `${word.slice(cut)}"`;
    byTail.set(tail, [...(byTail.get(tail) ?? []), word]);
  }
  for (const [tail, sharing] of byTail) {
    const needle = Buffer.from(tail, 'latin1');
    for (let at = bytes.indexOf(needle); at >= 0; at = bytes.indexOf(needle, at + 1)) {
      for (const word of sharing) {
        const start = at + tail.length - 1 - word.length;
        if (start < 1 || bytes[start - 1] !== 0x22 || bytes.toString('latin1', start, start + word.length) !== word) continue;
        let backslashes = 0;
        for (let k = start - 2; k >= 0 && bytes[k] === 0x5c; k--) backslashes++;
        if (backslashes % 2 === 0) offsets.push(start);
      }
    }
  }
  const firstDigits = new Set<string>();
  for (const word of words) for (let i = 0; i < word.length; i++) firstDigits.add((word.charCodeAt(i) >> 4).toString(16));
  for (const digit of firstDigits) {
    const escape = Buffer.from(`\\u00${digit}`, 'latin1');
    for (let at = bytes.indexOf(escape); at >= 0; at = bytes.indexOf(escape, at + escape.length)) offsets.push(at);
  }
  return offsets;
}

/**
 * The records of a framed log file (`logFileRecords`) that hold one of the `offsets`, parsed one by
 * one, with their index; the other records are only counted. Null when one of them does not parse
 * to an object on its own: the framing lied (a nested object that starts with eventVersion, a broken
 * file), and the caller parses the whole file, which names any problem.
 */
export function recordsAt(bytes: Buffer, framing: { starts: number[]; listEnd: number }, offsets: number[]): { records: unknown[]; indexes: number[] } | null {
  const { starts, listEnd } = framing;
  const indexes: number[] = [];
  for (const offset of offsets) {
    // The last record starting at or before the offset.
    let low = 0;
    let high = starts.length - 1;
    if (high < 0 || offset < starts[0]!) continue;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (starts[middle]! <= offset) low = middle;
      else high = middle - 1;
    }
    indexes.push(low);
  }
  indexes.sort((a, b) => a - b);
  const records: unknown[] = [];
  const kept: number[] = [];
  for (let i = 0; i < indexes.length; i++) {
    const k = indexes[i]!;
    if (i > 0 && indexes[i - 1] === k) continue;
    const end = k + 1 < starts.length ? starts[k + 1]! - 1 : listEnd;
    let value: unknown;
    try {
      value = JSON.parse(bytes.toString('utf8', starts[k]!, end));
    } catch {
      return null;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
    records.push(value);
    kept.push(k);
  }
  return { records, indexes: kept };
}

/** The worker's body; it runs from its source text (the type checker still reads it here). */
function workerMain(maxInflated: number, wholeDocumentBytes: number) {
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
  /**
   * gunzip's output in one buffer: its trailer gives the size (of the last member, modulo 4 GiB),
   * so a file inflates into one allocation instead of 16 KiB pieces joined by a copy at the end.
   */
  const inflate = (raw: Buffer) => {
    const stated = raw.length >= 18 ? raw.readUInt32LE(raw.length - 4) : 0;
    return gunzipSync(raw, { maxOutputLength: maxInflated, chunkSize: Math.min(Math.max(64 * 1024, stated + 1), maxInflated + 1) });
  };
  /**
   * SageMaker's records in any spelling of the source (one that is nearly it is named by the caller),
   * anything not an object, and a record whose source is no string at all (null, an array): a broken
   * record, also named by the caller.
   */
  const keep = (r: unknown) => {
    const source = r && typeof r === 'object' ? (r as { eventSource?: unknown }).eventSource : undefined;
    const broken = source !== undefined && typeof source !== 'string';
    return !r || typeof r !== 'object' || Array.isArray(r) || broken || (typeof source === 'string' && source.trim().toLowerCase() === 'sagemaker.amazonaws.com');
  };
  function handle(id: number, bytes: Uint8Array, words: string[]) {
    let raw = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b) {
      try {
        raw = inflate(raw);
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
    const framing = words.length > 0 ? logFileRecords(raw, isUtf8) : null;
    if (framing !== null) {
      // The record-level fast path: only the records that may hold one of the words are parsed.
      const picked = recordsAt(raw, framing, candidateOffsets(raw, words));
      if (picked !== null) {
        const kept: unknown[] = [];
        const indexes: number[] = [];
        for (let i = 0; i < picked.records.length; i++) {
          if (!keep(picked.records[i])) continue;
          kept.push(picked.records[i]);
          indexes.push(picked.indexes[i]!);
        }
        post({ id, kind: 'records', count: framing.starts.length, records: kept, indexes, parsed: false });
        return;
      }
    }
    // Parsed whole, a large document takes several times its size: the main thread reads it record by record, or refuses it.
    if (raw.length > wholeDocumentBytes) {
      asText();
      return;
    }
    // Framing proved the bytes free of NULs and valid UTF-8: not scanned twice.
    const clean = () => framing !== null || (raw.indexOf(0) < 0 && isUtf8(raw));
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
      if (!keep(records[i])) continue;
      kept.push(records[i]);
      indexes.push(i);
    }
    post({ id, kind: 'records', count: records.length, records: kept, indexes, parsed: true });
  }
}

// `__name`: the helper some TypeScript runners (tsx, vitest) insert to keep function names.
export const workerSource = (maxInflated: number, wholeDocumentBytes: number) =>
  `var __name = (target) => target;\n${[logFileRecords, candidateOffsets, recordsAt].map(String).join('\n')}\n(${workerMain.toString()})(${maxInflated}, ${wholeDocumentBytes});`;

