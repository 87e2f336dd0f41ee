import { constants, createReadStream, readSync } from 'node:fs';
import { access, lstat, open, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { InputFile } from '../shared/cloudtrail/read-files.js';
import { InputParseError, UsageError } from '../shared/errors.js';

/** Where a command writes: injected so tests can run commands in-process. */
export interface CliIo {
  stdout: (line: string) => void;
  stderr: (line: string) => void;
  /** An input named on the command line (`-`: stdin), read or streamed when the reader asks. */
  input: (path: string) => Promise<InputFile>;
}

/** How long a FIFO is given to get a writer before it is reported as unreadable. */
const FIFO_WRITER_WAIT_MS = 5_000;

/**
 * A FIFO is opened without waiting for a writer (a blocking open would hang the command) and
 * read without blocking: no writer within FIFO_WRITER_WAIT_MS is an input that could not be read.
 */
async function* fifo(path: string): AsyncGenerator<Uint8Array> {
  const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  const buffer = Buffer.alloc(256 * 1024);
  const started = Date.now();
  let writerSeen = false;
  try {
    for (;;) {
      let read: number;
      try {
        read = readSync(handle.fd, buffer, 0, buffer.length, null);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
        writerSeen = true; // a writer holds it open, with nothing written yet
        await sleep(5);
        continue;
      }
      if (read > 0) {
        writerSeen = true;
        yield Buffer.from(buffer.subarray(0, read));
        continue;
      }
      if (writerSeen) return; // the writer closed it: the end of the input
      if (Date.now() - started > FIFO_WRITER_WAIT_MS) throw new InputParseError(`a FIFO with no writer for ${FIFO_WRITER_WAIT_MS / 1000} s: nothing was read`);
      await sleep(50);
    }
  } finally {
    await handle.close();
  }
}

async function inputFile(path: string): Promise<InputFile> {
  if (path === '-') return { name: '(stdin)', size: Number.POSITIVE_INFINITY, read: () => Promise.reject(new Error('stdin is streamed')), open: () => process.stdin };
  const info = await stat(path).catch((error: unknown) => error as NodeJS.ErrnoException);
  if (info instanceof Error) return { name: path, read: () => Promise.reject(info) };
  if (info.isDirectory()) {
    const error = Object.assign(new Error(`a directory: give its files, or audit it with 'audit --source ${path}'`), { code: undefined });
    return { name: path, read: () => Promise.reject(error) };
  }
  if (info.isFIFO()) return { name: path, size: Number.POSITIVE_INFINITY, read: () => Promise.reject(new Error('a FIFO is streamed')), open: () => fifo(path) };
  // Character devices (/dev/stdin, /dev/zero) have no size: stream them.
  const size = info.isFile() ? info.size : Number.POSITIVE_INFINITY;
  // A regular file is read by the parse pool's worker, by its path.
  return { name: path, ...(info.isFile() ? { path } : {}), size, read: () => readFile(path), open: () => createReadStream(path) };
}

/**
 * Lines written in one turn of the event loop leave in one write (`evaluate` of an archive prints
 * thousands of lines: one system call each cost a tenth of a second of the main thread).
 */
let stdoutCorked = false;
function writeStdout(line: string): void {
  if (!stdoutCorked) {
    stdoutCorked = true;
    process.stdout.cork();
    process.nextTick(() => {
      stdoutCorked = false;
      process.stdout.uncork();
    });
  }
  process.stdout.write(`${line}\n`);
  // A turn that prints a great deal (a verbose evaluate of a large file) is not held whole in memory.
  if (process.stdout.writableLength > 1024 * 1024) {
    process.stdout.uncork();
    process.stdout.cork();
  }
}

/** What this turn corked leaves now: before a stderr line (so the two streams keep their order) and at exit. */
function flushStdout(): void {
  while (process.stdout.writableCorked > 0) process.stdout.uncork();
}
// An uncaught error or a process.exit() in the turn that printed would otherwise drop its lines.
process.on('exit', flushStdout);

export const processIo: CliIo = {
  stdout: writeStdout,
  stderr: (line) => {
    flushStdout();
    process.stderr.write(`${line}\n`);
  },
  input: inputFile,
};

/** The inputs named on the command line, opened one after the other as the reader asks for them. */
export async function* inputFiles(io: CliIo, inputs: readonly string[]): AsyncGenerator<InputFile> {
  for (const input of inputs) yield await io.input(input);
}

/**
 * Checks `--out PATH` before any work is done (a sweep's alerts, an hour of audit): the file may
 * be created or replaced, and the command would not end in "cannot write" after the work. A
 * directory, a symbolic link (writing would follow it onto its target), anything but a regular
 * file, or a folder that does not exist is a usage error (exit 2) naming the option.
 */
export async function checkOutDestination(path: string): Promise<void> {
  const refuse = (why: string) => new UsageError(`--out ${JSON.stringify(path)}: ${why}`);
  if (path === '') throw refuse('expected a file name');
  const info = await lstat(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw refuse(`cannot be used (${error.code ?? error.message})`);
  });
  if (info === null) {
    const folder = dirname(resolve(path));
    const parent = await stat(folder).catch(() => null);
    if (parent === null) throw refuse(`the folder ${folder} does not exist`);
    if (!parent.isDirectory()) throw refuse(`${folder} is not a folder`);
    await access(folder, constants.W_OK).catch(() => {
      throw refuse(`the folder ${folder} is not writable`);
    });
    return;
  }
  if (info.isSymbolicLink()) throw refuse('a symbolic link; give the file itself (writing would follow the link onto its target)');
  if (info.isDirectory()) throw refuse('a directory; give a file name');
  if (!info.isFile()) throw refuse('not a regular file');
  await access(path, constants.W_OK).catch(() => {
    throw refuse('not writable');
  });
}

/** Writes a `--out` file, never through a symbolic link (one made after the check included). */
export async function writeOutFile(path: string, data: string | Uint8Array): Promise<void> {
  await writeFile(path, data, { flag: constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW });
}
