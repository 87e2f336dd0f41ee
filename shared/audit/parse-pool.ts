import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

/**
 * Parsing a CloudTrail file (JSON.parse of ~1 MB per 2,000 records) costs three times its
 * inflation, so the audit parses on every core: each worker inflates and parses a whole file and
 * hands back only the records the audit reads (SageMaker's, and anything that is not an object, so
 * that it is still reported), with the file's record count. Selection is by parsed field, never by
 * searching the text. Files of another shape (a single record, NDJSON) come back whole and are
 * read on the main thread like any input.
 */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { gunzipSync } = require('node:zlib');
const MAX = ${1024 * 1024 * 1024};
parentPort.on('message', ({ id, bytes }) => {
  try {
    let raw = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b) {
      try { raw = gunzipSync(raw, { maxOutputLength: MAX }); }
      catch (e) { parentPort.postMessage({ id, whole: bytes }); return; }
    }
    let value;
    try { value = JSON.parse(raw.toString('utf8')); }
    catch (e) { parentPort.postMessage({ id, whole: bytes }); return; }
    if (value && typeof value === 'object' && !Array.isArray(value) && Array.isArray(value.Records)) {
      const kept = value.Records.filter((r) => !r || typeof r !== 'object' || Array.isArray(r) || r.eventSource === 'sagemaker.amazonaws.com');
      parentPort.postMessage({ id, records: kept, count: value.Records.length });
    } else {
      parentPort.postMessage({ id, whole: bytes });
    }
  } catch (e) {
    parentPort.postMessage({ id, whole: bytes });
  }
});`;

export type ParsedFile =
  /** A log file: its SageMaker records (and non-objects) and how many records it held. */
  | { records: unknown[]; count: number }
  /** Anything else: the bytes as read, for the main thread's decoder (which names any problem). */
  | { whole: Uint8Array };

export interface ParsePool {
  parse(bytes: Uint8Array): Promise<ParsedFile>;
  close(): Promise<void>;
}

export function createParsePool(size = Math.max(1, availableParallelism())): ParsePool {
  const pending = new Map<number, (result: ParsedFile) => void>();
  let nextId = 0;
  const workers = Array.from({ length: size }, () => {
    const worker = new Worker(WORKER_SOURCE, { eval: true });
    worker.on('message', (message: { id: number } & ParsedFile) => {
      const resolve = pending.get(message.id);
      pending.delete(message.id);
      const { id: _id, ...result } = message;
      resolve?.(result as ParsedFile);
    });
    return worker;
  });
  return {
    parse(bytes) {
      const id = nextId++;
      return new Promise((resolve) => {
        pending.set(id, resolve);
        workers[id % workers.length]!.postMessage({ id, bytes });
      });
    },
    async close() {
      await Promise.all(workers.map((worker) => worker.terminate()));
    },
  };
}
