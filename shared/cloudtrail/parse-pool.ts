import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { workerSource } from './fast-path.js';
import { READ_BOUNDS } from './read-bounds.js';

/**
 * Inflating and parsing files on every core. Each worker inflates a file (up to a bound) and:
 * - a log file in CloudTrail's framing comes back as its record count and the SageMaker records among
 *   those that may hold one of the wanted calls, each parsed alone (the record-level fast path,
 *   `candidateOffsets` and `recordsAt`); the other records are counted, never parsed;
 * - any other log file (another framing, or a candidate record that does not parse alone) is
 *   parsed whole when under 16 MiB, and only its SageMaker records (and any record that is not an
 *   object, so that it is still reported) come back, with their index;
 * - anything else (NDJSON, concatenated documents, an event, a broken file) comes back as its
 *   inflated text, for the streaming reader to read and name any problem; a file that inflates
 *   past the bound comes back as "stream it".
 */
export type ParsedFile =
  /** `parsed: false`: the fast path parsed only the records that may hold one of the words; the others were counted. */
  | { kind: 'records'; count: number; records: unknown[]; indexes: number[]; parsed: boolean }
  | { kind: 'text'; text: Uint8Array }
  | { kind: 'stream' }
  | { kind: 'failed'; problem: string };

export interface ParseRequest {
  /** The file's bytes; or its `path`, for the worker to read itself (the main thread then holds and copies nothing). */
  bytes?: Uint8Array;
  /** A local file, read by the worker (one larger than MAX_POOLED_FILE_BYTES comes back as "stream it"); a file it cannot read rejects with the error's code (`ENOENT`). */
  path?: string;
  /** Event names that make a log file worth parsing (`CreateModel`, and for the audit `DeleteModel`, `AddTags`). */
  words: readonly string[];
}

export interface ParsePool {
  parse(request: ParseRequest): Promise<ParsedFile>;
  close(): Promise<void>;
}

/** A file whose size is over this is streamed on the main thread, not pooled. */
export const MAX_POOLED_FILE_BYTES = 32 * 1024 * 1024;

/** Files inflating past this are streamed on the main thread instead: memory stays flat (two workers hold two such files at most). */
const MAX_POOLED_INFLATED_BYTES = 32 * 1024 * 1024;

/** Files handed to a worker before it has answered: two, so a worker never waits for the main thread. */
const IN_FLIGHT_PER_WORKER = 2;

/**
 * Files are queued on the main thread and handed to whichever worker has room, not in turn: the
 * files of a trail differ in cost (a parsed file costs several skipped ones), and a worker must not
 * sit behind another's queue of parses.
 */
export function createParsePool(size = Math.max(1, availableParallelism()), maxInflated = MAX_POOLED_INFLATED_BYTES): ParsePool {
  const pending = new Map<number, { resolve: (result: ParsedFile) => void; reject: (error: Error) => void; slot: number }>();
  const queue: Array<{ id: number; request: ParseRequest; resolve: (result: ParsedFile) => void; reject: (error: Error) => void }> = [];
  const inFlight: number[] = Array.from({ length: size }, () => 0);
  let nextId = 0;
  let closed = false;
  const source = workerSource(maxInflated, READ_BOUNDS.wholeDocumentBytes, MAX_POOLED_FILE_BYTES);

  const pump = () => {
    while (queue.length > 0) {
      let slot = -1;
      for (let s = 0; s < size; s++) if (inFlight[s]! < IN_FLIGHT_PER_WORKER && (slot < 0 || inFlight[s]! < inFlight[slot]!)) slot = s;
      if (slot < 0) return;
      const { id, request, resolve, reject } = queue.shift()!;
      pending.set(id, { resolve, reject, slot });
      if (inFlight[slot]!++ === 0) workers[slot]!.ref();
      const { bytes, path, words } = request;
      if (path !== undefined) workers[slot]!.postMessage({ id, path, words });
      else {
        // Hand the bytes over without a copy when they own their memory.
        const owned = bytes!.byteOffset === 0 && bytes!.byteLength === bytes!.buffer.byteLength && bytes!.buffer instanceof ArrayBuffer;
        workers[slot]!.postMessage({ id, bytes, words }, owned ? [bytes!.buffer as ArrayBuffer] : []);
      }
    }
  };
  const settle = (id: number, result: ParsedFile | { kind: 'unreadable'; code?: string; message: string }) => {
    const entry = pending.get(id);
    if (!entry) return;
    pending.delete(id);
    // An idle worker does not keep the process alive (a pool started ahead and never used, a caller that forgets close()).
    if (--inFlight[entry.slot]! === 0) workers[entry.slot]!.unref();
    if (result.kind === 'unreadable') entry.reject(Object.assign(new Error(result.message), { code: result.code }));
    else entry.resolve(result);
  };
  const start = (slot: number): Worker => {
    const worker = new Worker(source, { eval: true });
    worker.on('message', (message: { id: number } & ParsedFile) => {
      const { id, ...result } = message;
      settle(id, result as ParsedFile);
      pump();
    });
    // A worker that dies (out of memory on a huge file) never hangs its files: the main thread streams them.
    worker.on('error', () => {
      const orphans = [...pending].filter(([, entry]) => entry.slot === slot);
      if (!closed) workers[slot] = start(slot);
      for (const [id] of orphans) settle(id, { kind: 'stream' });
      if (!closed) pump();
    });
    // After the listeners: adding a 'message' listener refs the worker's port again.
    worker.unref();
    return worker;
  };
  const workers: Worker[] = [];
  for (let slot = 0; slot < size; slot++) workers.push(start(slot));
  return {
    parse(request) {
      return new Promise((resolve, reject) => {
        queue.push({ id: nextId++, request, resolve, reject });
        pump();
      });
    },
    async close() {
      closed = true;
      await Promise.all(workers.map((worker) => worker.terminate()));
    },
  };
}

let prestarted: ParsePool | null = null;

/**
 * Starts the pool's workers now, for the next `takeParsePool`: the CLI calls it first thing for the
 * commands that read files, so that the workers boot while the main thread loads its modules. Idle
 * workers hold no reference on the event loop: a pool started and never taken costs its start only.
 */
export function prestartParsePool(): void {
  prestarted ??= createParsePool();
}

/** The pool started ahead (once), or a new one; the caller closes it. */
export function takeParsePool(): ParsePool {
  const pool = prestarted ?? createParsePool();
  prestarted = null;
  return pool;
}
