import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';

/**
 * cfn-lint (AWS's CloudFormation linter: resource specs, property values, intrinsic functions,
 * conditions) over packaged templates. Found on PATH, then as pyenv's shim, then as
 * `python3 -m cfnlint`; `CFN_LINT` names it explicitly. Not found: the test fails saying so
 * (a check that quietly does not run is no check).
 */
export interface CfnLintMatch {
  Level: 'Error' | 'Warning' | 'Informational';
  Rule: { Id: string; Description?: string };
  Message: string;
  Filename: string;
  Location?: { Start?: { LineNumber?: number }; Path?: unknown[] };
}

const run = promisify(execFile);

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

let found: Promise<string[]> | null = null;

/** The command that runs cfn-lint on this machine. */
export function cfnLintCommand(): Promise<string[]> {
  return (found ??= (async () => {
    if (process.env.CFN_LINT) return [process.env.CFN_LINT];
    const candidates = [
      ...(process.env.PATH ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, 'cfn-lint')),
      join(process.env.PYENV_ROOT ?? join(homedir(), '.pyenv'), 'shims', 'cfn-lint'),
      '/root/.pyenv/shims/cfn-lint',
      '/usr/local/bin/cfn-lint',
    ];
    for (const candidate of candidates) {
      if (!executable(candidate)) continue;
      try {
        await run(candidate, ['--version'], { timeout: 60_000 });
        return [candidate];
      } catch {
        // a shim without the package behind it: try the next
      }
    }
    try {
      await run('python3', ['-m', 'cfnlint', '--version'], { timeout: 60_000 });
      return ['python3', '-m', 'cfnlint'];
    } catch {
      throw new Error('cfn-lint not found (PATH, ~/.pyenv/shims, python3 -m cfnlint): install it with `pip install cfn-lint`, or set CFN_LINT');
    }
  })());
}

/** Every match cfn-lint reports for the templates (errors, warnings, informational). */
export async function cfnLint(templates: string[], regions: string[] = ['us-east-1']): Promise<CfnLintMatch[]> {
  const [command, ...prefix] = await cfnLintCommand();
  try {
    const { stdout } = await run(command!, [...prefix, '--format', 'json', '--regions', ...regions, '--', ...templates], { timeout: 180_000, maxBuffer: 64 * 1024 * 1024 });
    return stdout.trim() ? (JSON.parse(stdout) as CfnLintMatch[]) : [];
  } catch (error) {
    // Non-zero exit codes carry the findings (2 errors, 4 warnings, 8 informational, or'ed together).
    const { stdout, code } = error as { stdout?: string; code?: number };
    if (typeof code === 'number' && code > 0 && code < 16 && stdout !== undefined && stdout.trim().startsWith('[')) return JSON.parse(stdout) as CfnLintMatch[];
    throw error;
  }
}
