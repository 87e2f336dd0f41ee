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
function workerMain(maxInflated: number, wholeDocumentBytes: number, maxFileBytes: number) {
  // process.getBuiltinModule, not require: a bundler rewrites require() calls, and this text runs as is.
  const { parentPort } = process.getBuiltinModule('node:worker_threads');
  const zlib = process.getBuiltinModule('node:zlib');
  const fs = process.getBuiltinModule('node:fs');
  const { isUtf8 } = process.getBuiltinModule('node:buffer');
  // A file's inflated text and its bytes read from disk go into two buffers kept from one file to
  // the next (grown when a file needs more): no allocation per file, so no memory outside V8's heap
  // piling up between collections, and no fresh pages for the kernel to zero (a third of the inflate's
  // time). A file whose output does not fit (a gzip trailer that lies) is inflated by gunzipSync into
  // new memory, counted, and a full collection runs after every INFLATED_PER_GC bytes of those.
  let gc: (() => void) | null = null;
  const collect = () => {
    if (gc === null) {
      process.getBuiltinModule('node:v8').setFlagsFromString('--expose-gc');
      gc = process.getBuiltinModule('node:vm').runInNewContext('gc') as () => void;
    }
    gc();
  };
  const INFLATED_PER_GC = 16 * 1024 * 1024;
  let allocatedSinceGc = 0;
  let output = Buffer.allocUnsafeSlow(4 * 1024 * 1024);
  let input = Buffer.allocUnsafeSlow(512 * 1024);
  const KEPT_MAX = 16 * 1024 * 1024;
  const post = (message: object, transfer: ArrayBuffer[] = []) => parentPort!.postMessage(message, transfer);
  parentPort!.on('message', ({ id, bytes, path, words }: { id: number; bytes?: Uint8Array; path?: string; words: string[] }) => {
    try {
      let raw: Buffer;
      if (path !== undefined) {
        const read = readFile(path);
        if (read === 'stream') {
          post({ id, kind: 'stream' });
          return;
        }
        if (!Buffer.isBuffer(read)) {
          post({ id, kind: 'unreadable', code: read.code, message: read.message });
          return;
        }
        raw = read;
      } else raw = Buffer.from(bytes!.buffer, bytes!.byteOffset, bytes!.byteLength);
      handle(id, raw, words);
    } catch (error) {
      post({ id, kind: 'failed', problem: error instanceof Error ? error.message : String(error) });
    } finally {
      // A kept buffer grown past KEPT_MAX by a rare large file is let go, so that the worker does not
      // hold it (up to twice 32 MiB) for the rest of the run: the files after it start small again.
      if (output.length > KEPT_MAX) {
        const dropped = output.length;
        output = Buffer.allocUnsafeSlow(4 * 1024 * 1024);
        allocated(dropped);
      }
      if (input.length > KEPT_MAX) {
        const dropped = input.length;
        input = Buffer.allocUnsafeSlow(512 * 1024);
        allocated(dropped);
      }
    }
  });
  /** A file's bytes, read here into the kept buffer (the main thread only names the file); "stream" when too large to hold. */
  function readFile(path: string): Buffer | 'stream' | { code?: string; message: string } {
    let fd: number;
    try {
      fd = fs.openSync(path, 'r');
    } catch (error) {
      return { code: (error as NodeJS.ErrnoException).code, message: (error as Error).message };
    }
    try {
      const size = fs.fstatSync(fd).size;
      if (size > maxFileBytes) return 'stream';
      // One byte more than its size: a file that grew since is seen to be longer, and read to its end.
      if (input.length < size + 1) input = Buffer.allocUnsafeSlow(Math.max(size + 1, input.length * 2));
      let length = 0;
      for (;;) {
        if (length === input.length) {
          if (length > maxFileBytes) return 'stream';
          const larger = Buffer.allocUnsafeSlow(input.length * 2);
          input.copy(larger, 0, 0, length);
          input = larger;
        }
        const n = fs.readSync(fd, input, length, input.length - length, null);
        if (n === 0) break;
        length += n;
      }
      return length > maxFileBytes ? 'stream' : input.subarray(0, length);
    } catch (error) {
      return { code: (error as NodeJS.ErrnoException).code, message: (error as Error).message };
    } finally {
      fs.closeSync(fd);
    }
  }
  /**
   * gunzip's output into the kept buffer, sized by the gzip trailer (the last member's size, modulo
   * 4 GiB) when it states more than the buffer holds. Through a Gunzip's own synchronous step, given
   * the kept buffer as its output; gunzipSync (new memory) when that step is not there.
   */
  const inflate = (raw: Buffer): Buffer => {
    const stated = raw.length >= 18 ? raw.readUInt32LE(raw.length - 4) : 0;
    if (output.length < stated + 1 && stated < maxInflated) output = Buffer.allocUnsafeSlow(Math.min(Math.max(stated + 1, output.length * 2), maxInflated + 1));
    /** gunzipSync, into new memory sized by the trailer. */
    const publicInflate = () => counted(zlib.gunzipSync(raw, { maxOutputLength: maxInflated, chunkSize: Math.min(Math.max(64 * 1024, stated + 1), maxInflated + 1) }));
    const gunzip = new zlib.Gunzip({ chunkSize: 64 * 1024, maxOutputLength: maxInflated }) as InstanceType<typeof zlib.Gunzip> & {
      _outBuffer?: Buffer;
      _chunkSize?: number;
      _outOffset?: number;
      _processChunk?: (chunk: Buffer, flush: number) => Buffer;
    };
    if (typeof gunzip._processChunk !== 'function' || !Buffer.isBuffer(gunzip._outBuffer) || gunzip._chunkSize !== 64 * 1024 || gunzip._outOffset !== 0) {
      gunzip.close();
      return publicInflate();
    }
    gunzip._outBuffer = output;
    gunzip._chunkSize = output.length;
    const text: unknown = gunzip._processChunk(raw, zlib.constants.Z_FINISH);
    // Not Node's own step after all (its result is no Buffer): the public path, as when the step is missing.
    if (!Buffer.isBuffer(text)) {
      gunzip.close();
      return publicInflate();
    }
    // Inside the kept buffer when it fitted; otherwise pieces joined into new memory.
    return text.buffer === output.buffer ? text : counted(text);
  };
  /** Memory outside the kept buffers, freed only by a collection: one runs after every INFLATED_PER_GC bytes of it. */
  const allocated = (bytes: number) => {
    allocatedSinceGc += bytes;
    if (allocatedSinceGc > INFLATED_PER_GC) {
      allocatedSinceGc = 0;
      collect();
    }
  };
  const counted = (text: Buffer) => {
    allocated(text.length);
    return text;
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
  function handle(id: number, bytes: Buffer, words: string[]) {
    let raw = bytes;
    if (raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b) {
      try {
        raw = inflate(raw);
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
export const workerSource = (maxInflated: number, wholeDocumentBytes: number, maxFileBytes: number) =>
  `var __name = (target) => target;\n${[logFileRecords, candidateOffsets, recordsAt].map(String).join('\n')}\n(${workerMain.toString()})(${maxInflated}, ${wholeDocumentBytes}, ${maxFileBytes});`;

