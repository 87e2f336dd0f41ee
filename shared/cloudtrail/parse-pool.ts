import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { countLogFileRecords, mayHoldString } from './fast-path.js';

/**
 * Inflating and parsing files on every core. Each worker inflates a file (up to a bound) and:
 * - a log file in CloudTrail's framing that provably holds none of the wanted calls (the fast
 *   path, `mayHoldString`) comes back as a record count only;
 * - any other log file is parsed, and only its SageMaker records (and any record that is not an
 *   object, so that it is still reported) come back, with their index;
 * - anything else (NDJSON, concatenated documents, an event, a broken file) comes back as its
 *   inflated text, for the streaming reader to read and name any problem; a file that inflates
 *   past the bound comes back as "stream it".
 */
export type ParsedFile =
  | { kind: 'records'; count: number; records: unknown[]; indexes: number[] }
  | { kind: 'text'; text: Uint8Array }
  | { kind: 'stream' }
  | { kind: 'failed'; problem: string };

export interface ParseRequest {
  bytes: Uint8Array;
  /** Event names that make a log file worth parsing (`CreateModel`, and for the audit `DeleteModel`, `AddTags`). */
  words: readonly string[];
}

export interface ParsePool {
  parse(request: ParseRequest): Promise<ParsedFile>;
  close(): Promise<void>;
}

/** Files inflating past this are streamed on the main thread instead: memory stays flat. */
export const MAX_POOLED_INFLATED_BYTES = 64 * 1024 * 1024;

/** The worker's body; it runs from its source text (the type checker still reads it here). */
function workerMain(maxInflated: number) {
  // process.getBuiltinModule, not require: a bundler rewrites require() calls, and this text runs as is.
  const { parentPort } = process.getBuiltinModule('node:worker_threads');
  const { gunzipSync } = process.getBuiltinModule('node:zlib');
  const { isUtf8 } = process.getBuiltinModule('node:buffer');
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
    const count = countLogFileRecords(raw, isUtf8);
    if (count !== null && !mayHoldString(raw, words)) {
      post({ id, kind: 'records', count, records: [], indexes: [] });
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(raw.toString('utf8'));
    } catch {
      asText();
      return;
    }
    const records = (value as { Records?: unknown } | null)?.Records;
    if (typeof value !== 'object' || value === null || Array.isArray(value) || !Array.isArray(records) || Object.keys(value).length !== 1 || raw.indexOf(0) >= 0 || !isUtf8(raw)) {
      asText();
      return;
    }
    const kept: unknown[] = [];
    const indexes: number[] = [];
    for (let i = 0; i < records.length; i++) {
      const r = records[i] as { eventSource?: unknown } | null;
      if (!r || typeof r !== 'object' || Array.isArray(r) || r.eventSource === 'sagemaker.amazonaws.com') {
        kept.push(r);
        indexes.push(i);
      }
    }
    post({ id, kind: 'records', count: records.length, records: kept, indexes });
  }
}

const workerSource = (maxInflated: number) =>
  `${mayHoldString.toString()}\n${countLogFileRecords.toString()}\n(${workerMain.toString()})(${maxInflated});`;

export function createParsePool(size = Math.max(1, availableParallelism()), maxInflated = MAX_POOLED_INFLATED_BYTES): ParsePool {
  const pending = new Map<number, (result: ParsedFile) => void>();
  let nextId = 0;
  const source = workerSource(maxInflated);
  const start = (slot: number): Worker => {
    const worker = new Worker(source, { eval: true });
    worker.on('message', (message: { id: number } & ParsedFile) => {
      const resolve = pending.get(message.id);
      pending.delete(message.id);
      const { id: _id, ...result } = message;
      resolve?.(result as ParsedFile);
    });
    // A worker that dies (out of memory on a hostile file) fails its files, never hangs them.
    worker.on('error', (error) => {
      for (const [id, resolve] of pending) {
        if (id % size !== slot) continue;
        pending.delete(id);
        resolve({ kind: 'failed', problem: `could not be parsed (${error.message})` });
      }
      if (!closed) workers[slot] = start(slot);
    });
    return worker;
  };
  let closed = false;
  const workers: Worker[] = [];
  for (let slot = 0; slot < size; slot++) workers.push(start(slot));
  return {
    parse({ bytes, words }) {
      const id = nextId++;
      return new Promise((resolve) => {
        pending.set(id, resolve);
        // Hand the bytes over without a copy when they own their memory.
        const owned = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer;
        workers[id % workers.length]!.postMessage({ id, bytes, words }, owned ? [bytes.buffer as ArrayBuffer] : []);
      });
    },
    async close() {
      closed = true;
      await Promise.all(workers.map((worker) => worker.terminate()));
    },
  };
}
