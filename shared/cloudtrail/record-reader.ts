import { errorMessage } from '../model/error-text.js';
import { isUtf8 } from 'node:buffer';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { InputParseError } from '../errors.js';
import { DEFAULT_MAX_DOCUMENT_BYTES, DocumentSplitter } from './document-splitter.js';
import { classifyRecord, extractRecords, type ExtractedItem } from './extract.js';
import { logFileRecords } from './fast-path.js';

/**
 * The one reader of CloudTrail input (evaluate, enforce from files, audit): bytes in, records
 * out, streaming, with memory bounded by one document. It reads gzip (by its magic number, any
 * number of members) or plain text holding a record, an EventBridge event, a log file
 * `{"Records":[...]}`, an array of them, NDJSON, or documents run together (`zcat *.json.gz`).
 *
 * Bad input never ends the input silently: a NUL byte, a byte sequence that is not UTF-8, invalid
 * gzip or a document too large to be CloudTrail's is a problem that names where it stood, and
 * ends the reading of that input (the caller exits 2). A document that is not JSON is a problem
 * too, and the documents after it are still read.
 */

export type RecordItem =
  /** A record classified by the core; `where` is its place in the input, e.g. `line 3 Records[2]`. */
  | (Exclude<ExtractedItem, { kind: 'invalid' }> & { where: string })
  /**
   * Something that could not be read, named (`line 3: not JSON (...)`). `record`: the CreateModel
   * record that failed validation, when that is the problem (enforcement alerts on it; a report counts it).
   */
  | { kind: 'problem'; message: string; record?: Record<string, unknown> }
  /** Records read and set aside without being handed over (the parse pool's fast path). */
  | { kind: 'counted'; count: number; unparsed: boolean };

export interface ReaderOptions {
  /** A bigger document is an input error: `/dev/zero`-like input must not grow memory without bound. */
  maxDocumentBytes?: number;
  /** After this many problems in one input, the rest is not read (binary junk is not reported line by line). */
  maxProblems?: number;
  /**
   * Bounds on the work one input may cost (issue 19, item 9): a few MB of gzip inflate to GBs of
   * `[]` lines, millions of gzip members or of records. Past a bound the input is a named problem
   * (the caller exits 2), never minutes of CPU. Defaults: READ_BOUNDS.
   */
  bounds?: Partial<ReadBounds>;
  /** Milliseconds, for the time bound (tests give their own). */
  clock?: () => number;
}

export { READ_BOUNDS, type ReadBounds } from './read-bounds.js';
import { READ_BOUNDS, type ReadBounds } from './read-bounds.js';

const GZIP_MAGIC = [0x1f, 0x8b] as const;
const RATIO_CHECKED_AFTER = 16 * 1024 * 1024;
const BOM = [0xef, 0xbb, 0xbf] as const;

/** Chunks of the input as text bytes: gzip inflated on the way, when the input starts with its magic number. */
async function* inflated(chunks: AsyncIterable<Uint8Array>, maxRatio: number): AsyncGenerator<Uint8Array> {
  const iterator = chunks[Symbol.asyncIterator]();
  let head: Uint8Array = new Uint8Array(0);
  let done = false;
  while (head.length < 2 && !done) {
    const next = await iterator.next();
    if (next.done) done = true;
    else head = head.length === 0 ? next.value : Buffer.concat([head, next.value]);
  }
  const rest: AsyncIterable<Uint8Array> = {
    [Symbol.asyncIterator]: () => ({
      next: () => (done ? Promise.resolve({ done: true as const, value: undefined }) : iterator.next()),
      return: async () => {
        await iterator.return?.();
        return { done: true as const, value: undefined };
      },
    }),
  };
  const isGzip = head.length >= 2 && head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1];
  if (!isGzip) {
    if (head.length > 0) yield head;
    yield* rest;
    return;
  }
  let compressed = 0;
  let text = 0;
  const source = Readable.from(
    (async function* () {
      compressed += head.length;
      yield head;
      for await (const chunk of rest) {
        compressed += chunk.length;
        yield chunk;
      }
    })(),
    { objectMode: false },
  );
  const gunzip = createGunzip();
  source.on('error', (error) => gunzip.destroy(error));
  source.pipe(gunzip);
  try {
    for await (const chunk of gunzip) {
      text += (chunk as Buffer).length;
      // CloudTrail's gzip inflates 10 to 20 times (UUIDs, times and addresses differ in every record);
      // a bomb (`[]` lines, one tiny record repeated) a thousand times: stopped before it costs minutes.
      if (text > RATIO_CHECKED_AFTER && text > maxRatio * compressed) {
        throw new InputParseError(`gzip data inflating more than ${maxRatio} times its size (${bytesInWords(text)} from ${bytesInWords(compressed)}): a decompression bomb, not CloudTrail; stopped reading`);
      }
      yield chunk as Buffer;
    }
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code?.startsWith('Z_') || /incorrect header|unexpected end|invalid/i.test(String(cause))) {
      throw new InputParseError(`invalid gzip data (${errorMessage(cause)})`, { cause });
    }
    throw cause;
  } finally {
    source.destroy();
  }
}

type JsonValueItem =
  | { kind: 'value'; value: unknown; line: number }
  /** A large log file in CloudTrail's framing: its records, each parsed when reached (or why it could not be). */
  | { kind: 'log-file'; line: number; count: number; records: Iterable<{ value: unknown } | { problem: string }> }
  | { kind: 'problem'; message: string; line: number; fatal: boolean };

const bytesInWords = (n: number) => (n >= 1024 ** 3 ? `${Math.round(n / 1024 ** 3)} GiB` : n >= 1024 ** 2 ? `${Math.round(n / 1024 ** 2)} MiB` : `${Math.round(n / 1024)} KiB`);

function* framedRecords(bytes: Buffer, framing: { starts: number[]; listEnd: number }): Generator<{ value: unknown } | { problem: string }> {
  const { starts, listEnd } = framing;
  for (let k = 0; k < starts.length; k++) {
    try {
      yield { value: JSON.parse(bytes.toString('utf8', starts[k]!, k + 1 < starts.length ? starts[k + 1]! - 1 : listEnd)) as unknown };
    } catch (cause) {
      yield { problem: `not JSON (${errorMessage(cause)})` };
    }
  }
}

/** Each JSON value of the input, parsed, with the line it starts on; or a problem. */
export async function* readJsonValues(
  chunks: AsyncIterable<Uint8Array>,
  options: ReaderOptions = {},
): AsyncGenerator<JsonValueItem> {
  const splitter = new DocumentSplitter(options.maxDocumentBytes ?? DEFAULT_MAX_DOCUMENT_BYTES);
  const bounds = { ...READ_BOUNDS, ...options.bounds };
  const clock = options.clock ?? (() => performance.now());
  const started = clock();
  let offset = 0;
  let first = true;
  const decodeAndParse = (bytes: Uint8Array, line: number): JsonValueItem => {
    const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (bytes.length > bounds.wholeDocumentBytes) {
      // One record at a time: a log file of a million records parsed whole takes GBs.
      const framing = logFileRecords(buffer, isUtf8);
      if (framing === null) {
        return {
          kind: 'problem',
          line,
          fatal: true,
          message: `a JSON document of more than ${bytesInWords(bounds.wholeDocumentBytes)} that is not a log file in CloudTrail's own framing (compact, records back to back); give such records as NDJSON; stopped reading`,
        };
      }
      return { kind: 'log-file', line, count: framing.starts.length, records: framedRecords(buffer, framing) };
    }
    if (!isUtf8(bytes)) return { kind: 'problem' as const, line, fatal: true, message: 'not UTF-8 text (an undecodable byte in this document); stopped reading' };
    const text = buffer.toString('utf8');
    try {
      return { kind: 'value' as const, value: JSON.parse(text) as unknown, line };
    } catch (cause) {
      return { kind: 'problem' as const, line, fatal: false, message: `not JSON (${errorMessage(cause)})` };
    }
  };
  try {
    for await (let chunk of inflated(chunks, bounds.inflateRatio)) {
      if (first && chunk.length > 0) {
        first = false;
        if (chunk[0] === BOM[0] && chunk[1] === BOM[1] && chunk[2] === BOM[2]) chunk = chunk.subarray(3);
      }
      const nul = chunk.indexOf(0);
      if (nul >= 0) {
        // Everything before the NUL is still read; the NUL itself ends the input as an error, never as its end.
        for (const event of splitter.push(chunk.subarray(0, nul))) {
          if (event.kind === 'document') yield decodeAndParse(event.bytes, event.line);
          else yield { kind: 'problem', message: event.message, line: event.line, fatal: event.fatal };
        }
        yield { kind: 'problem', line: splitter.currentLine, fatal: true, message: `a NUL byte at byte ${offset + nul}: not a text input; stopped reading` };
        return;
      }
      offset += chunk.length;
      if (clock() - started > bounds.readMs) {
        yield { kind: 'problem', line: splitter.currentLine, fatal: true, message: `reading this input took more than ${Math.round(bounds.readMs / 60_000)} min; stopped reading (split the input)` };
        return;
      }
      if (offset > bounds.inputBytes) {
        yield { kind: 'problem', line: splitter.currentLine, fatal: true, message: `more than ${bytesInWords(bounds.inputBytes)} of text in one input; stopped reading (split the input)` };
        return;
      }
      for (const event of splitter.push(chunk)) {
        if (event.kind === 'document') {
          const item = decodeAndParse(event.bytes, event.line);
          yield item;
          if (item.kind === 'problem' && item.fatal) return;
        } else {
          yield { kind: 'problem', message: event.message, line: event.line, fatal: event.fatal };
          if (event.fatal) return;
        }
      }
    }
  } catch (error) {
    if (error instanceof InputParseError) {
      yield { kind: 'problem', message: error.message, line: splitter.currentLine, fatal: true };
      return;
    }
    throw error;
  }
  for (const event of splitter.end()) {
    if (event.kind === 'document') yield decodeAndParse(event.bytes, event.line);
    else yield { kind: 'problem', message: event.message, line: event.line, fatal: event.fatal };
  }
}

/**
 * Every record of one input. Locations: a single document's records are named by their path
 * (`Records[2].eventTime`), several documents' by their line first (`line 3: ...`), as NDJSON
 * users count. A document of a single-document input is held until the next one shows (at most one).
 */
export async function* readRecords(chunks: AsyncIterable<Uint8Array>, options: ReaderOptions = {}): AsyncGenerator<RecordItem> {
  const maxProblems = options.maxProblems ?? 100;
  const bounds = { ...READ_BOUNDS, ...options.bounds };
  let problems = 0;
  let documents = 0;
  let records = 0;
  let empty = 0;
  /** Why the input stops being read: a bound passed. */
  let stop: string | null = null;
  type Document = Exclude<JsonValueItem, { kind: 'problem' }>;
  let held: Document | null = null;
  let heldProblem: { message: string; line: number } | null = null;

  /** A document's items, counted against the bounds. */
  const itemsOfDocument = function* (document: Document, prefix: string): Generator<RecordItem> {
    if (++documents > bounds.documents) {
      stop = `more than ${bounds.documents} JSON documents in one input; stopped reading (split the input)`;
      return;
    }
    let count = 0;
    for (const item of document.kind === 'value' ? recordItemsOf(document.value, prefix) : logFileItems(document.records, prefix)) {
      if (++records > bounds.records) {
        stop = `more than ${bounds.records} records in one input; stopped reading (split the input)`;
        return;
      }
      count++;
      yield item;
    }
    if (count === 0 && ++empty > bounds.emptyDocuments) stop = `more than ${bounds.emptyDocuments} documents holding no record (such as [] or {"Records":[]}); not a CloudTrail input, stopped reading`;
  };
  const release = function* (multi: boolean): Generator<RecordItem> {
    if (held) yield* itemsOfDocument(held, multi ? `line ${held.line}` : '');
    if (heldProblem) yield { kind: 'problem', message: multi ? `line ${heldProblem.line}: ${heldProblem.message}` : heldProblem.message };
    held = null;
    heldProblem = null;
  };

  let items = 0;
  for await (const item of readJsonValues(chunks, options)) {
    items++;
    if (items === 1) {
      if (item.kind !== 'problem') held = item;
      else {
        heldProblem = item;
        problems++;
      }
      if (item.kind === 'problem' && item.fatal) break;
      continue;
    }
    if (items === 2) yield* release(true);
    if (item.kind !== 'problem') yield* itemsOfDocument(item, `line ${item.line}`);
    else {
      yield { kind: 'problem', message: `line ${item.line}: ${item.message}` };
      if (item.fatal) return;
      if (++problems >= maxProblems) {
        yield { kind: 'problem', message: `${maxProblems} documents could not be read; not a CloudTrail input, stopped reading` };
        return;
      }
    }
    if (stop !== null) {
      yield { kind: 'problem', message: stop };
      return;
    }
  }
  yield* release(items > 1 || (heldProblem !== null && (heldProblem as { line: number }).line > 1));
  if (stop !== null) yield { kind: 'problem', message: stop };
}

/** The records of a log file read one at a time (`{ kind: 'log-file' }`), as `recordItemsOf` gives a parsed one's. */
function* logFileItems(records: Iterable<{ value: unknown } | { problem: string }>, prefix: string): Generator<RecordItem> {
  let i = 0;
  for (const record of records) {
    const where = `Records[${i++}]`;
    if ('problem' in record) yield { kind: 'problem', message: `${prefix ? `${prefix}: ` : ''}${where}: ${record.problem}` };
    else yield toRecordItem(classifyRecord(record.value, where), prefix);
  }
}

/**
 * The records of one decoded JSON value (a record, an EventBridge event, a log file, an array of
 * them) as reader items, named with `prefix` (`line 3`): what `readRecords` yields for each
 * document, and what a caller holding an already decoded value (a dead letter) uses.
 */
export function* recordItemsOf(value: unknown, prefix = ''): Generator<RecordItem> {
  for (const item of extractRecords(value)) yield toRecordItem(item, prefix);
}

function toRecordItem(item: ExtractedItem, prefix: string): RecordItem {
  if (item.kind === 'invalid') {
    const message = prefix ? `${prefix}: ${item.error.message}` : item.error.message;
    return item.record ? { kind: 'problem', message, record: item.record } : { kind: 'problem', message };
  }
  return { ...item, where: prefix ? `${prefix} ${item.location}`.trim() : item.location };
}

/** Bytes already in memory as a stream of one chunk. */
export async function* chunksOf(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  if (bytes.length > 0) yield bytes;
}
