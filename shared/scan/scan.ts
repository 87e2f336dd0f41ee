import { posix } from 'node:path';
import { parseTemplateText, SAGEMAKER_MODEL_TYPE, scanCloudFormationTemplate, serverlessTemplate } from './cloudformation.js';
import { isTerraformPlan, scanTerraformPlan } from './terraform-plan.js';
import { isAutoTfvars, mayMatter, scanTerraform, type HclParser, type TerraformDirectory, type TerraformFile, type TerraformScanOptions } from './terraform-hcl.js';
import type { ScanFinding, ScanProblem, ScanResult } from './types.js';
import { TemplateParseError } from './errors.js';
import { errorText } from '../model/error-text.js';

/**
 * A file to scan: its text, or why it could not be read. `explicit`: named on the command line
 * (any name is read); otherwise found by walking a folder, whose files come one after another.
 */
export type ScanSource = { path: string; text: string; explicit: boolean } | { path: string; error: string };

export interface ScanOptions {
  parseHcl: HclParser;
  varFiles: TerraformFile[];
  /** CloudFormation `--parameter KEY=VALUE`. */
  parameters: ReadonlyMap<string, string>;
  /** Exemption expiry is judged at this instant. */
  now: Date;
  /** The repository root: local modules and `file()` templates are followed inside it only (null: anywhere). */
  root?: string | null;
  /** Adapters reading what the code points to outside the scanned paths (modules, stack templates). */
  readFolder?: TerraformScanOptions['readFolder'];
  readFile?: TerraformScanOptions['readFile'];
}

export type FileKind = 'terraform' | 'tfvars' | 'json' | 'yaml' | 'other';

/** What a file may hold, from its name alone; the content decides the rest (a plan, a template, neither). */
export function fileKind(path: string): FileKind {
  const name = posix.basename(path).toLowerCase();
  if (name.endsWith('.tf') || name.endsWith('.tf.json')) return 'terraform';
  if (name.endsWith('.tfvars') || name.endsWith('.tfvars.json')) return 'tfvars';
  if (name.endsWith('.json')) return 'json';
  if (name.endsWith('.yaml') || name.endsWith('.yml') || name.endsWith('.template')) return 'yaml';
  return 'other';
}

/** A template or plan is parsed only when its text names a SageMaker model: the rest of a repository costs a substring search. */
const mentionsModel = (text: string) => text.includes(SAGEMAKER_MODEL_TYPE) || text.includes('aws_sagemaker_model');

/**
 * Text that declares a model (a CloudFormation `Type: AWS::SageMaker::Model`, a Terraform
 * `resource "aws_sagemaker_model"`): a file holding
 * one that yields no model resource is in a shape this scan does not read, and is reported.
 */
const DECLARES_MODEL = /["']?Type["']?\s*:\s*["']?AWS::SageMaker::Model\b|\bresource\s+"?aws_sagemaker_model"?\s/;
/** Comment lines do not declare anything (a commented-out resource is not a model). */
const declaresModel = (text: string) => DECLARES_MODEL.test(text) && DECLARES_MODEL.test(text.replace(/^[ \t]*(#|\/\/).*$/gm, ''));

function scanDocument(path: string, text: string, json: boolean, options: ScanOptions): { findings: ScanFinding[]; problems: ScanProblem[] } {
  let parsed: unknown;
  try {
    parsed = parseTemplateText(text, json);
  } catch (error) {
    const at = error instanceof TemplateParseError ? error : null;
    return { findings: [], problems: [{ file: path, line: at?.line ?? null, column: at?.column ?? null, message: errorText(error, { name: false }) }] };
  }
  if (json && isTerraformPlan(parsed)) return { findings: scanTerraformPlan(path, text, parsed), problems: [] };
  const serverless = serverlessTemplate(parsed);
  if (serverless !== null) return scanCloudFormationTemplate(path, text, serverless, json, { parameters: options.parameters, now: options.now });
  return scanCloudFormationTemplate(path, text, parsed, json, { parameters: options.parameters, now: options.now });
}

/**
 * Scans what the walker hands over: templates and plans one at a time (nothing kept), Terraform
 * folders at the end (a module's inputs come from its callers). Findings are sorted by file and line.
 */
export async function scanSources(sources: AsyncIterable<ScanSource>, options: ScanOptions): Promise<ScanResult> {
  const findings: ScanFinding[] = [];
  const problems: ScanProblem[] = [];
  const terraform = new Map<string, TerraformDirectory>();
  const folder = (path: string) => {
    const dir = posix.dirname(path);
    let directory = terraform.get(dir);
    if (!directory) terraform.set(dir, (directory = { dir, files: [], tfvars: [] }));
    return directory;
  };
  let filesSeen = 0;
  /** Files whose text declares a model: each must yield a finding (or a problem), never nothing. */
  const declaringModels = new Set<string>();
  // A walked folder's files come together: once the walk has moved on, a folder holding neither a
  // model nor a module call is forgotten, so memory follows the folders that matter, not the repository.
  let lastWalkedDir: string | null = null;
  const forgetIfIrrelevant = (dir: string | null) => {
    const directory = dir === null ? undefined : terraform.get(dir);
    if (directory && !directory.files.some(mayMatter)) {
      directory.files = directory.files.map((file) => ({ path: file.path, text: '' }));
      directory.tfvars = [];
    }
  };
  for await (const source of sources) {
    // Files read: a PATH that does not exist is a problem named on its own line, not a file.
    if (!('error' in source)) filesSeen++;
    if (!('error' in source) && !source.explicit) {
      const dir = posix.dirname(source.path);
      if (dir !== lastWalkedDir) forgetIfIrrelevant(lastWalkedDir);
      lastWalkedDir = dir;
    }
    if ('error' in source) {
      problems.push({ file: source.path, line: null, column: null, message: source.error });
      continue;
    }
    const kind = fileKind(source.path);
    if (kind !== 'tfvars' && mentionsModel(source.text) && declaresModel(source.text)) declaringModels.add(source.path);
    if (kind === 'terraform') {
      // Every file of a folder that holds a model is parsed: its variables and locals live there.
      folder(source.path).files.push(source);
    } else if (kind === 'tfvars') {
      if (isAutoTfvars(posix.basename(source.path))) folder(source.path).tfvars.push(source);
    } else if (mentionsModel(source.text)) {
      const json = kind === 'json' || (kind === 'other' && source.text.trimStart().startsWith('{'));
      if (kind === 'other' && !source.explicit) continue;
      const result = scanDocument(source.path, source.text, json, options);
      findings.push(...result.findings);
      problems.push(...result.problems);
    }
  }
  forgetIfIrrelevant(lastWalkedDir);
  const declared = new Set<string>();
  if ([...terraform.values()].some((d) => d.files.some(mayMatter))) {
    const result = await scanTerraform([...terraform.values()], {
      parseHcl: options.parseHcl,
      varFiles: options.varFiles,
      now: options.now,
      root: options.root ?? null,
      readFolder: options.readFolder,
      readFile: options.readFile,
      parameters: options.parameters,
    });
    // A template deployed by an aws_cloudformation_stack is judged with the stack's parameters, at the stack's address.
    const deployed = new Set([...result.stackTemplates].map((path) => posix.resolve(path)));
    const kept = findings.filter((f) => f.format !== 'cloudformation' || !deployed.has(posix.resolve(f.file)));
    findings.splice(0, findings.length, ...kept, ...result.findings);
    problems.push(...result.problems);
    for (const path of result.declaring) declared.add(posix.resolve(path));
  }
  for (const finding of findings) declared.add(posix.resolve(finding.file));
  for (const problem of problems) declared.add(posix.resolve(problem.file));
  for (const path of declaringModels) {
    if (declared.has(posix.resolve(path))) continue;
    problems.push({
      file: path,
      line: null,
      column: null,
      message: 'declares a SageMaker model (AWS::SageMaker::Model or aws_sagemaker_model) but no model resource could be read from it: a shape this scan does not read (docs/scan.md lists them); judge it from the synthesised template or the plan',
    });
  }
  findings.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.resource.localeCompare(b.resource));
  return { findings, problems, filesSeen };
}
