import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = join(REPO_ROOT, 'bin', 'isolation-guard.mjs');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real, built command (`npm run build` first; `npm test` does it) as a user would. */
/** This process's environment plus `env`; a variable given as undefined is removed. */
const childEnv = (env: NodeJS.ProcessEnv = {}) => Object.fromEntries(Object.entries({ ...process.env, ...env }).filter(([, value]) => value !== undefined)) as NodeJS.ProcessEnv;

export function runCli(args: string[], options: { stdin?: Buffer | string; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: REPO_ROOT,
      // A variable given as undefined is removed (the test's own environment sets a few).
      env: childEnv(options.env),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }),
    );
    child.stdin.end(options.stdin ?? '');
  });
}

/**
 * Runs a command in this process, through the function the built command runs (`run` of
 * cli/main.ts), with its output captured and its environment given as the child's would be (this
 * process's, plus `env`; a variable given as undefined is removed). For tests of what a command
 * decides and prints from files and flags, not of the process around it: stdin, a closed pipe, an
 * unexpected error's exit 70 and the bundle itself are tested through runCli. A call costs a
 * function call instead of a Node start (about 0.2 s of CPU each).
 */
export async function runCliInProcess(args: string[], options: { env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  const [{ run }, { processIo }] = await Promise.all([import('../../cli/main.js'), import('../../cli/io.js')]);
  let stdout = '';
  let stderr = '';
  const io = { stdout: (line: string) => void (stdout += `${line}\n`), stderr: (line: string) => void (stderr += `${line}\n`), input: processIo.input };
  const env = childEnv(options.env);
  const code = await run(args, io, env);
  return { code, stdout, stderr };
}

export const jsonLines = (stdout: string): Array<Record<string, unknown>> =>
  stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
