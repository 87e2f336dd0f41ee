import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/cli.js';
import { iacFixturePath } from '../support/iac-fixtures.js';

describe('ready-made use of the gate', () => {
  it('defines a pre-commit hook whose entry runs the scan over the whole tree', () => {
    const hooks = yaml.load(readFileSync(join(REPO_ROOT, '.pre-commit-hooks.yaml'), 'utf8')) as Array<Record<string, unknown>>;
    const hook = hooks.find((h) => h.id === 'isolation-guard-scan');
    expect(hook).toMatchObject({ language: 'script', entry: 'scripts/pre-commit-scan.sh', pass_filenames: false, args: ['.'] });
    accessSync(join(REPO_ROOT, String(hook!.entry)), constants.X_OK);
    const files = new RegExp(String(hook!.files));
    expect(['infra/main.tf', 'a/b.tf.json', 'prod.tfvars', 'template.yaml', 'cdk.out/S.template.json', 'x.template'].filter((f) => files.test(f))).toHaveLength(6);
    expect(files.test('README.md')).toBe(false);
  });

  it("runs the hook's entry as pre-commit does: from the user's repository, exit 1 on a violation, 0 when clean", () => {
    const entry = join(REPO_ROOT, 'scripts', 'pre-commit-scan.sh');
    const failing = spawnSync(entry, ['.'], { cwd: iacFixturePath('sam'), encoding: 'utf8' });
    expect(failing.status).toBe(1);
    expect(failing.stdout).toContain('"resource":"ChurnModel"');
    const clean = mkdtempSync(join(tmpdir(), 'guard-hook-'));
    writeFileSync(join(clean, 'main.tf'), 'resource "aws_sagemaker_model" "m" {\n  enable_network_isolation = true\n}\n');
    expect(spawnSync(entry, ['.'], { cwd: clean, encoding: 'utf8' }).status).toBe(0);
  });

  it('ships a composite GitHub Action that scans, uploads SARIF and gates on the exit code', () => {
    const dir = join(REPO_ROOT, '.github', 'actions', 'isolation-guard-scan');
    const action = yaml.load(readFileSync(join(dir, 'action.yml'), 'utf8')) as { runs: { using: string; steps: Array<Record<string, unknown>> } };
    expect(action.runs.using).toBe('composite');
    const steps = action.runs.steps;
    // The CLI is installed with its run-time dependencies only (scripts/install-cli.sh), and the scan runs that.
    const install = steps.find((s) => s.id === 'install') as { run: string };
    expect(install.run).toContain('scripts/install-cli.sh');
    expect(existsSync(resolve(dir, '../../../scripts/install-cli.sh'))).toBe(true);
    expect(JSON.stringify(steps)).not.toMatch(/npm ci|npm run build/);
    const scan = steps.find((s) => s.id === 'scan') as { env: { GUARD: string }; run: string };
    expect(scan.env.GUARD).toBe('${{ steps.install.outputs.guard }}');
    expect(scan.run).toContain('--format sarif --out "$sarif"');
    expect(steps.map((s) => s.uses).filter(Boolean)).toContain('github/codeql-action/upload-sarif@v3');
    expect((steps.at(-1) as { run: string }).run).toContain('exit "$CODE"');
  });
});
