import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import packageJson from '../../package.json' with { type: 'json' };
import { applyBaseline, baselineSchema, createBaseline, type Baseline } from '../../shared/scan/baseline.js';
import { readScanSources, readTerraformFolder, readTextFile } from '../../shared/scan/files.js';
import { parseHcl } from '../../shared/scan/hcl-parser.js';
import { pipelineContext, pipelineRecord } from '../../shared/scan/pipeline-evidence.js';
import { renderSarif } from '../../shared/scan/sarif.js';
import { scanSources } from '../../shared/scan/scan.js';
import type { TerraformFile } from '../../shared/scan/terraform-hcl.js';
import { failsGate, SCAN_FINDING_FIELDS, type ScanFinding, type ScanProblem, type ScanResult } from '../../shared/scan/types.js';
import { homeRegion } from '../../shared/config.js';
import { UsageError } from '../../shared/errors.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { fit, printable } from '../format-table.js';
import { jsonEscaped, printableDocument } from '../../shared/model/display-text.js';
import { writeOutFile, type CliIo } from '../io.js';
import { errorText } from '../../shared/model/error-text.js';

import type { ScanOutputFormat } from './scan-formats.js';

export type { ScanOutputFormat };

export interface ScanOptions {
  paths: string[];
  format: ScanOutputFormat;
  out: string | null;
  varFiles: string[];
  parameters: Map<string, string>;
  now: Date;
  evidenceBucket: string | null;
  region: string | null;
  /** Where the CI variables (repository, commit, run id) are read from. */
  env: Record<string, string | undefined>;
  /** The repository root: SARIF paths and baseline keys are relative to it; modules are followed inside it. */
  root: string;
  /** `--baseline FILE`: findings listed there pass; with `createBaseline`, where the baseline is written. */
  baseline: string | null;
  createBaseline: boolean;
}

/** The default baseline file, in the root (Checkov's is `.checkov.baseline`). */
export const DEFAULT_BASELINE = '.isolation-guard.baseline';

/** The repository root: the nearest folder up from `cwd` holding `.git` (a folder, or a worktree's file); else `cwd`. */
export function repositoryRoot(cwd: string): string {
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    if (existsSync(join(dir, '.git'))) return dir;
    if (dirname(dir) === dir) return resolve(cwd);
  }
}

const TOOL_VERSION = packageJson.version;

/** The scan contract: exactly these fields, in this order, one JSON object per line. */
function findingLine(finding: ScanFinding): string {
  return JSON.stringify(Object.fromEntries(SCAN_FINDING_FIELDS.map((field) => [field, finding[field]])));
}

function table(findings: readonly ScanFinding[]): string[] {
  const lines = [[fit('VERDICT', 10), fit('ISOLATION', 9), fit('FORMAT', 14), fit('RESOURCE', 56), 'WHERE'].join('  ')];
  for (const f of findings) {
    const isolation = f.networkIsolation === null ? 'unknown' : String(f.networkIsolation);
    lines.push([fit(f.verdict, 10), fit(isolation, 9), fit(f.format, 14), fit(printable(f.resource), 56), printable(`${f.file}:${f.line}`)].join('  '));
    if (f.verdict !== 'compliant') lines.push(`    ${printable(f.reasons.join('; '))}`);
  }
  return lines;
}

/**
 * Paths in SARIF (and baseline keys) are relative to the root, absolute or not as given, with `/`,
 * each segment percent-encoded (a space, `#` or `%` would break a URI reference); a file outside the
 * root is a file:// URI.
 */
export function rootRelativeUri(root: string): (file: string) => string {
  return (file) => {
    const path = relative(root, resolve(file));
    if (path === '') return './';
    if (path === '..' || path.startsWith(`..${sep}`) || isAbsolute(path)) return pathToFileURL(resolve(file)).href;
    return path.split(sep).map(encodeURIComponent).join('/');
  };
}

const problemText = (p: ScanProblem) => `${p.file}${p.line === null ? '' : `:${p.line}${p.column === null ? '' : `:${p.column}`}`}: ${p.message}`;

function exitCodeOf(result: ScanResult): ExitCode {
  if (result.problems.length > 0) return EXIT.inputError;
  return result.findings.some((f) => failsGate(f.verdict)) ? EXIT.violation : EXIT.ok;
}

/**
 * `isolation-guard scan PATH...`: the shift-left gate. Every SageMaker model resource in Terraform,
 * plans, CloudFormation, SAM and CDK output, decided before deployment. Exit 0 all compliant or
 * exempt, 1 a violation or a value unknown before deployment, 2 an input could not be read (the
 * others are still reported), 3 the result could not be filed in the evidence bucket.
 */
export async function scanCommand(options: ScanOptions, io: CliIo): Promise<ExitCode> {
  const varFileProblems: ScanProblem[] = [];
  const varFiles: TerraformFile[] = [];
  for (const path of options.varFiles) {
    const read = readTextFile(path);
    if ('error' in read) varFileProblems.push({ file: path, line: null, column: null, message: `--var-file: ${read.error}` });
    else varFiles.push({ path, text: read.text });
  }
  const uri = rootRelativeUri(options.root);
  const baselinePath = options.baseline ?? (options.createBaseline ? join(options.root, DEFAULT_BASELINE) : null);
  let baseline: Baseline | null = null;
  if (options.baseline !== null && !options.createBaseline) {
    const read = readTextFile(options.baseline);
    if ('error' in read) throw new UsageError(`--baseline ${options.baseline}: ${read.error}`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(read.text);
    } catch (error) {
      throw new UsageError(`--baseline ${options.baseline}: not JSON (${errorText(error, { name: false })})`);
    }
    const checked = baselineSchema.safeParse(parsed);
    if (!checked.success) throw new UsageError(`--baseline ${options.baseline}: not a baseline written by --create-baseline (${checked.error.issues[0]?.path.join('.') || 'top'}: ${checked.error.issues[0]?.message ?? 'invalid'})`);
    baseline = checked.data;
  }
  const scanned = await scanSources(readScanSources(options.paths), {
    parseHcl,
    varFiles,
    parameters: options.parameters,
    now: options.now,
    root: options.root,
    readFolder: readTerraformFolder,
    readFile: readTextFile,
  });
  const findings = baseline === null ? scanned.findings : applyBaseline(scanned.findings, baseline, uri, options.baseline!);
  const result: ScanResult = { ...scanned, findings, problems: [...varFileProblems, ...scanned.problems] };

  if (options.createBaseline) {
    if (result.problems.length > 0) {
      for (const problem of result.problems) io.stderr(`isolation-guard: ${printable(problemText(problem))}`);
      io.stderr(`isolation-guard: --create-baseline: not written, ${result.problems.length} input(s) could not be read (a baseline must not hide what was not seen)`);
      return EXIT.inputError;
    }
    const created = createBaseline(result.findings, uri, new Date());
    await writeFile(baselinePath!, `${JSON.stringify(created, null, 2)}\n`);
    io.stderr(`isolation-guard: ${created.findings.length} failing finding(s) written to the baseline ${baselinePath}; scan with --baseline ${baselinePath} to fail only on new ones`);
    return EXIT.ok;
  }

  let rendered: string;
  if (options.format === 'sarif') rendered = JSON.stringify(renderSarif(result.findings, result.problems, { toolVersion: TOOL_VERSION, uriOf: uri }), null, 2);
  else if (options.format === 'table') rendered = table(result.findings).join('\n');
  else rendered = result.findings.map(findingLine).join('\n');
  // The one sanitiser: JSON and SARIF keep their exact value (escapes, never raw controls or bidi marks); a table shows them as \uXXXX.
  rendered = options.format === 'table' ? printableDocument(rendered) : jsonEscaped(rendered);
  if (options.out !== null) await writeOutFile(options.out, rendered === '' ? '' : `${rendered}\n`);
  else if (rendered !== '') io.stdout(rendered);

  for (const problem of result.problems) io.stderr(`isolation-guard: ${printable(problemText(problem))}`);
  const failing = result.findings.filter((f) => failsGate(f.verdict)).length;
  io.stderr(
    `isolation-guard: ${result.filesSeen} files, ${result.findings.length} SageMaker model resource(s), ${failing} failing the gate` +
      (result.problems.length > 0 ? `, ${result.problems.length} input(s) could not be read` : ''),
  );
  const code = exitCodeOf(result);

  if (options.evidenceBucket !== null) {
    const record = pipelineRecord(result, code, pipelineContext(options.env), new Date());
    try {
      const [{ createAwsClients }, { filePipelineRecord }] = await Promise.all([import('../../shared/aws/clients.js'), import('../../shared/scan/pipeline-store.js')]);
      const { s3 } = createAwsClients({ region: homeRegion({ given: options.region, env: options.env }) });
      const where = await filePipelineRecord(s3, options.evidenceBucket, record);
      io.stderr(`isolation-guard: ${record.result}; filed ${where}`);
    } catch (error) {
      io.stderr(`isolation-guard: --evidence-bucket ${options.evidenceBucket}: could not file the result (${errorText(error)})`);
      return code === EXIT.ok ? EXIT.effectFailed : code;
    }
  }
  return code;
}

