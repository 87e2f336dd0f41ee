import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients } from '../../shared/aws/clients.js';
import { REPO_ROOT } from '../support/cli.js';
import { createModel } from '../../local-aws/local-stack.js';
import { awsClientConfig, motoEnvironment, startMoto, type MotoServer } from '../../local-aws/moto.js';

// The CLI as a package (issue 22 item 12, issue 21 item 9): `npm pack` gives a tarball that installs
// with `npm install --omit=dev` into an empty folder, small, and every command runs from there; the
// pre-commit hook and the GitHub Action install it that way, never the development tree.

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function exec(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Bytes under a folder, as `du --apparent-size` counts them (symbolic links as links). */
function bytesUnder(path: string): number {
  const stat = lstatSync(path);
  if (!stat.isDirectory()) return stat.size;
  return readdirSync(path).reduce((sum, name) => sum + bytesUnder(join(path, name)), 0);
}

let work: string;
let tarball: string;
let installed: string;
let guard: string;
let moto: MotoServer;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'installed-package-'));
  // The dist/ of this checkout (npm test builds it first); --ignore-scripts: no second build beside running tests.
  const pack = await exec('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', work], { cwd: REPO_ROOT });
  expect(pack.code, pack.stderr).toBe(0);
  tarball = join(work, pack.stdout.trim().split('\n').at(-1)!);
  installed = join(work, 'cli');
  // The hook's and the Action's installer, given the tarball instead of the registry's copy.
  const install = await exec('bash', [join(REPO_ROOT, 'scripts', 'install-cli.sh')], {
    cwd: work,
    env: { ISOLATION_GUARD_CLI_DIR: installed, ISOLATION_GUARD_PACKAGE: tarball, npm_config_prefer_offline: 'true' },
  });
  expect(install.code, install.stderr).toBe(0);
  guard = install.stdout.trim();
  moto = await startMoto();
}, 180_000);
afterAll(async () => {
  await moto?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the CLI as an installable package', () => {
  it('packs the bundle and the bin, not the sources, tests or the development tree; not private', () => {
    const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(manifest.private).toBeUndefined();
    expect(existsSync(tarball)).toBe(true);
    // Under 2 MB packed: no source map, no test fixture.
    expect(lstatSync(tarball).size).toBeLessThan(2 * 1024 * 1024);
  });

  it('installs with --omit=dev into an empty folder: under 60 MB, no development package', () => {
    expect(guard).toBe(join(installed, 'node_modules', '.bin', 'isolation-guard'));
    const modules = join(installed, 'node_modules');
    const size = bytesUnder(modules);
    expect(size).toBeLessThan(60 * 1024 * 1024);
    for (const dev of ['osls', 'vitest', 'playwright-core', 'typescript', 'esbuild', 'dependency-cruiser', '@aws-sdk']) {
      expect(existsSync(join(modules, dev)), dev).toBe(false);
    }
    const pkg = join(modules, 'sagemaker-isolation-guard');
    expect(readdirSync(pkg).sort()).toEqual(['README.md', 'bin', 'dist', 'package.json']);
    expect(existsSync(join(pkg, 'dist', 'cli.mjs'))).toBe(true);
  });

  it('runs every command from there', async () => {
    const cwd = join(work, 'user');
    mkdirSync(join(cwd, 'infra'), { recursive: true });
    copyFileSync(join(REPO_ROOT, 'samples', 'createmodel-events.ndjson'), join(cwd, 'events.ndjson'));
    for (const name of readdirSync(join(REPO_ROOT, 'tests', 'fixtures', 'iac', 'terraform', 'basic'))) {
      copyFileSync(join(REPO_ROOT, 'tests', 'fixtures', 'iac', 'terraform', 'basic', name), join(cwd, 'infra', name));
    }
    copyFileSync(join(REPO_ROOT, 'exceptions.json'), join(cwd, 'exceptions.json'));
    const region = 'eu-west-1';
    await createModel(createAwsClients(awsClientConfig(moto.endpoint, region)), region, 'installed-open');
    const aws = motoEnvironment(moto.endpoint, region);
    const run = (args: string[], env?: NodeJS.ProcessEnv) => exec(guard, args, { cwd, env });

    expect((await run(['--version'])).stdout.trim()).toBe(JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')).version);
    const evaluate = await run(['evaluate', '--format', 'table', 'events.ndjson']);
    expect([evaluate.code, evaluate.stdout]).toEqual([1, expect.stringMatching(/^VERDICT/)]);
    // scan loads the HCL parser (a run-time dependency, with its WebAssembly) from the installed folder.
    const scan = await run(['scan', '--format', 'table', 'infra']);
    expect(scan.code, scan.stderr).toBe(1);
    expect(scan.stdout).toMatch(/aws_sagemaker_model/);
    expect((await run(['policy', 'scp'])).code).toBe(0);
    expect((await run(['policy', 'iam'])).code).toBe(0);
    expect((await run(['athena', 'ddl', '--trail-bucket', 'my-trail', '--accounts', '111122223333'])).code).toBe(0);
    const exceptions = await run(['exceptions', 'check', 'exceptions.json']);
    expect([0, 1]).toContain(exceptions.code);
    const sweep = await run(['sweep', '--regions', region, '--format', 'json'], aws);
    expect(sweep.code, sweep.stderr).toBe(1);
    expect(sweep.stdout).toContain('installed-open');
    const enforce = await run(['enforce', 'events.ndjson'], aws);
    expect([1, 3], enforce.stderr).toContain(enforce.code);
    const audit = await run(['audit', '--from', '2026-11-01', '--to', '2026-11-30', '--source', '.', '--offline', '--format', 'md'], aws);
    expect(audit.stdout, audit.stderr).toMatch(/^# SageMaker CreateModel audit/);
    for (const result of [evaluate, scan, sweep, enforce, audit]) expect(result.stderr).not.toMatch(/please report it|Cannot find (module|package)/);
  }, 120_000);

  it('the pre-commit hook scans with that installed copy, the development tree left alone', async () => {
    const repo = join(work, 'hooked');
    mkdirSync(repo);
    for (const name of readdirSync(join(REPO_ROOT, 'tests', 'fixtures', 'iac', 'terraform', 'basic'))) {
      copyFileSync(join(REPO_ROOT, 'tests', 'fixtures', 'iac', 'terraform', 'basic', name), join(repo, name));
    }
    const hook = await exec('bash', [join(REPO_ROOT, 'scripts', 'pre-commit-scan.sh'), '--format', 'table', '.'], {
      cwd: repo,
      env: { ISOLATION_GUARD_CLI_DIR: installed, ISOLATION_GUARD_PACKAGE: tarball },
    });
    expect(hook.code, hook.stderr).toBe(1);
    expect(hook.stdout).toMatch(/aws_sagemaker_model/);
    // The Action installs the same way (no npm ci of this repository).
    const action = readFileSync(join(REPO_ROOT, '.github', 'actions', 'isolation-guard-scan', 'action.yml'), 'utf8');
    expect(action).not.toMatch(/npm ci|npm run build/);
    expect(action).toContain('scripts/install-cli.sh');
  });
});
