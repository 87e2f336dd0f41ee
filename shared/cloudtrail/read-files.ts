import { classifyRecord } from './extract.js';
import { MAX_POOLED_FILE_BYTES, takeParsePool, type ParsedFile, type ParsePool } from './parse-pool.js';
import { chunksOf, readRecords, type ReaderOptions, type RecordItem } from './record-reader.js';
import { errorText } from '../model/error-text.js';

/** One file of an input list or an archive, read when asked (only a few files' bytes are held at a time). */
export interface InputFile {
  name: string;
  read(): Promise<Uint8Array>;
  /**
   * A local file's path: the pool's worker reads it (the main thread neither reads nor copies its
   * bytes); `read` is then used only when the file is not pooled.
   */
  path?: string;
  /** Its size in bytes when known before reading (Infinity for a stream): a large one is streamed, never read whole. */
  size?: number;
  /** The file as a stream, for one too large to read whole; without it, the bytes are read again. */
  open?(): AsyncIterable<Uint8Array>;
}

export interface FileReadOptions extends ReaderOptions {
  /**
   * Event names worth parsing a log file for: the fast path only counts a file that provably holds
   * none (evaluate, audit). None: every file is parsed, none only counted, so a record that nearly
   * is a call (an event-name typo) is handed over and can be named (enforce).
   */
  words: readonly string[];
  /** Files read and parsed ahead of the one being consumed (default 8: a slow parse does not idle the other workers). */
  depth?: number;
  /** Give a pool to share; by default one is made when the first file is pooled, and closed. */
  pool?: ParsePool;
}

/**
 * Every record of every file, in file order, through the parse pool: files are read `depth`
 * ahead and inflated and parsed on every core; each file's items come out as the streaming reader
 * gives them (the same locations and problems), so the pool is only a faster way to the same
 * records. The files' own read errors (a missing file, S3 denied) are problems of that file.
 */
export async function* readFiles(files: AsyncIterable<InputFile>, options: FileReadOptions): AsyncGenerator<{ file: InputFile; items: AsyncIterable<RecordItem> }> {
  // Made when the first file is pooled: stdin alone (streamed) starts no worker.
  let own: ParsePool | null = null;
  const pool = () => options.pool ?? (own ??= takeParsePool());
  try {
    for await (const { file, parsed } of parseAhead(files, pool, options)) {
      yield { file, items: itemsOf(file, parsed, options) };
    }
  } finally {
    if (own) await (own as ParsePool).close();
  }
}

async function* itemsOf(file: InputFile, parsed: Promise<ParsedFile>, options: ReaderOptions): AsyncGenerator<RecordItem> {
  let result: ParsedFile;
  try {
    result = await parsed;
  } catch (error) {
    yield { kind: 'problem', message: errorText(error, { read: true }) };
    return;
  }
  switch (result.kind) {
    case 'failed':
      yield { kind: 'problem', message: result.problem };
      return;
    case 'text':
      yield* readRecords(chunksOf(result.text), options);
      return;
    case 'stream':
      try {
        yield* readRecords(file.open ? file.open() : chunksOf(await file.read()), options);
      } catch (error) {
        yield { kind: 'problem', message: errorText(error, { read: true }) };
      }
      return;
    case 'records': {
      if (result.count > result.records.length) yield { kind: 'counted', count: result.count - result.records.length, unparsed: !result.parsed };
      for (let i = 0; i < result.records.length; i++) {
        const where = `Records[${result.indexes[i]}]`;
        const item = classifyRecord(result.records[i], where);
        if (item.kind === 'invalid') yield item.record ? { kind: 'problem', message: item.error.message, record: item.record } : { kind: 'problem', message: item.error.message };
        else yield { ...item, where };
      }
    }
  }
}

const BIG = Symbol('big');

/** Compressed bytes read ahead at most (with `depth` files): eight files of 30 MB must not be held at once. */
const MAX_AHEAD_BYTES = 48 * 1024 * 1024;

async function* parseAhead(files: AsyncIterable<InputFile>, pool: () => ParsePool, options: FileReadOptions): AsyncGenerator<{ file: InputFile; parsed: Promise<ParsedFile> }> {
  const depth = options.depth ?? 8;
  const queue: Array<{ file: InputFile; parsed: Promise<ParsedFile> }> = [];
  // Sizes known before reading (files, S3 objects), of the files being read ahead and not streamed
  // (a file the worker reads by its path is held by no one until the worker takes it).
  const ahead = (file: InputFile) => (file.path === undefined && file.size !== undefined && file.size <= MAX_POOLED_FILE_BYTES ? file.size : 0);
  let aheadBytes = 0;
  const next = () => {
    const entry = queue.shift()!;
    aheadBytes -= ahead(entry.file);
    return entry;
  };
  for await (const file of files) {
    while (queue.length > 0 && aheadBytes + ahead(file) > MAX_AHEAD_BYTES) yield next();
    aheadBytes += ahead(file);
    const tooLarge = file.size !== undefined && file.size > MAX_POOLED_FILE_BYTES;
    const parsed = (
      tooLarge
        ? Promise.reject(BIG)
        : file.path !== undefined
          ? pool().parse({ path: file.path, words: options.words })
          : file.read().then((bytes) => (bytes.length > MAX_POOLED_FILE_BYTES ? Promise.reject(BIG) : pool().parse({ bytes, words: options.words })))
    ).catch((error: unknown): ParsedFile | Promise<never> => (error === BIG ? { kind: 'stream' } : Promise.reject(error)));
    parsed.catch(() => undefined); // awaited in turn; no unhandled rejection meanwhile
    queue.push({ file, parsed });
    if (queue.length >= depth) yield next();
  }
  while (queue.length > 0) yield next();
}
