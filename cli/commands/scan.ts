import { readFile } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import packageJson from '../../package.json' with { type: 'json' };
import { readScanSources } from '../../shared/scan/files.js';
import { parseHcl } from '../../shared/scan/hcl-parser.js';
import { pipelineContext, pipelineRecord } from '../../shared/scan/pipeline-evidence.js';
import { renderSarif } from '../../shared/scan/sarif.js';
import { scanSources } from '../../shared/scan/scan.js';
import type { TerraformFile } from '../../shared/scan/terraform-hcl.js';
import { failsGate, SCAN_FINDING_FIELDS, type ScanFinding, type ScanProblem, type ScanResult } from '../../shared/scan/types.js';
import type { Config } from '../../shared/config.js';
import { UsageError } from '../../shared/errors.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { fit, printable } from '../format-table.js';
import { jsonEscaped, printableDocument } from '../../shared/model/display-text.js';
import { writeOutFile, type CliIo } from '../io.js';

const SCAN_OUTPUT_FORMATS = ['json', 'table', 'sarif'] as const;
export type ScanOutputFormat = (typeof SCAN_OUTPUT_FORMATS)[number];

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

/** Paths in SARIF are relative to the repository root (the working directory in CI), with `/`; a file outside it is a file:// URI. */
function sarifUri(file: string): string {
  const path = isAbsolute(file) ? relative(process.cwd(), file) : file;
  if (path.startsWith('..') || isAbsolute(path)) return pathToFileURL(resolve(file)).href;
  return path.split(sep).join('/');
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
    try {
      varFiles.push({ path, text: await readFile(path, 'utf8') });
    } catch (error) {
      varFileProblems.push({ file: path, line: null, column: null, message: `--var-file: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})` });
    }
  }
  const scanned = await scanSources(readScanSources(options.paths), { parseHcl, varFiles, parameters: options.parameters, now: options.now });
  const result: ScanResult = { ...scanned, problems: [...varFileProblems, ...scanned.problems] };

  let rendered: string;
  if (options.format === 'sarif') rendered = JSON.stringify(renderSarif(result.findings, result.problems, { toolVersion: TOOL_VERSION, uriOf: sarifUri }), null, 2);
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
      const { s3 } = createAwsClients({ region: options.region ?? options.env.AWS_REGION ?? 'us-east-1' });
      const where = await filePipelineRecord(s3, options.evidenceBucket, record);
      io.stderr(`isolation-guard: ${record.result}; filed ${where}`);
    } catch (error) {
      io.stderr(`isolation-guard: --evidence-bucket ${options.evidenceBucket}: could not file the result (${(error as Error).name}: ${(error as Error).message})`);
      return code === EXIT.ok ? EXIT.effectFailed : code;
    }
  }
  return code;
}

/** `scan` from its parsed command line (options declared in cli/main.ts). */
export async function scanMain(values: Record<string, unknown>, positionals: string[], config: Config, io: CliIo, env: NodeJS.ProcessEnv): Promise<ExitCode> {
  const format = values.format as ScanOutputFormat;
  if (!SCAN_OUTPUT_FORMATS.includes(format)) throw new UsageError(`--format: expected one of ${SCAN_OUTPUT_FORMATS.join(', ')}, got ${JSON.stringify(values.format)}`);
  if (positionals.length === 0) throw new UsageError('scan: give at least one PATH (a file or a folder)');
  const parameters = new Map<string, string>();
  for (const entry of (values.parameter as string[] | undefined) ?? []) {
    const eq = entry.indexOf('=');
    if (eq < 1) throw new UsageError(`--parameter: expected KEY=VALUE, got ${JSON.stringify(entry)}`);
    parameters.set(entry.slice(0, eq), entry.slice(eq + 1));
  }
  const asOf = values['as-of'];
  const now = asOf === undefined ? new Date() : new Date(String(asOf));
  if (Number.isNaN(now.getTime())) throw new UsageError(`--as-of: not a date: ${JSON.stringify(asOf)}`);
  return scanCommand(
    {
      paths: positionals,
      format,
      out: typeof values.out === 'string' ? values.out : null,
      varFiles: (values['var-file'] as string[] | undefined) ?? [],
      parameters,
      now,
      evidenceBucket: config.evidenceBucket,
      region: typeof values.region === 'string' ? values.region : null,
      env,
    },
    io,
  );
}
