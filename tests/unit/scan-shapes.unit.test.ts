import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// Namespace import: these tests run against older code too (where the readers did not exist) to show they fail there.
import * as files from '../../shared/scan/files.js';
import { parseHcl } from '../../shared/scan/hcl-parser.js';
import { scanSources, type ScanOptions } from '../../shared/scan/scan.js';
import type { ScanFinding } from '../../shared/scan/types.js';
import { iacFixturePath } from '../support/iac-fixtures.js';

const NOW = new Date('2026-11-29T12:00:00Z');
const options = (overrides: Partial<ScanOptions> = {}): ScanOptions => ({ parseHcl, varFiles: [], parameters: new Map(), now: NOW, readFolder: files.readTerraformFolder, readFile: files.readTextFile, root: null, ...overrides });
const scan = (paths: string[], overrides: Partial<ScanOptions> = {}) => scanSources(files.readScanSources(paths), options(overrides));
const rows = (findings: ScanFinding[]) => findings.map((f) => [f.resource, f.verdict]);
const tmp = mkdtempSync(join(tmpdir(), 'guard-shapes-'));

describe('scan: Terraform module sources', () => {
  it('follows a local source ending in "/" ("../../", "../../modules/sm/"), with the caller inputs', async () => {
    const { findings, problems } = await scan([iacFixturePath('module-sources')]);
    expect(problems).toEqual([]);
    expect(rows(findings)).toEqual([
      ['module.sagemaker.aws_sagemaker_model.this', 'violation'],
      ['module.sm_dot.aws_sagemaker_model.sm', 'compliant'],
      ['module.sm.aws_sagemaker_model.sm', 'violation'],
    ]);
    expect(findings[0]!.reasons).toEqual(['from variable enable_network_isolation, set by the call module.sagemaker', `called from the configuration in ${iacFixturePath('module-sources', 'examples', 'notebook')}`]);
  });

  it('follows a module outside the scanned path (scan envs/dev calling ../../modules/ml), inside the root', async () => {
    const dev = iacFixturePath('terraform', 'monorepo', 'envs', 'dev');
    const { findings, problems } = await scan([dev], { root: iacFixturePath('terraform', 'monorepo') });
    expect(problems).toEqual([]);
    expect(rows(findings)).toEqual([
      ['module.batch[0].aws_sagemaker_model.this', 'compliant'],
      ['module.batch[1].aws_sagemaker_model.this', 'compliant'],
      ['module.ml.aws_sagemaker_model.this', 'violation'],
    ]);
    expect(findings[2]!.file).toBe(iacFixturePath('terraform', 'monorepo', 'modules', 'ml', 'main.tf'));
  });

  it('fails closed naming the call and its source when the module is outside the root or missing', async () => {
    const dev = iacFixturePath('terraform', 'monorepo', 'envs', 'dev');
    const outside = await scan([dev], { root: dev });
    expect(outside.findings).toEqual([]);
    expect(outside.problems).toEqual([
      { file: join(dev, 'main.tf'), line: 6, column: null, message: expect.stringMatching(/^module "ml" \(source "\.\.\/\.\.\/modules\/ml"\): .*outside the repository root/) },
      { file: join(dev, 'main.tf'), line: 11, column: null, message: expect.stringMatching(/^module "batch" \(source "\.\.\/\.\.\/modules\/ml"\)/) },
    ]);
    const dir = join(tmp, 'missing-module');
    mkdirSync(dir);
    writeFileSync(join(dir, 'main.tf'), 'module "gone" {\n  source  = "./nowhere/"\n  isolate = false\n}\n');
    const missing = await scan([dir]);
    expect(missing.problems).toEqual([{ file: join(dir, 'main.tf'), line: 1, column: null, message: expect.stringMatching(/^module "gone" \(source "\.\/nowhere\/"\): .*nowhere: cannot read \(ENOENT\)/) }]);
  });
});

describe('scan: templates inside other files', () => {
  it('reads an aws_cloudformation_stack template_body: heredoc, file() and templatefile() of local files, with the stack parameters', async () => {
    const { findings, problems } = await scan([iacFixturePath('cfn-stack')]);
    expect(problems).toEqual([]);
    expect(findings.map((f) => [f.resource, f.verdict, f.file.replace(/.*cfn-stack\//, ''), f.line])).toEqual([
      ['aws_cloudformation_stack.inline/InlineModel', 'violation', 'main.tf', 12],
      ['aws_cloudformation_stack.inline/IsolatedModel', 'compliant', 'main.tf', 16],
      ['aws_cloudformation_stack.from_templatefile/TemplatefileModel', 'compliant', 'templates/isolated.yaml', 5],
      ['aws_cloudformation_stack.from_file/FileModel', 'violation', 'templates/model.cfn.tpl', 6],
    ]);
    expect(findings[3]!.reasons).toEqual([`from aws_cloudformation_stack.from_file's parameters.Isolate ("false")`]);
  });

  it('expands Fn::ForEach (AWS::LanguageExtensions) per item, from a list or a parameter, and judges an unknown collection once', async () => {
    const { findings, problems } = await scan([iacFixturePath('foreach', 'template.yaml')]);
    expect(problems).toEqual([]);
    expect(findings.map((f) => [f.resource, f.verdict, f.line])).toEqual([
      ['ModelChurn', 'violation', 13],
      ['ModelUpsell', 'violation', 13],
      ['fraudModel', 'compliant', 20],
      ['riskModel', 'compliant', 20],
      ['Imported${Item}', 'compliant', 27],
    ]);
    expect(findings[0]!.reasons).toEqual(["property omitted; CloudFormation's default is false", 'from Fn::ForEach::Models (ModelName = Churn)']);
  });

  it('reads serverless.yml resources.Resources, with ${self:custom.X} from the file and other variables unknown', async () => {
    const { findings } = await scan([iacFixturePath('serverless')]);
    expect(findings.map((f) => [f.resource, f.verdict, f.line])).toEqual([
      ['ServerlessModel', 'violation', 13],
      ['IsolatedServerlessModel', 'compliant', 17],
      ['StageModel', 'unknown', 21],
    ]);
  });

  it('reports a file that declares a model in a shape it cannot read, never drops it', async () => {
    const { findings, problems } = await scan([iacFixturePath('unread-shape')]);
    expect(findings).toEqual([]);
    expect(problems).toEqual([{ file: iacFixturePath('unread-shape', 'stack-set.yaml'), line: null, column: null, message: expect.stringMatching(/declares a SageMaker model .* no model resource could be read from it/) }]);
    // A commented-out resource declares nothing.
    const dir = join(tmp, 'commented');
    mkdirSync(dir);
    writeFileSync(join(dir, 'main.tf'), '# resource "aws_sagemaker_model" "old" {\n#   enable_network_isolation = false\n# }\nresource "aws_s3_bucket" "b" {}\n');
    writeFileSync(join(dir, 'old.yaml'), 'Resources:\n  # Old:\n  #   Type: AWS::SageMaker::Model\n  Bucket:\n    Type: AWS::S3::Bucket\n');
    expect(await scan([dir])).toMatchObject({ findings: [], problems: [] });
  });
});

describe('scan: count, for_each, nullable and conditional properties', () => {
  it('evaluates count and for_each where known (0 is no model), per instance, and takes the default for null into nullable = false', async () => {
    const { findings, problems } = await scan([iacFixturePath('gated')]);
    expect(problems).toEqual([]);
    expect(rows(findings)).toEqual([
      ['aws_sagemaker_model.per_team["fraud"]', 'violation'],
      ['aws_sagemaker_model.per_team["risk"]', 'compliant'],
      ['aws_sagemaker_model.by_lookup["churn"]', 'compliant'],
      ['aws_sagemaker_model.by_lookup["fraud"]', 'violation'],
      ['module.nulled.aws_sagemaker_model.this', 'compliant'],
    ]);
    expect(findings[3]!.reasons).toEqual(['lookup: no key "isolate", the default applies']);
    expect(findings[4]!.reasons[0]).toBe("from variable isolate's default: the call module.nulled passes null and the variable is nullable = false");
    // A module whose only call has no instance is no model, not a root judged on its defaults.
    const dir = join(tmp, 'only-gated');
    mkdirSync(join(dir, 'module'), { recursive: true });
    writeFileSync(join(dir, 'main.tf'), 'module "off" {\n  source = "./module"\n  count  = 0\n}\n');
    writeFileSync(join(dir, 'module', 'main.tf'), 'variable "isolate" {\n  type = bool\n}\nresource "aws_sagemaker_model" "this" {\n  enable_network_isolation = var.isolate\n}\n');
    expect(await scan([dir])).toMatchObject({ findings: [], problems: [] });
  });

  it('evaluates comparisons, &&, || and ! in conditions when their operands are known', async () => {
    const dir = join(tmp, 'conditions');
    mkdirSync(dir);
    writeFileSync(join(dir, 'terraform.tfvars'), 'environment = "prod"\n');
    const models = {
      prod_only: 'var.environment == "prod" ? true : false',
      not_dev: '(var.environment != "dev") && var.strict',
      either: 'var.strict || var.unset',
      negated: '!var.strict',
      unknown_side: 'var.unset == "x" ? true : false',
      number_vs_string: 'var.replicas == "2"',
    };
    const text = Object.entries(models).map(([name, expression]) => `resource "aws_sagemaker_model" "${name}" {\n  enable_network_isolation = ${expression}\n}\n`).join('');
    writeFileSync(join(dir, 'main.tf'), `variable "environment" {}\nvariable "strict" {\n  default = true\n}\nvariable "unset" {}\nvariable "replicas" {\n  default = 2\n}\n${text}`);
    const { findings } = await scan([dir]);
    expect(Object.fromEntries(findings.map((f) => [f.resource.replace('aws_sagemaker_model.', ''), f.verdict]))).toEqual({
      prod_only: 'compliant',
      not_dev: 'compliant',
      either: 'compliant',
      negated: 'violation',
      unknown_side: 'violation',
      number_vs_string: 'violation',
    });
  });

  it('reads Properties given by Fn::If: true on both branches is no omission; AWS::NoValue is', async () => {
    const { findings } = await scan([iacFixturePath('cloudformation-if')]);
    expect(findings.map((f) => [f.resource, f.verdict, f.networkIsolation])).toEqual([
      ['PropertiesIfBothTrue', 'compliant', true],
      ['PropertiesIfNoValue', 'violation', false],
    ]);
  });

  it('attributes a resource whose label is written with an escape to its own file and line', async () => {
    const { findings } = await scan([iacFixturePath('escaped-label')]);
    expect(findings.map((f) => [f.resource, f.file, f.line])).toEqual([['aws_sagemaker_model.m1', iacFixturePath('escaped-label', 'b.tf'), 3]]);
  });
});
