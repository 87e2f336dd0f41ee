import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setProcessEnvironment } from './process-environment.js';

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
 *
 * The AWS SDK reads its settings (AWS_ENDPOINT_URL, credentials, AWS_REGION, AWS_MAX_ATTEMPTS) from
 * `process.env`, not from the environment handed to `run`: for the duration of the call the process's
 * variables are made that environment, and put back when the command ends, whether it succeeds or
 * throws. Calls that give variables are therefore run one at a time (one started while another
 * runs is refused).
 * An unexpected error rejects (the built command's exit 70 is tested through runCli); what the SDK
 * or Node would print on the process's stderr is not captured (a test that needs that stderr to be
 * empty runs the built command).
 */
export async function runCliInProcess(args: string[], options: { env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  const [{ run }, { processIo }] = await Promise.all([import('../../cli/main.js'), import('../../cli/io.js')]);
  let stdout = '';
  let stderr = '';
  const io = { stdout: (line: string) => void (stdout += `${line}\n`), stderr: (line: string) => void (stderr += `${line}\n`), input: processIo.input };
  const env = childEnv(options.env);
  const setsVariables = options.env !== undefined && Object.keys(options.env).length > 0;
  if (outstanding.size > 0 && (setsVariables || [...outstanding].some((call) => call.setsVariables))) {
    throw new Error('runCliInProcess: a call with its own environment runs alone; await the other call first');
  }
  const call: OutstandingCall = { args, setsVariables, restore: setProcessEnvironment(options.env ?? {}) };
  outstanding.add(call);
  try {
    const code = await run(args, io, env);
    return { code, stdout, stderr };
  } finally {
    // A call abandoned after its test timed out was put back already (abandonInProcessCalls).
    if (outstanding.delete(call)) call.restore();
  }
}

interface OutstandingCall {
  args: string[];
  setsVariables: boolean;
  restore: () => void;
}

/** In-process calls under way. */
const outstanding = new Set<OutstandingCall>();

/**
 * Puts back the variables of in-process calls still under way and forgets them; returns their
 * command lines. A call is still under way after its file only when a test timed out while it ran:
 * the next file in the worker must not inherit its environment, nor be refused as overlapping it
 * (tests/support/in-process-guard.ts calls this after every file).
 */
export function abandonInProcessCalls(): string[] {
  const abandoned = [...outstanding].reverse();
  outstanding.clear();
  for (const call of abandoned) call.restore();
  return abandoned.map((call) => call.args.join(' '));
}


export const jsonLines = (stdout: string): Array<Record<string, unknown>> =>
  stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
