import { readFile } from 'node:fs/promises';

/** Where a command writes: injected so tests can run commands in-process. */
export interface CliIo {
  stdout: (line: string) => void;
  stderr: (line: string) => void;
  readInput: (path: string) => Promise<Uint8Array>;
}

async function readStdin(): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export const processIo: CliIo = {
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
  readInput: (path) => (path === '-' ? readStdin() : readFile(path)),
};
