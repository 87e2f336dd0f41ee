import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { workerSource } from './fast-path.js';

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
  /** `parsed: false`: the fast path proved the file holds none of the words, and did not parse it. */
  | { kind: 'records'; count: number; records: unknown[]; indexes: number[]; parsed: boolean }
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
    // A worker that dies (out of memory on a huge file) never hangs its files: the main thread streams them.
    worker.on('error', () => {
      for (const [id, resolve] of pending) {
        if (id % size !== slot) continue;
        pending.delete(id);
        resolve({ kind: 'stream' });
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
