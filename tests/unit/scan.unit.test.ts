import { describe, expect, it } from 'vitest';
import { parseTemplateText } from '../../shared/scan/cloudformation.js';
import { readScanSources } from '../../shared/scan/files.js';
import { parseHcl } from '../../shared/scan/hcl-parser.js';
import { judgeInlineExemption, terraformCommentExemption } from '../../shared/scan/inline-exemption.js';
import { parsePipelineKey } from '../../shared/aws/evidence-keys.js';
import { countPipelineRuns, pipelineContext, pipelineKey, pipelineRecord } from '../../shared/scan/pipeline-evidence.js';
import { scanSources, type ScanOptions } from '../../shared/scan/scan.js';
import { splitConditional } from '../../shared/scan/terraform-hcl.js';
import type { ScanFinding } from '../../shared/scan/types.js';
import { iacFixturePath } from '../support/iac-fixtures.js';

const NOW = new Date('2026-11-29T12:00:00Z');
const options = (overrides: Partial<ScanOptions> = {}): ScanOptions => ({ parseHcl, varFiles: [], parameters: new Map(), now: NOW, ...overrides });
const scan = (paths: string[], overrides: Partial<ScanOptions> = {}) => scanSources(readScanSources(paths), options(overrides));
const byResource = (findings: ScanFinding[]) => Object.fromEntries(findings.map((f) => [f.resource, f]));
const summary = (f: ScanFinding | undefined) => f && [f.verdict, f.networkIsolation];

describe('scan: Terraform HCL', () => {
  it('resolves literals, string booleans, variables, locals, conditionals and computed values', async () => {
    const { findings, problems } = await scan([iacFixturePath('terraform', 'basic')]);
    expect(problems).toEqual([]);
    const found = byResource(findings);
    expect(Object.keys(found)).toHaveLength(17);
    expect(summary(found['aws_sagemaker_model.literal_true'])).toEqual(['compliant', true]);
    expect(found['aws_sagemaker_model.omitted']).toMatchObject({ verdict: 'violation', networkIsolation: false, reasons: ['attribute omitted; the provider default is false'], line: 15 });
    expect(summary(found['aws_sagemaker_model.literal_false'])).toEqual(['violation', false]);
    expect(found['aws_sagemaker_model.string_true']).toMatchObject({ verdict: 'compliant', reasons: [expect.stringMatching(/string "true" is converted to true/)] });
    expect(found['aws_sagemaker_model.from_default']).toMatchObject({ verdict: 'compliant', reasons: ["from variable isolate's default"] });
    expect(found['aws_sagemaker_model.no_default']).toMatchObject({ verdict: 'unknown', networkIsolation: null, reasons: [expect.stringMatching(/variable isolate_unset has no default/)] });
    expect(found['aws_sagemaker_model.from_local']).toMatchObject({ verdict: 'compliant', reasons: ['from local isolate_all'] });
    // count and for_each with known values: one finding per instance, at its address.
    expect(['counted[0]', 'counted[1]', 'counted[2]'].map((i) => summary(found[`aws_sagemaker_model.${i}`]))).toEqual(Array(3).fill(['compliant', true]));
    expect(found['aws_sagemaker_model.per_team["fraud"]']).toMatchObject({ verdict: 'violation', reasons: ["from variable isolate_off's default"] });
    expect(found['aws_sagemaker_model.per_team["churn"]']).toMatchObject({ verdict: 'violation' });
    expect(found['aws_sagemaker_model.conditional']).toMatchObject({ verdict: 'violation', reasons: ['condition `var.environment == "prod"` is false', "from variable environment's default"] });
    expect(found['aws_sagemaker_model.computed']).toMatchObject({ verdict: 'unknown', reasons: ['`aws_ssm_parameter.isolation.value` cannot be resolved before apply'] });
    expect(findings.every((f) => f.format === 'terraform' && f.file.endsWith('main.tf'))).toBe(true);
  });

  it('applies an inline exemption with reason and expiry, and refuses one without reason or expired', async () => {
    const found = byResource((await scan([iacFixturePath('terraform', 'basic')])).findings);
    expect(found['aws_sagemaker_model.exempt_valid']).toMatchObject({ verdict: 'exempt', networkIsolation: false });
    expect(found['aws_sagemaker_model.exempt_valid']!.reasons).toContain('exempt until 2099-12-31: vendor licence check, ticket SEC-42');
    expect(found['aws_sagemaker_model.exempt_no_reason']).toMatchObject({ verdict: 'violation' });
    expect(found['aws_sagemaker_model.exempt_no_reason']!.reasons).toContain('inline exemption ignored: it gives no reason');
    expect(found['aws_sagemaker_model.exempt_expired']).toMatchObject({ verdict: 'violation' });
    expect(found['aws_sagemaker_model.exempt_expired']!.reasons).toContain('inline exemption expired on 2020-01-31 and no longer exempts (reason was: migration)');
    // The same exemption judged before its expiry: the rules of every other exemption (a date holds through that UTC day).
    const before = byResource((await scan([iacFixturePath('terraform', 'basic')], { now: new Date('2020-01-31T23:59:59Z') })).findings);
    expect(before['aws_sagemaker_model.exempt_expired']!.verdict).toBe('exempt');
  });

  it('reads terraform.tfvars, *.auto.tfvars and --var-file in Terraform order', async () => {
    const dir = iacFixturePath('terraform', 'tfvars');
    const plain = byResource((await scan([dir])).findings);
    expect(plain['aws_sagemaker_model.from_tfvars']).toMatchObject({ verdict: 'violation', reasons: ['from variable isolate in terraform.tfvars'] });
    expect(plain['aws_sagemaker_model.from_auto_tfvars']).toMatchObject({ verdict: 'violation', networkIsolation: false });
    expect(plain['aws_sagemaker_model.from_var_file']!.verdict).toBe('unknown');
    const { readFileSync } = await import('node:fs');
    const varFile = { path: `${dir}/prod.tfvars`, text: readFileSync(`${dir}/prod.tfvars`, 'utf8') };
    const withVarFile = byResource((await scan([dir], { varFiles: [varFile] })).findings);
    expect(withVarFile['aws_sagemaker_model.from_var_file']).toMatchObject({ verdict: 'compliant', reasons: [`from variable isolate_cli in --var-file ${varFile.path}`] });
  });

  it('scans local modules once per call, with module addresses and the caller inputs', async () => {
    const { findings } = await scan([iacFixturePath('terraform', 'monorepo')]);
    expect(findings.map((f) => [f.resource, f.verdict, f.reasons.find((r) => r.startsWith('called from'))?.replace(/.*monorepo\//, '')])).toEqual([
      ['module.batch[0].aws_sagemaker_model.this', 'compliant', 'envs/dev'],
      ['module.batch[1].aws_sagemaker_model.this', 'compliant', 'envs/dev'],
      ['module.ml.aws_sagemaker_model.this', 'violation', 'envs/dev'],
      ['module.ml.aws_sagemaker_model.this', 'compliant', 'envs/prod'],
    ]);
    expect(findings[2]!.reasons).toEqual(expect.arrayContaining(['from variable isolate, set by the call module.ml', "from variable dev_isolate's default"]));
  });

  it('scans a module folder alone as a root: its variable without default is unknown', async () => {
    const { findings } = await scan([iacFixturePath('terraform', 'monorepo', 'modules', 'ml')]);
    expect(findings.map((f) => [f.resource, f.verdict])).toEqual([['aws_sagemaker_model.this', 'unknown']]);
  });

  it('reads *.tf.json', async () => {
    const found = byResource((await scan([iacFixturePath('terraform', 'json')])).findings);
    expect(summary(found['aws_sagemaker_model.from_json'])).toEqual(['violation', false]);
    expect(found['aws_sagemaker_model.from_json']!.line).toBe(7);
    expect(summary(found['aws_sagemaker_model.json_true'])).toEqual(['compliant', true]);
  });

  it("names an unparseable file with the parser's line and column, and still reads its folder's other files", async () => {
    const { findings, problems } = await scan([iacFixturePath('terraform', 'broken')]);
    expect(findings.map((f) => [f.resource, f.verdict, f.reasons, f.file.replace(/.*iac\//, ''), f.line])).toEqual([
      ['aws_sagemaker_model.beside_the_broken_file', 'compliant', ["from variable isolate's default"], 'terraform/broken/good.tf', 5],
    ]);
    expect(problems).toEqual([{ file: iacFixturePath('terraform', 'broken', 'main.tf'), line: 2, column: 29, message: expect.stringMatching(/^Invalid expression/) }]);
  });

  it('names a broken *.tf.json and a broken terraform.tfvars with line and column', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(`${tmpdir()}/guard-scan-json-`);
    writeFileSync(`${dir}/main.tf.json`, '{\n  "resource": { "aws_sagemaker_model": { "x": { "enable_network_isolation": true, } } }\n}\n');
    writeFileSync(`${dir}/terraform.tfvars`, 'isolate = \n');
    writeFileSync(`${dir}/model.tf`, 'variable "isolate" {\n  default = true\n}\nresource "aws_sagemaker_model" "y" {\n  enable_network_isolation = var.isolate\n}\n');
    const { findings, problems } = await scan([dir]);
    expect(findings.map((f) => [f.resource, f.verdict])).toEqual([['aws_sagemaker_model.y', 'compliant']]);
    expect(problems.map((p) => [p.file.slice(dir.length + 1), p.line, p.column])).toEqual([
      ['main.tf.json', 2, 83],
      ['terraform.tfvars', 1, 11],
    ]);
  });

  it('splits conditionals at the top level only', () => {
    expect(splitConditional('a ? b : c')).toEqual(['a', 'b', 'c']);
    expect(splitConditional('a ? (x ? y : z) : c')).toEqual(['a', '(x ? y : z)', 'c']);
    expect(splitConditional('a ? x ? y : z : c')).toEqual(['a', 'x ? y : z', 'c']);
    expect(splitConditional('lookup(m, "a?b:c")')).toBeNull();
  });
});

describe('scan: Terraform plan JSON', () => {
  it('checks create, update, replace and no-op, skips delete, keeps module addresses and reads computed values as unknown', async () => {
    const { findings, problems } = await scan([iacFixturePath('plan', 'plan.json')]);
    expect(problems).toEqual([]);
    expect(findings.map((f) => [f.resource, f.verdict, f.networkIsolation, f.line])).toEqual([
      ['aws_sagemaker_model.created', 'compliant', true, 2],
      ['aws_sagemaker_model.omitted', 'violation', false, 3],
      ['aws_sagemaker_model.updated', 'violation', false, 4],
      ['aws_sagemaker_model.replaced', 'unknown', null, 5],
      ['aws_sagemaker_model.kept', 'compliant', true, 6],
      ['module.ml.aws_sagemaker_model.this[0]', 'violation', false, 8],
      ['module.ml.aws_sagemaker_model.this[1]', 'compliant', true, 9],
    ]);
    expect(findings[3]!.reasons).toEqual(['enable_network_isolation is known only after apply', 'planned action: replace (delete, then create)']);
    expect(findings[1]!.reasons).toContain('attribute omitted; the provider default is false');
    expect(findings.every((f) => f.format === 'terraform-plan')).toBe(true);
  });
});

describe('scan: CloudFormation, SAM, CDK', () => {
  it('resolves the short tags, string booleans, parameters, Fn::If on every branch, mappings and metadata exemptions', async () => {
    const { findings, problems } = await scan([iacFixturePath('cloudformation', 'template.yaml')]);
    expect(problems).toEqual([]);
    expect(findings.map((f) => [f.resource, f.verdict, f.networkIsolation])).toEqual([
      ['LiteralTrue', 'compliant', true],
      ['Omitted', 'violation', false],
      ['StringFalse', 'violation', false],
      ['FromParameter', 'compliant', true],
      ['FromParameterNoDefault', 'unknown', null],
      ['IfBothTrue', 'compliant', true],
      ['IfOneFalse', 'violation', false],
      ['FromMapping', 'compliant', true],
      ['Imported', 'unknown', null],
      ['ExemptValid', 'exempt', false],
      ['ExemptNoReason', 'violation', false],
      ['ExemptExpired', 'violation', false],
    ]);
    const found = byResource(findings);
    expect(found.LiteralTrue!.line).toBe(20);
    expect(found.Omitted!.reasons).toEqual(["property omitted; CloudFormation's default is false"]);
    expect(found.FromParameter!.reasons).toEqual(['from parameter Isolate\'s Default ("true")']);
    expect(found.IfOneFalse!.reasons).toEqual(['depends on condition IsProd', 'false when IsProd does not hold', 'created only when condition IsProd holds']);
    expect(found.ExemptNoReason!.reasons).toContain('inline exemption ignored: it gives no reason');
    expect(found.ExemptExpired!.reasons).toContain('inline exemption expired on 2020-01-31 and no longer exempts (reason was: migration)');
  });

  it('takes --parameter before the Default', async () => {
    const path = iacFixturePath('cloudformation', 'template.yaml');
    const found = byResource((await scan([path], { parameters: new Map([['Isolate', 'false'], ['IsolateNoDefault', 'true']]) })).findings);
    expect(found.FromParameter).toMatchObject({ verdict: 'violation', reasons: ['from --parameter Isolate ("false")'] });
    expect(found.FromParameterNoDefault).toMatchObject({ verdict: 'compliant' });
  });

  it('reads JSON templates, SAM templates and CDK synth output with its construct path', async () => {
    const json = byResource((await scan([iacFixturePath('cloudformation', 'template.json')])).findings);
    expect([json.JsonTrue, json.JsonFromParameter, json.JsonIf].map(summary)).toEqual([['compliant', true], ['violation', false], ['violation', false]]);
    expect(json.JsonIf!.reasons).toContain("AWS::NoValue removes the property; CloudFormation's default is false");
    const sam = (await scan([iacFixturePath('sam')])).findings;
    expect(sam.map((f) => [f.resource, f.verdict, f.line])).toEqual([['ChurnModel', 'violation', 15]]);
    const cdk = await scan([iacFixturePath('cdk')]);
    expect(cdk.problems).toEqual([]);
    expect(cdk.findings.map((f) => [f.resource, f.verdict, f.cdkPath])).toEqual([
      ['ChurnModelC0FFEE12', 'violation', 'MlStack/ChurnModel'],
      ['IsolatedModelBEEF3456', 'compliant', 'MlStack/IsolatedModel'],
    ]);
  });

  it("names broken templates and plans with the parser's line and column, and ignores files that are not IaC", async () => {
    const broken = await scan([iacFixturePath('broken')]);
    expect(broken.findings).toEqual([]);
    expect(broken.problems.map((p) => [p.file.replace(/.*iac\//, ''), p.line, p.column])).toEqual([
      ['broken/plan.json', 2, 1],
      ['broken/template.yaml', 6, 3],
    ]);
    const noise = await scan([iacFixturePath('noise')]);
    expect(noise).toEqual({ findings: [], problems: [], filesSeen: 3 });
  });

  it('parses every short intrinsic tag into its long form', () => {
    const parsed = parseTemplateText('A: !Ref X\nB: !GetAtt R.Arn\nC: !If [C, !Sub "a", !Join [",", [a]]]\nD: !Condition IsProd\n', false);
    expect(parsed).toEqual({ A: { Ref: 'X' }, B: { 'Fn::GetAtt': ['R', 'Arn'] }, C: { 'Fn::If': ['C', { 'Fn::Sub': 'a' }, { 'Fn::Join': [',', ['a']] }] }, D: { Condition: 'IsProd' } });
  });
});

describe('scan: inline exemptions', () => {
  it('reads the marker only from the comment block directly above the resource', () => {
    const lines = ['# isolation-guard:exempt reason="far away" expires=2099-01-01', '', 'resource "aws_sagemaker_model" "x" {'];
    expect(terraformCommentExemption(lines, 3)).toBeNull();
    const near = ['// other note', '// isolation-guard:exempt reason="near" expires="2099-01-01"', 'resource "aws_sagemaker_model" "x" {'];
    expect(terraformCommentExemption(near, 3)).toEqual({ reason: 'near', expires: '2099-01-01' });
  });

  it('needs a reason and a real expiry date', () => {
    expect(judgeInlineExemption({ reason: 'r', expires: null }, NOW)).toMatchObject({ applies: false, reason: expect.stringMatching(/no expiry/) });
    expect(judgeInlineExemption({ reason: 'r', expires: 'soon' }, NOW)).toMatchObject({ applies: false, reason: expect.stringMatching(/'soon' is not a date/) });
    expect(judgeInlineExemption({ reason: 'r', expires: '2026-11-29T13:00:00Z' }, NOW)).toMatchObject({ applies: true });
    expect(judgeInlineExemption({ reason: 'r', expires: '2026-11-29T11:00:00Z' }, NOW)).toMatchObject({ applies: false });
  });
});

describe('scan: pipeline evidence', () => {
  const result = { findings: [{ file: 'main.tf', line: 3, format: 'terraform', resource: 'aws_sagemaker_model.x', verdict: 'violation', networkIsolation: false, reasons: [], cdkPath: null }] as ScanFinding[], problems: [], filesSeen: 1 };

  it('reads repository, commit and run from the CI variables', () => {
    expect(pipelineContext({ GITHUB_ACTIONS: 'true', GITHUB_REPOSITORY: 'acme/ml', GITHUB_SHA: 'abc123', GITHUB_RUN_ID: '42', GITHUB_RUN_ATTEMPT: '2' })).toEqual({
      repository: 'acme/ml',
      commit: 'abc123',
      runId: '42.2',
      provider: 'github-actions',
    });
    expect(pipelineContext({ GITLAB_CI: 'true', CI_PROJECT_PATH: 'acme/ml', CI_COMMIT_SHA: 'def', CI_PIPELINE_ID: '7' })).toMatchObject({ repository: 'acme/ml', runId: '7', provider: 'gitlab-ci' });
    expect(pipelineContext({})).toEqual({ repository: null, commit: null, runId: null, provider: null });
  });

  it('files a rejected run under pipeline/ by day, and the audit counts the period from the keys', () => {
    const record = pipelineRecord(result, 1, pipelineContext({ GITHUB_RUN_ID: '42/../x' }), new Date('2026-10-05T08:30:00.123Z'));
    expect(record).toMatchObject({ result: 'rejected', counts: { models: 1, violations: 1 }, failing: [{ resource: 'aws_sagemaker_model.x', verdict: 'violation' }] });
    const key = pipelineKey(record);
    expect(key).toBe('pipeline/2026/10/05/2026-10-05T08-30-00-123Z-rejected-42_.._x.json');
    expect(parsePipelineKey(key)).toEqual({ at: new Date('2026-10-05T08:30:00.123Z'), result: 'rejected' });
    const passed = pipelineKey(pipelineRecord({ ...result, findings: [] }, 0, pipelineContext({}), new Date('2026-10-31T23:59:59.999Z')));
    const outside = pipelineKey(pipelineRecord(result, 1, pipelineContext({}), new Date('2026-11-01T00:00:00.000Z')));
    expect(countPipelineRuns([key, passed, outside, 'pipeline/README.txt'], new Date('2026-10-01T00:00:00Z'), new Date('2026-11-01T00:00:00Z'))).toEqual({ runs: 2, rejected: 1, passed: 1 });
  });
});
