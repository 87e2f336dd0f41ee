import { cpSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonLines, runCli, runCliInProcess } from '../support/cli.js';
import { iacFixturePath, iacRelative } from '../support/iac-fixtures.js';
import { sarifLog } from '../support/sarif-2.1.0.js';

const FIELDS = ['file', 'line', 'format', 'resource', 'verdict', 'networkIsolation', 'reasons', 'cdkPath'];
const tmp = mkdtempSync(join(tmpdir(), 'guard-scan-'));
const AS_OF = ['--as-of', '2026-11-29T12:00:00Z'];

// The contract test runs the built command; the rest is what scan decides and prints from files
// and flags, run in-process (runCliInProcess): the HCL parser is loaded once, not in every process.
describe('isolation-guard scan', () => {
  it('prints exactly the contract fields, one line per model resource, and exits 1 on a violation', async () => {
    const { code, stdout, stderr } = await runCli(['scan', ...AS_OF, iacRelative('sam')]);
    expect(code).toBe(1);
    const lines = jsonLines(stdout);
    expect(lines).toHaveLength(1);
    expect(Object.keys(lines[0]!)).toEqual(FIELDS);
    expect(lines[0]).toEqual({
      file: iacRelative('sam', 'template.yaml'),
      line: 15,
      format: 'cloudformation',
      resource: 'ChurnModel',
      verdict: 'violation',
      networkIsolation: false,
      reasons: ["property omitted; CloudFormation's default is false"],
      cdkPath: null,
    });
    expect(stderr).toMatch(/1 SageMaker model resource\(s\), 1 failing the gate/);
  });

  it('exits 0 when every model is compliant or exempt', async () => {
    const dir = join(tmp, 'clean');
    mkdirSync(dir);
    writeFileSync(join(dir, 'main.tf'), 'resource "aws_sagemaker_model" "ok" {\n  enable_network_isolation = true\n}\n\n# isolation-guard:exempt reason="vendor" expires=2099-01-01\nresource "aws_sagemaker_model" "vendor" {\n}\n');
    const { code, stdout } = await runCliInProcess(['scan', dir]);
    expect(code).toBe(0);
    expect(jsonLines(stdout).map((l) => l.verdict)).toEqual(['compliant', 'exempt']);
  });

  it('exits 1 when the only failing model is unknown before apply (fail closed)', async () => {
    const dir = join(tmp, 'unknown');
    mkdirSync(dir);
    writeFileSync(join(dir, 'main.tf'), 'variable "isolate" {\n  type = bool\n}\nresource "aws_sagemaker_model" "m" {\n  enable_network_isolation = var.isolate\n}\n');
    const { code, stdout } = await runCliInProcess(['scan', dir]);
    expect(code).toBe(1);
    expect(jsonLines(stdout)[0]).toMatchObject({ verdict: 'unknown', networkIsolation: null });
    const given = await runCliInProcess(['scan', '--var-file', iacFixturePath('terraform', 'tfvars', 'prod.tfvars'), dir]);
    expect(given.code).toBe(1); // prod.tfvars sets isolate_cli, not isolate
    writeFileSync(join(tmp, 'isolate.tfvars'), 'isolate = true\n');
    const fixed = await runCliInProcess(['scan', '--var-file', join(tmp, 'isolate.tfvars'), dir]);
    expect(fixed.code).toBe(0);
  });

  it('takes --parameter for CloudFormation parameters', async () => {
    const template = iacRelative('cloudformation', 'template.json');
    const byDefault = await runCliInProcess(['scan', template]);
    expect(jsonLines(byDefault.stdout).find((l) => l.resource === 'JsonFromParameter')!.verdict).toBe('violation');
    const given = await runCliInProcess(['scan', '--parameter', 'Isolate=true', template]);
    expect(jsonLines(given.stdout).find((l) => l.resource === 'JsonFromParameter')!.verdict).toBe('compliant');
  });

  it('exits 2 naming each unreadable input with line and column, and still reports the others', async () => {
    const missing = join(tmp, 'missing.tf');
    const { code, stdout, stderr } = await runCliInProcess(['scan', iacRelative('broken'), iacRelative('terraform', 'broken'), missing, iacRelative('sam')]);
    expect(code).toBe(2);
    expect(jsonLines(stdout).map((l) => l.resource)).toEqual(['ChurnModel', 'aws_sagemaker_model.beside_the_broken_file']);
    expect(stderr).toContain(`${iacRelative('broken', 'template.yaml')}:6:3: missed comma between flow collection entries`);
    expect(stderr).toContain(`${iacRelative('terraform', 'broken', 'main.tf')}:2:29: Invalid expression`);
    expect(stderr).toContain(`${iacRelative('broken', 'plan.json')}:2:1:`);
    expect(stderr).toContain(`${missing}: cannot read (ENOENT)`);
    expect(stderr).not.toMatch(/internal error|at .*\.mjs/);
  });

  it('walks folders, skipping .terraform, node_modules and .git, and ignores files that are not IaC', async () => {
    const repo = join(tmp, 'repo');
    cpSync(iacFixturePath('noise'), repo, { recursive: true });
    const model = 'resource "aws_sagemaker_model" "hidden" {\n}\n';
    for (const skipped of ['.terraform/modules/x', 'node_modules/pkg', '.git/objects']) {
      mkdirSync(join(repo, skipped), { recursive: true });
      writeFileSync(join(repo, skipped, 'main.tf'), model);
    }
    mkdirSync(join(repo, 'infra'));
    writeFileSync(join(repo, 'infra', 'main.tf'), model);
    const { code, stdout, stderr } = await runCliInProcess(['scan', repo]);
    expect(code).toBe(1);
    expect(jsonLines(stdout).map((l) => l.file)).toEqual([join(repo, 'infra', 'main.tf')]);
    expect(stderr).toBe(`isolation-guard: 4 files, 1 SageMaker model resource(s), 1 failing the gate\n`);
  });

  it('writes SARIF 2.1.0 with one rule and one result per failing resource', async () => {
    const out = join(tmp, 'scan.sarif');
    const { code } = await runCliInProcess(['scan', ...AS_OF, '--format', 'sarif', '--out', out, iacRelative('terraform', 'basic'), iacRelative('cdk'), iacRelative('terraform', 'broken')]);
    expect(code).toBe(2);
    const sarif = sarifLog.parse(JSON.parse(readFileSync(out, 'utf8')));
    const [run] = sarif.runs;
    expect(run!.tool.driver.rules.map((r) => r.id)).toEqual(['SAGEMAKER_MODEL_ISOLATION_ENABLED']);
    expect(run!.tool.driver.rules[0]!.help!.text).toMatch(/enable_network_isolation = true[\s\S]*EnableNetworkIsolation: true[\s\S]*enableNetworkIsolation: true/);
    // basic: 7 violations (per_team's two instances, 2 with a refused exemption) and 2 unknown; cdk: 1 violation.
    const failing = run!.results.filter((r) => r.suppressions === undefined).map((r) => [r.locations[0]!.physicalLocation.artifactLocation.uri, r.locations[0]!.physicalLocation.region!.startLine, r.locations[0]!.logicalLocations![0]!.fullyQualifiedName]);
    expect(failing).toContainEqual([iacRelative('terraform', 'basic', 'main.tf'), 15, 'aws_sagemaker_model.omitted']);
    expect(failing).toContainEqual([iacRelative('cdk', 'cdk.out', 'MlStack.template.json'), 3, 'ChurnModelC0FFEE12']);
    expect(failing.map((f) => f[2])).not.toContain('aws_sagemaker_model.exempt_valid');
    expect(failing.map((f) => f[2])).not.toContain('aws_sagemaker_model.literal_true');
    expect(failing).toHaveLength(10);
    expect(run!.results.every((r) => r.ruleId === 'SAGEMAKER_MODEL_ISOLATION_ENABLED' && r.level === 'error')).toBe(true);
    // Exempt resources are listed as suppressed in source, with the exemption's reason; compliant ones are not listed.
    const suppressed = run!.results.filter((r) => r.suppressions !== undefined);
    expect(suppressed.map((r) => [r.locations[0]!.logicalLocations![0]!.fullyQualifiedName, r.suppressions])).toEqual([
      ['aws_sagemaker_model.exempt_valid', [{ kind: 'inSource', status: 'accepted', justification: 'exempt until 2099-12-31: vendor licence check, ticket SEC-42' }]],
    ]);
    expect(run!.invocations![0]).toMatchObject({ executionSuccessful: false, toolExecutionNotifications: [{ level: 'error', locations: [{ physicalLocation: { region: { startLine: 2, startColumn: 29 } } }] }] });
  });

  it('prints a table for people, with the reasons of what does not pass', async () => {
    const { code, stdout } = await runCliInProcess(['scan', '--format', 'table', iacRelative('plan', 'plan.json')]);
    expect(code).toBe(1);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^VERDICT\s+ISOLATION\s+FORMAT\s+RESOURCE\s+WHERE$/);
    expect(lines[1]).toMatch(/^compliant\s+true\s+terraform-plan\s+aws_sagemaker_model\.created\s+.*plan\.json:2$/);
    expect(lines).toContain('    enable_network_isolation is known only after apply; planned action: replace (delete, then create)');
  });

  it('exits 2 on bad usage, naming the flag', async () => {
    const format = await runCliInProcess(['scan', '--format', 'xml', '.']);
    expect(format).toMatchObject({ code: 2, stderr: expect.stringMatching(/--format: expected one of json, table, sarif/) });
    const parameter = await runCliInProcess(['scan', '--parameter', 'novalue', '.']);
    expect(parameter).toMatchObject({ code: 2, stderr: expect.stringMatching(/--parameter: expected KEY=VALUE/) });
    expect(await runCliInProcess(['scan'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/give at least one PATH/) });
    const varFile = await runCliInProcess(['scan', '--var-file', join(tmp, 'nope.tfvars'), iacRelative('sam')]);
    expect(varFile).toMatchObject({ code: 2, stderr: expect.stringMatching(/nope\.tfvars: --var-file: cannot read \(ENOENT\)/) });
  });

  it('SARIF for code scanning: fingerprints unique per configuration and instance, URIs percent-encoded and relative to --root', async () => {
    const repo = join(tmp, 'repo with space#1%');
    cpSync(iacFixturePath('terraform', 'monorepo'), repo, { recursive: true });
    const out = join(tmp, 'monorepo.sarif');
    // Absolute paths given, the root elsewhere than the working directory.
    const { code } = await runCliInProcess(['scan', '--format', 'sarif', '--out', out, '--root', repo, join(repo, 'envs'), join(repo, 'modules')]);
    expect(code).toBe(1);
    const [run] = sarifLog.parse(JSON.parse(readFileSync(out, 'utf8'))).runs;
    const results = run!.results.map((r) => [r.locations[0]!.physicalLocation.artifactLocation.uri, r.partialFingerprints!['isolationGuardResource/v2']]);
    expect(results).toEqual([['modules/ml/main.tf', 'modules/ml/main.tf#module.ml.aws_sagemaker_model.this@envs/dev']]);
    const all = await runCliInProcess(['scan', '--format', 'sarif', '--root', tmp, '--as-of', '2026-11-29T12:00:00Z', repo]);
    const uris = sarifLog.parse(JSON.parse(all.stdout)).runs[0]!.results.map((r) => r.locations[0]!.physicalLocation.artifactLocation.uri);
    expect(uris[0]).toBe('repo%20with%20space%231%25/modules/ml/main.tf');
    // Two configurations of one module, two instances of one call: every fingerprint distinct.
    const json = jsonLines((await runCliInProcess(['scan', repo])).stdout);
    expect(json).toHaveLength(4);
    const { fingerprintOf } = await import('../../shared/scan/sarif.js');
    const { scanSources } = await import('../../shared/scan/scan.js');
    const { readScanSources } = await import('../../shared/scan/files.js');
    const { parseHcl } = await import('../../shared/scan/hcl-parser.js');
    const scanned = await scanSources(readScanSources([repo]), { parseHcl, varFiles: [], parameters: new Map(), now: new Date() });
    expect(new Set(scanned.findings.map((f) => fingerprintOf(f))).size).toBe(4);
  });

  it('--create-baseline records the failing findings; --baseline FILE then fails only on new ones', async () => {
    const repo = join(tmp, 'baseline-repo');
    mkdirSync(repo);
    writeFileSync(join(repo, 'main.tf'), 'resource "aws_sagemaker_model" "legacy" {\n}\n');
    const baseline = join(tmp, 'guard.baseline');
    const created = await runCliInProcess(['scan', '--root', repo, '--create-baseline', '--baseline', baseline, repo]);
    expect(created).toMatchObject({ code: 0, stderr: expect.stringMatching(/1 failing finding\(s\) written to the baseline/) });
    expect(JSON.parse(readFileSync(baseline, 'utf8'))).toMatchObject({ version: 1, findings: [{ fingerprint: 'main.tf#aws_sagemaker_model.legacy', verdict: 'violation' }] });
    const known = await runCliInProcess(['scan', '--root', repo, '--baseline', baseline, repo]);
    expect(known.code).toBe(0);
    expect(jsonLines(known.stdout)[0]).toMatchObject({ verdict: 'exempt', networkIsolation: false, reasons: expect.arrayContaining([expect.stringMatching(/^accepted by the baseline /)]) });
    const sarif = sarifLog.parse(JSON.parse((await runCliInProcess(['scan', '--format', 'sarif', '--root', repo, '--baseline', baseline, repo])).stdout));
    expect(sarif.runs[0]!.results[0]!.suppressions).toEqual([{ kind: 'external', status: 'accepted', justification: expect.stringMatching(/^accepted by the baseline/) }]);
    writeFileSync(join(repo, 'new.tf'), 'resource "aws_sagemaker_model" "added" {\n  enable_network_isolation = false\n}\n');
    const added = await runCliInProcess(['scan', '--root', repo, '--baseline', baseline, repo]);
    expect(added.code).toBe(1);
    expect(jsonLines(added.stdout).map((l) => [l.resource, l.verdict])).toEqual([['aws_sagemaker_model.legacy', 'exempt'], ['aws_sagemaker_model.added', 'violation']]);
    writeFileSync(join(tmp, 'not.baseline'), '{"findings": 1}');
    expect(await runCliInProcess(['scan', '--baseline', join(tmp, 'not.baseline'), repo])).toMatchObject({ code: 2, stderr: expect.stringMatching(/--baseline .*not\.baseline: not a baseline written by --create-baseline/) });
  });

  it('exits 2 on a CDK app without cdk.out, and on a .tf linked to /dev/zero, without reading it', async () => {
    const dir = join(tmp, 'cdk-and-zero');
    mkdirSync(dir);
    writeFileSync(join(dir, 'cdk.json'), '{"app": "npx ts-node bin/app.ts", "output": "build/cdk.out"}');
    symlinkSync('/dev/zero', join(dir, 'zero.tf'));
    const { code, stderr } = await runCli(['scan', dir]);
    expect(code).toBe(2);
    expect(stderr).toContain(`${join(dir, 'cdk.json')}: a CDK app without its synth output (build/cdk.out/): run \`cdk synth\` first`);
    expect(stderr).toContain(`${join(dir, 'zero.tf')}: refused: a character device (a link to /dev/zero); only regular files are read`);
  });
});
