import { posix } from 'node:path';
import { parseTemplateText, scanCloudFormationTemplate } from './cloudformation.js';
import { decodeHclString } from './hcl-lite.js';
import { terraformCommentExemption, withInlineExemption } from './inline-exemption.js';
import { isObject } from '../model/is-object.js';
import { lineAt, verdictOf, type Resolved, type ScanFinding, type ScanProblem } from './types.js';
import { errorMessage, errorText } from '../model/error-text.js';
import { mapBounded } from '../model/concurrency.js';
import { TemplateParseError } from './errors.js';

/**
 * Terraform configurations (`*.tf`, `*.tf.json`): every `aws_sagemaker_model` and its
 * `enable_network_isolation`, resolved statically as Terraform would: literals (the string "true"
 * is true), `var.X` (module call, tfvars, `--var-file`, default; `nullable = false` takes the
 * default for a null), `local.X`, conditionals. Local modules (`source = "./ml"`, `"../"`) are
 * followed wherever they lead inside the root, per call, with their addresses
 * (`module.ml.aws_sagemaker_model.churn`) and the call's inputs; `count` / `for_each` are expanded
 * per instance when known. The CloudFormation template of an `aws_cloudformation_stack` (heredoc,
 * `file()`, `templatefile()`) is judged with the stack's parameters. Pure: the HCL parser and the
 * readers of what lies outside the scanned paths are passed in.
 */
export type HclParser = (file: string, text: string) => Promise<Record<string, unknown>>;

export interface TerraformFile {
  path: string;
  text: string;
}

/** One folder of Terraform: its configuration files and its tfvars (`terraform.tfvars`, `*.auto.tfvars`, `.json` too). */
export interface TerraformDirectory {
  dir: string;
  files: TerraformFile[];
  tfvars: TerraformFile[];
}

export interface TerraformScanOptions {
  parseHcl: HclParser;
  /** `--var-file`: applied to root configurations after their own tfvars (later files win). */
  varFiles: TerraformFile[];
  now: Date;
  /**
   * A local module's folder that the scan was not given (`scan envs/dev` calling
   * `../../modules/ml`): read through this adapter, only inside `root`. Without it such a call is
   * a problem, named (fail closed).
   */
  readFolder?: (dir: string) => { files: TerraformFile[]; problems: { path: string; error: string }[] } | { error: string };
  /** A file named by `file()` / `templatefile()` in an `aws_cloudformation_stack`'s `template_body`. */
  readFile?: (path: string) => { text: string } | { error: string };
  /** Modules and files are followed only inside this folder (the repository root); null: anywhere. */
  root: string | null;
  /** CloudFormation `--parameter KEY=VALUE`, for templates inside `aws_cloudformation_stack` without their own `parameters`. */
  parameters?: ReadonlyMap<string, string>;
}

interface Block {
  name: string;
  body: Record<string, unknown>;
  file: TerraformFile;
  line: number;
}

interface ModuleCall {
  name: string;
  source: string;
  target: string;
  inputs: Record<string, unknown>;
  body: Record<string, unknown>;
  file: TerraformFile;
}

interface ModuleDefinition {
  dir: string;
  variables: Map<string, { hasDefault: boolean; value: unknown; nullable: boolean }>;
  locals: Map<string, unknown>;
  models: Block[];
  stacks: Block[];
  calls: ModuleCall[];
  tfvars: TerraformFile[];
}

/** `each.key` / `each.value` of a `for_each` instance, `count.index` of a `count` instance. */
interface Iteration {
  key: unknown;
  value: unknown;
  index: number | null;
}

interface ModuleInstance {
  definition: ModuleDefinition;
  /** `''` for a root, `module.a.module.b.` inside modules. */
  prefix: string;
  /** Inputs of the module call, evaluated in the caller. */
  inputs: Map<string, { raw: unknown; caller: Scope; callName: string }> | null;
  /** Root only: values from tfvars and --var-file. */
  varValues: Map<string, { value: unknown; from: string }>;
  /** The root configuration's folder (Terraform's `path.root`). */
  rootDir: string;
}

/** Where an expression is evaluated: a module instance, inside one instance of a repeated block or not. */
interface Scope {
  instance: ModuleInstance;
  iteration: Iteration | null;
}

const PARSES_IN_FLIGHT = 8;
const META_ARGUMENTS = new Set(['source', 'version', 'count', 'for_each', 'providers', 'depends_on']);
const MODEL_TYPE = 'aws_sagemaker_model';
const STACK_TYPE = 'aws_cloudformation_stack';
/** More instances than this are judged once for the block (their setting is shared unless it uses the index). */
const MAX_INSTANCES = 1000;
/** A resource type written with an escape (`"aws_sagemaker\u005fmodel"`) does not name the type as text. */
const ESCAPED_RESOURCE_TYPE = /\bresource\s+"[^"\n]*\\/;

/** Whether a file can hold what this scan needs (a model, a stack, or a module call passing inputs): the rest is not parsed. */
export function mayMatter(file: TerraformFile): boolean {
  return file.text.includes(MODEL_TYPE) || file.text.includes(STACK_TYPE) || /\bmodule\b/.test(file.text) || ESCAPED_RESOURCE_TYPE.test(file.text);
}

/**
 * The scan reads five kinds of block: variable, locals, module, the model and the CloudFormation
 * stack. A file whose text names none of them (outputs.tf, providers.tf, versions.tf...) has
 * nothing to read: not parsed.
 */
const holdsWhatWeRead = (file: TerraformFile) => /\b(variable|locals|module)\b/.test(file.text) || mayMatter(file);

const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : value === undefined ? [] : [value]);
const blocks = (value: unknown): Record<string, unknown>[] => asList(value).filter(isObject);

/** The position HCL diagnostics give: `file.tf:2,7-3,1: Summary; detail`. */
export function hclProblem(file: string, error: unknown): ScanProblem {
  const message = errorMessage(error);
  const at = /:(\d+),(\d+)(?:-\d+(?:,\d+)?)?: ([^\]]*)/.exec(message);
  if (at) return { file, line: Number(at[1]), column: Number(at[2]), message: at[3]!.trim() };
  return { file, line: null, column: null, message: message.replace(/^parse config: \[?|\]$/g, '') };
}

async function parseFile(file: TerraformFile, parseHcl: HclParser): Promise<Record<string, unknown>> {
  if (file.path.endsWith('.json')) {
    const parsed = parseTemplateText(file.text, true);
    return isObject(parsed) ? parsed : {};
  }
  return parseHcl(file.path, file.text);
}

const LABEL = String.raw`(?:"((?:[^"\\\n]|\\.)*)"|([A-Za-z_][\w-]*))`;
const RESOURCE_BLOCK = new RegExp(String.raw`^[ \t]*resource[ \t]+${LABEL}[ \t]+${LABEL}[ \t]*\{`, 'gm');
const JSON_KEY = /"((?:[^"\\]|\\.)*)"\s*:/g;

/**
 * The line of each `resource "TYPE" "NAME"` block of a file, keyed `TYPE.NAME` with the labels as
 * the parser reads them (escapes decoded), so a label written with an escape is found in its own
 * file, at its own line.
 */
function resourceLines(file: TerraformFile): Map<string, number> {
  const lines = new Map<string, number>();
  if (file.path.endsWith('.json')) {
    for (const type of [MODEL_TYPE, STACK_TYPE]) {
      const typeAt = file.text.indexOf(`"${type}"`);
      if (typeAt < 0) continue;
      JSON_KEY.lastIndex = typeAt + type.length + 2;
      for (let match = JSON_KEY.exec(file.text); match; match = JSON_KEY.exec(file.text)) {
        let name: string;
        try {
          name = JSON.parse(`"${match[1]!}"`) as string;
        } catch {
          continue;
        }
        if (!lines.has(`${type}.${name}`)) lines.set(`${type}.${name}`, lineAt(file.text, match.index));
      }
    }
    return lines;
  }
  RESOURCE_BLOCK.lastIndex = 0;
  for (let match = RESOURCE_BLOCK.exec(file.text); match; match = RESOURCE_BLOCK.exec(file.text)) {
    const type = match[1] !== undefined ? decodeHclString(match[1]) : match[2]!;
    const name = match[3] !== undefined ? decodeHclString(match[3]) : match[4]!;
    const key = `${type}.${name}`;
    if (!lines.has(key)) lines.set(key, lineAt(file.text, match.index + (match[0].length - match[0].trimStart().length)));
  }
  return lines;
}

const isLocalSource = (source: unknown): source is string => typeof source === 'string' && /^\.\.?(\/|$)/.test(source);

/** A folder path as the walk names folders: normalised, without a trailing `/` (`"../"`, `"./modules/sm/"` are folders). */
export function moduleFolder(dir: string, source: string): string {
  const joined = posix.normalize(posix.join(dir, source));
  return joined.length > 1 && joined.endsWith('/') ? joined.slice(0, -1) : joined;
}

/**
 * A folder's HCL files parsed in one call (as Terraform reads a folder as one module): the parser's
 * cost is mostly per call, so this is several times faster than a call per file. When the joined
 * text does not parse, each file is parsed alone, so an error names its own file, line and column
 * and the folder's other files still count.
 */
async function parseFolder(folderFiles: TerraformFile[], parseHcl: HclParser, problems: ScanProblem[]): Promise<Record<string, unknown>[]> {
  const parsed: Record<string, unknown>[] = [];
  const files = folderFiles.filter(holdsWhatWeRead);
  const hcl = files.filter((file) => !file.path.endsWith('.json'));
  const parseEach = async (each: TerraformFile[]) => {
    for (const file of each) {
      try {
        parsed.push(await parseFile(file, parseHcl));
      } catch (error) {
        problems.push(error instanceof TemplateParseError ? { file: file.path, line: error.line, column: error.column, message: error.message } : hclProblem(file.path, error));
      }
    }
  };
  if (hcl.length > 1) {
    try {
      parsed.push(await parseHcl(`${posix.dirname(hcl[0]!.path)}/(folder).tf`, hcl.map((file) => file.text).join('\n')));
    } catch {
      await parseEach(hcl);
    }
  } else {
    await parseEach(hcl);
  }
  await parseEach(files.filter((file) => file.path.endsWith('.json')));
  return parsed;
}

/** Gathers a parsed folder's variables, locals, models, stacks and local module calls. */
function definitionOf(directory: TerraformDirectory, parsedFolder: Record<string, unknown>[]): ModuleDefinition {
  const definition: ModuleDefinition = { dir: directory.dir, variables: new Map(), locals: new Map(), models: [], stacks: [], calls: [], tfvars: directory.tfvars };
  const lines = new Map<TerraformFile, Map<string, number>>();
  // The file that declares a block (a folder's files are parsed together).
  const declaring = (type: string, name: string): { file: TerraformFile; line: number } => {
    for (const file of directory.files) {
      if (!lines.has(file)) lines.set(file, resourceLines(file));
      const line = lines.get(file)!.get(`${type}.${name}`);
      if (line !== undefined) return { file, line };
    }
    return { file: directory.files[0]!, line: 1 };
  };
  for (const parsed of parsedFolder) {
    for (const variables of blocks(parsed.variable)) {
      for (const [name, body] of Object.entries(variables)) {
        const declared = blocks(body)[0] ?? {};
        definition.variables.set(name, { hasDefault: 'default' in declared, value: declared.default, nullable: declared.nullable !== false && declared.nullable !== 'false' });
      }
    }
    for (const locals of blocks(parsed.locals)) for (const [name, value] of Object.entries(locals)) definition.locals.set(name, value);
    for (const resources of blocks(parsed.resource)) {
      for (const [type, into] of [[MODEL_TYPE, definition.models], [STACK_TYPE, definition.stacks]] as const) {
        for (const declared of blocks(resources[type])) {
          for (const [name, body] of Object.entries(declared)) into.push({ name, body: blocks(body)[0] ?? {}, ...declaring(type, name) });
        }
      }
    }
    for (const modules of blocks(parsed.module)) {
      for (const [name, body] of Object.entries(modules)) {
        const call = blocks(body)[0] ?? {};
        if (!isLocalSource(call.source)) continue;
        const inputs = Object.fromEntries(Object.entries(call).filter(([key]) => !META_ARGUMENTS.has(key)));
        const file = directory.files.find((f) => new RegExp(`\\bmodule\\s+"?${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"?\\s*\\{`).test(f.text)) ?? directory.files[0]!;
        definition.calls.push({ name, source: call.source, target: moduleFolder(directory.dir, call.source), inputs, body: call, file });
      }
    }
  }
  const order = (a: Block, b: Block) => a.file.path.localeCompare(b.file.path) || a.line - b.line;
  definition.models.sort(order);
  definition.stacks.sort(order);
  return definition;
}

/** Parses the directories that matter and gathers variables, locals, models and local module calls. */
async function loadDefinitions(directories: TerraformDirectory[], options: TerraformScanOptions, problems: ScanProblem[]): Promise<Map<string, ModuleDefinition>> {
  const definitions = new Map<string, ModuleDefinition>();
  const relevant = directories.filter((directory) => directory.files.some(mayMatter));
  // Several folders in flight: the WASM parser waits on timers between calls, and calls in flight
  // together share those waits (8 at once: 7x faster than one by one on 300 folders, less CPU too).
  const folderProblems = relevant.map((): ScanProblem[] => []);
  const parsedFolders = await mapBounded(relevant, PARSES_IN_FLIGHT, (directory, index) => parseFolder(directory.files, options.parseHcl, folderProblems[index]!));
  for (const [index, directory] of relevant.entries()) {
    problems.push(...folderProblems[index]!);
    definitions.set(directory.dir, definitionOf(directory, parsedFolders[index]!));
  }
  return definitions;
}

/** Whether `path` lies inside `root` (both as given: relative to the working directory, or absolute). */
function inside(root: string | null, path: string): boolean {
  if (root === null) return true;
  const relative = posix.relative(posix.resolve(root), posix.resolve(path));
  return relative === '' || (!relative.startsWith('../') && relative !== '..' && !posix.isAbsolute(relative));
}

/**
 * Local modules called from what was scanned but lying outside it (`scan envs/dev` calling
 * `../../modules/ml`): read, read-only and inside the root, until every call is resolved. A call
 * that cannot be followed (outside the root, missing, unreadable) is a problem naming the call and
 * its source: the gate fails closed rather than judging the module on its own defaults.
 */
async function followModules(definitions: Map<string, ModuleDefinition>, scannedDirs: ReadonlySet<string>, options: TerraformScanOptions, problems: ScanProblem[]): Promise<void> {
  const refused = new Set<string>();
  for (;;) {
    const missing = new Map<string, ModuleCall[]>();
    for (const definition of definitions.values()) {
      for (const call of definition.calls) {
        if (definitions.has(call.target) || scannedDirs.has(call.target) || refused.has(call.target)) continue;
        missing.set(call.target, [...(missing.get(call.target) ?? []), call]);
      }
    }
    if (missing.size === 0) return;
    const directories: TerraformDirectory[] = [];
    for (const [target, calls] of missing) {
      const refuse = (why: string) => {
        refused.add(target);
        for (const call of calls) {
          problems.push({ file: call.file.path, line: lineOfModule(call), column: null, message: `module "${call.name}" (source "${call.source}"): ${why}; the models it declares cannot be judged` });
        }
      };
      if (!inside(options.root, target)) {
        refuse(`${target} is outside the repository root ${options.root ?? ''} and is not read (give --root)`);
        continue;
      }
      if (!options.readFolder) {
        refuse(`${target} was not scanned: scan the folder that holds both`);
        continue;
      }
      const read = options.readFolder(target);
      if ('error' in read) {
        refuse(`${target}: ${read.error}`);
        continue;
      }
      for (const problem of read.problems) problems.push({ file: problem.path, line: null, column: null, message: problem.error });
      if (read.files.length === 0) {
        refuse(`${target} holds no .tf or .tf.json file`);
        continue;
      }
      directories.push({ dir: target, files: read.files, tfvars: [] });
    }
    const relevant = directories.filter((directory) => directory.files.some(mayMatter));
    for (const directory of directories) {
      if (!relevant.includes(directory)) definitions.set(directory.dir, definitionOf(directory, []));
    }
    for (const [dir, definition] of await loadDefinitions(relevant, options, problems)) definitions.set(dir, definition);
  }
}

function lineOfModule(call: ModuleCall): number {
  const at = new RegExp(`^[ \\t]*module\\s+"?${call.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"?\\s*\\{`, 'm').exec(call.file.text);
  return at ? lineAt(call.file.text, at.index + (at[0].length - at[0].trimStart().length)) : 1;
}

async function readVarFile(file: TerraformFile, parseHcl: HclParser, problems: ScanProblem[]): Promise<Record<string, unknown>> {
  try {
    return await parseFile(file, parseHcl);
  } catch (error) {
    problems.push(error instanceof TemplateParseError ? { file: file.path, line: error.line, column: error.column, message: error.message } : hclProblem(file.path, error));
    return {};
  }
}

/** Each character of an expression outside its quoted strings (escapes inside them skipped), with its index. */
function* unquoted(expression: string): Generator<[number, string]> {
  let quote = false;
  for (let i = 0; i < expression.length; i++) {
    const c = expression[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === '"') quote = false;
      continue;
    }
    if (c === '"') quote = true;
    else yield [i, c];
  }
}

/** Index of the top-level `?` and its `:` in a conditional expression, outside strings and brackets; null when none. */
export function splitConditional(expression: string): [string, string, string] | null {
  let depth = 0;
  let question = -1;
  let nested = 0;
  for (const [i, c] of unquoted(expression)) {
    if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) depth--;
    else if (depth === 0 && c === '?') {
      if (question < 0) question = i;
      else nested++;
    } else if (depth === 0 && c === ':' && question >= 0) {
      if (nested > 0) nested--;
      else return [expression.slice(0, question).trim(), expression.slice(question + 1, i).trim(), expression.slice(i + 1).trim()];
    }
  }
  return null;
}

/** Whether the whole expression is one parenthesised group (`(a) && (b)` is not). */
function enclosed(expression: string): boolean {
  if (!expression.startsWith('(') || !expression.endsWith(')')) return false;
  let depth = 0;
  for (const [i, c] of unquoted(expression)) {
    if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i === expression.length - 1;
  }
  return false;
}

/** `expression` split at each top-level `operator` (outside strings and brackets): one part when there is none. */
export function splitTopLevel(expression: string, operator: '||' | '&&' | '==' | '!=' | ','): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (const [i, c] of unquoted(expression)) {
    // The rest of an operator just split at (no operator holds a quote).
    if (i < start) continue;
    if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) depth--;
    else if (depth === 0 && expression.startsWith(operator, i)) {
      // `==` is not the end of `!=`, `<=`, `>=` nor the start of `===`.
      if (operator === '==' && ('!<>='.includes(expression[i - 1] ?? '') || expression[i + 2] === '=')) continue;
      parts.push(expression.slice(start, i).trim());
      start = i + operator.length;
    }
  }
  parts.push(expression.slice(start).trim());
  return parts;
}

/** `${ expr }` when the whole string is one interpolation (how hcl2json writes expressions). */
function wholeExpression(text: string): string | null {
  if (!text.startsWith('${') || !text.endsWith('}')) return null;
  const inner = text.slice(2, -1);
  // "${a}-${b}" is a template, not one expression.
  let depth = 0;
  for (let i = 0; i < inner.length; i++) {
    if (inner[i] === '{') depth++;
    else if (inner[i] === '}' && --depth < 0) return null;
  }
  return inner.trim();
}

type Evaluated = { known: true; value: unknown; reasons: string[] } | { known: false; reasons: string[] };

/** Where a variable's value comes from in an instance: the call's argument, tfvars / --var-file, or its default. */
type VariableSource = { raw: unknown; scope: Scope; reason: string } | { missing: string };

const ATTRIBUTE_PATH = /^((?:var|local)\.[A-Za-z_][\w-]*|each\.value|each\.key|count\.index)((?:\.[A-Za-z_][\w-]*|\[\s*(?:"[^"]*"|\d+)\s*\])*)$/;
const CONVERSIONS = /^(toset|tolist|tomap|length)\(([\s\S]*)\)$/;

class Resolver {
  private depth = 0;

  private guard<T>(fallback: T, work: () => T): T {
    if (++this.depth > 50) {
      this.depth--;
      return fallback;
    }
    try {
      return work();
    } finally {
      this.depth--;
    }
  }

  value(raw: unknown, scope: Scope): Resolved {
    return this.guard<Resolved>({ value: null, reasons: ['references nest too deeply (a cycle?)'] }, () => this.valueOnce(raw, scope));
  }

  private valueOnce(raw: unknown, scope: Scope): Resolved {
    if (raw === true || raw === false) return { value: raw, reasons: [] };
    if (raw === null) return { value: false, reasons: ['set to null; the provider default is false'] };
    if (typeof raw === 'string') {
      const expression = wholeExpression(raw);
      if (expression !== null) return this.expression(expression, scope);
      if (raw === 'true' || raw === 'false') return { value: raw === 'true', reasons: [`the string "${raw}" is converted to ${raw}, as Terraform does`] };
      if (raw.includes('${')) return { value: null, reasons: [`"${raw}" is known only after apply`] };
      return { value: null, reasons: [`"${raw}" is not a boolean`] };
    }
    return { value: null, reasons: [`${JSON.stringify(raw)} is not a boolean`] };
  }

  private expression(source: string, scope: Scope): Resolved {
    let expression = source.trim();
    while (enclosed(expression)) expression = expression.slice(1, -1).trim();
    if (expression === 'true' || expression === 'false') return { value: expression === 'true', reasons: [] };
    if (expression === 'null') return this.value(null, scope);
    if (expression === '"true"' || expression === '"false"') return this.value(expression.slice(1, -1), scope);
    const conditional = splitConditional(expression);
    if (conditional) return this.conditional(conditional, scope);
    for (const operator of ['||', '&&'] as const) {
      const parts = splitTopLevel(expression, operator);
      if (parts.length > 1) return this.logical(operator, parts, scope);
    }
    for (const operator of ['==', '!='] as const) {
      const parts = splitTopLevel(expression, operator);
      if (parts.length === 2) return this.comparison(operator, parts as [string, string], scope);
    }
    if (expression.startsWith('!')) {
      const inner = this.expression(expression.slice(1), scope);
      return inner.value === null ? inner : { value: !inner.value, reasons: inner.reasons };
    }
    const variable = /^var\.([A-Za-z_][\w-]*)$/.exec(expression);
    if (variable) return this.variable(variable[1]!, scope);
    const local = /^local\.([A-Za-z_][\w-]*)$/.exec(expression);
    if (local) {
      const name = local[1]!;
      if (!scope.instance.definition.locals.has(name)) return { value: null, reasons: [`local ${name} is not defined`] };
      const inner = this.value(scope.instance.definition.locals.get(name), { instance: scope.instance, iteration: null });
      return { value: inner.value, reasons: [`from local ${name}`, ...inner.reasons] };
    }
    // Attribute paths (`each.value.isolate`, `var.cfg["on"]`), `lookup()`, conversions: any value known statically.
    const evaluated = this.evaluate(`\${${expression}}`, scope);
    if (!evaluated.known) return { value: null, reasons: evaluated.reasons };
    const inner = this.value(evaluated.value, scope);
    return { value: inner.value, reasons: [...evaluated.reasons, ...inner.reasons] };
  }

  /** `a || b`, `a && b`: decided as soon as one operand decides it; unknown otherwise. */
  private logical(operator: '||' | '&&', parts: string[], scope: Scope): Resolved {
    const operands = parts.map((part) => this.expression(part, scope));
    const deciding = operator === '||';
    const decided = operands.find((operand) => operand.value === deciding);
    if (decided) return { value: deciding, reasons: decided.reasons };
    if (operands.every((operand) => operand.value !== null)) return { value: !deciding, reasons: operands.flatMap((operand) => operand.reasons) };
    return { value: null, reasons: operands.flatMap((operand) => (operand.value === null ? operand.reasons : [])) };
  }

  /** `a == b`, `a != b` with both sides known (Terraform compares types too: `1 == "1"` is false). */
  private comparison(operator: '==' | '!=', [left, right]: [string, string], scope: Scope): Resolved {
    const sides = [this.evaluate(`\${${left}}`, scope), this.evaluate(`\${${right}}`, scope)];
    const reasons = sides.flatMap((side) => side.reasons);
    if (!sides[0]!.known || !sides[1]!.known) return { value: null, reasons };
    const equal = JSON.stringify(sides[0]!.value) === JSON.stringify(sides[1]!.value);
    return { value: operator === '==' ? equal : !equal, reasons };
  }

  private conditional([condition, whenTrue, whenFalse]: [string, string, string], scope: Scope): Resolved {
    const decided = this.expression(condition, scope);
    if (decided.value !== null) {
      const branch = this.expression(decided.value ? whenTrue : whenFalse, scope);
      return { value: branch.value, reasons: [`condition \`${condition}\` is ${decided.value}`, ...decided.reasons, ...branch.reasons] };
    }
    const branches = [this.expression(whenTrue, scope), this.expression(whenFalse, scope)];
    const reasons = [`depends on condition \`${condition}\``];
    if (branches.every((b) => b.value === true)) return { value: true, reasons: [...reasons, 'true on both branches'] };
    if (branches.some((b) => b.value === false)) {
      return { value: false, reasons: [...reasons, `false when it is ${branches[0]!.value === false ? 'true' : 'false'}`] };
    }
    return { value: null, reasons: [...reasons, ...branches.flatMap((b) => b.reasons)] };
  }

  /**
   * A variable's value in an instance, in Terraform's order: the call's argument (a `null` argument
   * to a `nullable = false` variable takes the default), tfvars and `--var-file` for a root, the default.
   */
  variableSource(name: string, instance: ModuleInstance): VariableSource {
    const declared = instance.definition.variables.get(name);
    const input = instance.inputs?.get(name);
    if (input) {
      const passedNull = declared?.nullable === false && declared.hasDefault && this.isNull(input.raw, input.caller);
      if (!passedNull) return { raw: input.raw, scope: input.caller, reason: `from variable ${name}, set by the call module.${input.callName}` };
      return { raw: declared.value, scope: { instance, iteration: null }, reason: `from variable ${name}'s default: the call module.${input.callName} passes null and the variable is nullable = false` };
    }
    const given = instance.inputs === null ? instance.varValues.get(name) : undefined;
    if (given) return { raw: given.value, scope: { instance, iteration: null }, reason: `from variable ${name} in ${given.from}` };
    if (declared === undefined) return { missing: `variable ${name} is not declared` };
    if (!declared.hasDefault) {
      const where = instance.inputs === null ? 'terraform.tfvars, *.auto.tfvars or --var-file' : `the call of ${instance.prefix.slice(0, -1)}`;
      return { missing: `variable ${name} has no default and no value in ${where}: known only at apply` };
    }
    return { raw: declared.value, scope: { instance, iteration: null }, reason: `from variable ${name}'s default` };
  }

  private isNull(raw: unknown, scope: Scope): boolean {
    const evaluated = this.evaluate(raw, scope);
    return evaluated.known && evaluated.value === null;
  }

  private variable(name: string, scope: Scope): Resolved {
    const source = this.variableSource(name, scope.instance);
    if ('missing' in source) return { value: null, reasons: [source.missing] };
    const inner = this.value(source.raw, source.scope);
    return { value: inner.value, reasons: [source.reason, ...inner.reasons] };
  }

  /**
   * Any value, statically (for `count`, `for_each`, `each.value.x`, stack parameters): literals,
   * lists and maps, `var.X`, `local.X`, `each.key`, `each.value`, `count.index`, attribute and
   * index access, conditionals, `toset`/`tolist`/`tomap`/`length`. Anything else is not known.
   */
  evaluate(raw: unknown, scope: Scope): Evaluated {
    return this.guard<Evaluated>({ known: false, reasons: ['references nest too deeply (a cycle?)'] }, () => this.evaluateOnce(raw, scope));
  }

  private evaluateOnce(raw: unknown, scope: Scope): Evaluated {
    if (typeof raw !== 'string') return { known: true, value: raw, reasons: [] };
    const expression = wholeExpression(raw);
    if (expression === null) return raw.includes('${') ? { known: false, reasons: [`"${raw}" is known only after apply`] } : { known: true, value: raw, reasons: [] };
    let text = expression.trim();
    while (text.startsWith('(') && text.endsWith(')')) text = text.slice(1, -1).trim();
    if (/^-?\d+(\.\d+)?$/.test(text) || text === 'true' || text === 'false' || text === 'null' || /^"(?:[^"\\$]|\\.)*"$/.test(text)) return { known: true, value: JSON.parse(text), reasons: [] };
    const conditional = splitConditional(text);
    if (conditional) {
      const decided = this.expression(conditional[0], scope);
      if (decided.value === null) return { known: false, reasons: [`depends on condition \`${conditional[0]}\``, ...decided.reasons] };
      const branch = this.evaluate(`\${${decided.value ? conditional[1] : conditional[2]}}`, scope);
      return branch.known ? { ...branch, reasons: [`condition \`${conditional[0]}\` is ${decided.value}`, ...decided.reasons, ...branch.reasons] } : branch;
    }
    const conversion = CONVERSIONS.exec(text);
    if (conversion) {
      const inner = this.evaluate(`\${${conversion[2]!}}`, scope);
      if (!inner.known || conversion[1] !== 'length') return inner;
      const value = inner.value;
      if (Array.isArray(value)) return { known: true, value: value.length, reasons: inner.reasons };
      if (isObject(value)) return { known: true, value: Object.keys(value).length, reasons: inner.reasons };
      return { known: false, reasons: [`\`${text}\` cannot be resolved before apply`] };
    }
    const lookup = /^lookup\(([\s\S]*)\)$/.exec(text);
    if (lookup) {
      const args = splitTopLevel(lookup[1]!, ',');
      if (args.length === 2 || args.length === 3) {
        const [map, key] = [this.evaluate(`\${${args[0]!}}`, scope), this.evaluate(`\${${args[1]!}}`, scope)];
        if (map.known && key.known && isObject(map.value) && typeof key.value === 'string') {
          if (key.value in map.value) return this.evaluate(map.value[key.value], scope);
          if (args.length === 3) {
            const fallback = this.evaluate(`\${${args[2]!}}`, scope);
            return fallback.known ? { ...fallback, reasons: [`lookup: no key "${key.value}", the default applies`, ...fallback.reasons] } : fallback;
          }
        }
        if (!map.known || !key.known) return { known: false, reasons: [...map.reasons, ...key.reasons] };
      }
      return { known: false, reasons: [`\`${text}\` cannot be resolved before apply`] };
    }
    const path = ATTRIBUTE_PATH.exec(text);
    if (path) return this.attributePath(path[1]!, path[2]!, scope, text);
    try {
      // A list or map literal written as JSON (`["a", "b"]`, `{}`).
      return { known: true, value: JSON.parse(text) as unknown, reasons: [] };
    } catch {
      return { known: false, reasons: [`\`${text}\` cannot be resolved before apply`] };
    }
  }

  private attributePath(head: string, rest: string, scope: Scope, text: string): Evaluated {
    let current: Evaluated;
    const { iteration, instance } = scope;
    if (head === 'each.key' || head === 'each.value' || head === 'count.index') {
      if (iteration === null || (head === 'count.index' ? iteration.index === null : iteration.index !== null)) {
        return { known: false, reasons: [`\`${head}\` is known only at apply (the block's ${head === 'count.index' ? 'count' : 'for_each'} could not be evaluated)`] };
      }
      current = { known: true, value: head === 'each.key' ? iteration.key : head === 'each.value' ? iteration.value : iteration.index, reasons: [] };
      if (head === 'each.value') current = this.evaluate(iteration.value, scope);
    } else if (head.startsWith('var.')) {
      const source = this.variableSource(head.slice(4), instance);
      if ('missing' in source) return { known: false, reasons: [source.missing] };
      const inner = this.evaluate(source.raw, source.scope);
      current = inner.known ? { ...inner, reasons: [source.reason, ...inner.reasons] } : { known: false, reasons: [source.reason, ...inner.reasons] };
    } else {
      const name = head.slice(6);
      if (!instance.definition.locals.has(name)) return { known: false, reasons: [`local ${name} is not defined`] };
      const inner = this.evaluate(instance.definition.locals.get(name), { instance, iteration: null });
      current = inner.known ? { ...inner, reasons: [`from local ${name}`, ...inner.reasons] } : inner;
    }
    for (const step of rest.match(/\.[A-Za-z_][\w-]*|\[\s*(?:"[^"]*"|\d+)\s*\]/g) ?? []) {
      if (!current.known) return current;
      const key = step.startsWith('.') ? step.slice(1) : (JSON.parse(step.slice(1, -1).trim()) as string | number);
      const container = current.value;
      const next = Array.isArray(container) && typeof key === 'number' ? container[key] : isObject(container) ? container[String(key)] : undefined;
      if (next === undefined) return { known: false, reasons: [`\`${text}\` cannot be resolved before apply`] };
      current = this.evaluate(next, scope);
      if (current.known) current = { ...current, reasons: [...current.reasons] };
    }
    return current;
  }
}

/** The instances of a block with `count` or `for_each`, when they can be known: their address suffix and iteration. */
type Expansion = { instances: Array<{ suffix: string; iteration: Iteration | null }> } | { shared: string[] };

function expand(body: Record<string, unknown>, scope: Scope, resolver: Resolver, what: string): Expansion {
  if ('count' in body) {
    const count = resolver.evaluate(body.count, scope);
    if (count.known && typeof count.value === 'number' && Number.isInteger(count.value) && count.value >= 0 && count.value <= MAX_INSTANCES) {
      return { instances: Array.from({ length: count.value }, (_, index) => ({ suffix: `[${index}]`, iteration: { key: null, value: null, index } })) };
    }
    return { shared: [`${what}count: every instance shares this setting`] };
  }
  if ('for_each' in body) {
    const forEach = resolver.evaluate(body.for_each, scope);
    if (forEach.known && Array.isArray(forEach.value) && forEach.value.length <= MAX_INSTANCES && forEach.value.every((key) => typeof key === 'string')) {
      return { instances: [...new Set(forEach.value as string[])].sort().map((key) => ({ suffix: `[${JSON.stringify(key)}]`, iteration: { key, value: key, index: null } })) };
    }
    if (forEach.known && isObject(forEach.value) && Object.keys(forEach.value).length <= MAX_INSTANCES) {
      return { instances: Object.entries(forEach.value).sort(([a], [b]) => a.localeCompare(b)).map(([key, value]) => ({ suffix: `[${JSON.stringify(key)}]`, iteration: { key, value, index: null } })) };
    }
    return { shared: [`${what}for_each: every instance shares this setting`] };
  }
  return { instances: [{ suffix: '', iteration: null }] };
}

/** `$${` and `%%{` are HCL's escapes for a literal `${` / `%{` in a string or heredoc: the template text CloudFormation receives. */
const unescapeTemplate = (text: string) => text.replace(/\$\$\{/g, '${').replace(/%%\{/g, '%{');

export interface TerraformScanResult {
  findings: ScanFinding[];
  problems: ScanProblem[];
  /** Files read as the template of an `aws_cloudformation_stack` (their findings carry the stack's address). */
  stackTemplates: Set<string>;
  /** Files declaring a model or a stack, found whether or not any instance of it exists (`count = 0`). */
  declaring: Set<string>;
}

export async function scanTerraform(directories: TerraformDirectory[], options: TerraformScanOptions): Promise<TerraformScanResult> {
  const problems: ScanProblem[] = [];
  const definitions = await loadDefinitions(directories, options, problems);
  await followModules(definitions, new Set(directories.map((d) => d.dir)), options, problems);
  const called = new Set([...definitions.values()].flatMap((d) => d.calls.map((c) => c.target)));
  const varFileValues = await Promise.all(options.varFiles.map(async (file) => ({ file, values: await readVarFile(file, options.parseHcl, problems) })));
  const resolver = new Resolver();
  const findings: ScanFinding[] = [];
  const visited = new Set<string>();
  const stackTemplates = new Set<string>();
  const declaring = new Set([...definitions.values()].flatMap((d) => [...d.models, ...d.stacks].map((b) => b.file.path)));

  const rootValues = async (definition: ModuleDefinition) => {
    const values = new Map<string, { value: unknown; from: string }>();
    const ordered = [...definition.tfvars].sort((a, b) => tfvarsRank(a.path) - tfvarsRank(b.path) || a.path.localeCompare(b.path));
    for (const file of ordered) for (const [name, value] of Object.entries(await readVarFile(file, options.parseHcl, problems))) values.set(name, { value, from: posix.basename(file.path) });
    for (const { file, values: given } of varFileValues) for (const [name, value] of Object.entries(given)) values.set(name, { value, from: `--var-file ${file.path}` });
    return values;
  };

  const judgeModel = (model: Block, scope: Scope, address: string, notes: string[]) => {
    const raw = model.body.enable_network_isolation;
    const resolved: Resolved = raw === undefined ? { value: false, reasons: ['attribute omitted; the provider default is false'] } : resolver.value(raw, scope);
    const reasons = resolved.reasons.length > 0 ? [...resolved.reasons] : [`enable_network_isolation = ${String(resolved.value)}`];
    const finding: ScanFinding = {
      file: model.file.path,
      line: model.line,
      format: 'terraform',
      resource: address,
      verdict: verdictOf(resolved),
      networkIsolation: resolved.value,
      reasons: [...reasons, ...notes],
      cdkPath: null,
      ...configurationOf(scope),
    };
    findings.push(withInlineExemption(finding, terraformCommentExemption(model.file.text.split('\n'), model.line), options.now));
  };

  const judgeStack = (stack: Block, scope: Scope, address: string, notes: string[]) => {
    const template = stackTemplate(stack, scope);
    if (template === null) return;
    let parsed: unknown;
    const json = template.text.trimStart().startsWith('{');
    try {
      parsed = parseTemplateText(template.text, json);
    } catch (error) {
      const at = error instanceof TemplateParseError ? error : null;
      problems.push({ file: template.file, line: at?.line == null ? null : at.line + template.lineOffset, column: at?.column ?? null, message: `${address} template_body: ${errorText(error, { name: false })}` });
      return;
    }
    const parameters = new Map(options.parameters ?? []);
    if ('parameters' in stack.body) {
      parameters.clear();
      const given = resolver.evaluate(stack.body.parameters, scope);
      if (given.known && isObject(given.value)) {
        for (const [key, value] of Object.entries(given.value)) {
          const one = resolver.evaluate(value, scope);
          parameters.set(key, one.known && one.value !== null && typeof one.value !== 'object' ? String(one.value) : `\${unknown before apply: ${key}}`);
        }
      }
    }
    const parameterSource = 'parameters' in stack.body ? (name: string) => `${address}'s parameters.${name}` : undefined;
    const result = scanCloudFormationTemplate(template.file, template.text, parsed, json, { parameters, now: options.now, parameterSource });
    problems.push(...result.problems);
    for (const finding of result.findings) {
      findings.push({
        ...finding,
        line: template.lineOffset === 0 ? finding.line : finding.line + template.lineOffset,
        resource: `${address}/${finding.resource}`,
        reasons: [...finding.reasons, ...notes],
        ...configurationOf(scope),
      });
    }
  };

  /** The CloudFormation template a stack deploys: its heredoc or string, or the local file `file()` / `templatefile()` reads. */
  const stackTemplate = (stack: Block, scope: Scope): { text: string; file: string; lineOffset: number } | null => {
    const raw = stack.body.template_body;
    if (typeof raw !== 'string') return null;
    const expression = wholeExpression(raw);
    if (expression === null) {
      // A heredoc: its first line follows the `<<EOT` line.
      const after = stack.file.text.slice(lineOffsetIndex(stack.file.text, stack.line));
      const heredoc = /template_body\s*=\s*<<-?\s*([A-Za-z_]\w*)[ \t]*\r?\n/.exec(after);
      const offset = heredoc ? lineAt(stack.file.text, lineOffsetIndex(stack.file.text, stack.line) + heredoc.index + heredoc[0].length - 1) : stack.line;
      return { text: unescapeTemplate(raw), file: stack.file.path, lineOffset: offset };
    }
    const read = /^(?:file|templatefile)\(\s*"((?:[^"\\]|\\.)*)"\s*[,)]/.exec(expression.trim());
    if (!read) {
      problems.push({ file: stack.file.path, line: stack.line, column: null, message: `${STACK_TYPE}.${stack.name}: template_body \`${expression}\` cannot be read before apply; its models cannot be judged` });
      return null;
    }
    const written = decodeHclString(read[1]!);
    // `path.module` and `path.root` are folders as this scan names them; any other relative path is
    // read by Terraform from its working directory, the root configuration's folder.
    const anchored = /^\$\{\s*path\.(module|root|cwd)\s*\}/.test(written);
    const named = written
      .replace(/\$\{\s*path\.module\s*\}/g, scope.instance.definition.dir)
      .replace(/\$\{\s*path\.(root|cwd)\s*\}/g, scope.instance.rootDir);
    if (named.includes('${')) {
      problems.push({ file: stack.file.path, line: stack.line, column: null, message: `${STACK_TYPE}.${stack.name}: template_body reads "${named}", a path known only at apply; its models cannot be judged` });
      return null;
    }
    const path = posix.normalize(anchored || posix.isAbsolute(named) ? named : posix.join(scope.instance.rootDir, named));
    const file = !inside(options.root, path) ? { error: `outside the repository root ${options.root ?? ''}, not read` } : options.readFile ? options.readFile(path) : { error: 'no reader' };
    if ('error' in file) {
      problems.push({ file: stack.file.path, line: stack.line, column: null, message: `${STACK_TYPE}.${stack.name}: template_body reads ${path}: ${file.error}` });
      return null;
    }
    stackTemplates.add(path);
    declaring.add(path);
    return { text: file.text, file: path, lineOffset: 0 };
  };

  const visit = (instance: ModuleInstance, depth: number, notes: string[]) => {
    const definition = instance.definition;
    visited.add(definition.dir);
    const scope: Scope = { instance, iteration: null };
    for (const [type, blocksOf, judge] of [[MODEL_TYPE, definition.models, judgeModel], [STACK_TYPE, definition.stacks, judgeStack]] as const) {
      for (const block of blocksOf) {
        const expansion = expand(block.body, scope, resolver, '');
        const address = `${instance.prefix}${type}.${block.name}`;
        if ('shared' in expansion) judge(block, scope, address, [...expansion.shared, ...notes]);
        else for (const { suffix, iteration } of expansion.instances) judge(block, { instance, iteration }, `${address}${suffix}`, notes);
      }
    }
    if (depth >= 16) return;
    for (const call of definition.calls) {
      const target = definitions.get(call.target);
      if (!target) continue;
      // Reached, even by a call with no instance (`count = 0`): not judged again as a root of its own.
      visited.add(target.dir);
      const rootNote = instance.prefix === '' ? [`called from the configuration in ${definition.dir}`] : [];
      const expansion = expand(call.body, scope, resolver, `module ${call.name} uses `);
      const instances = 'shared' in expansion ? [{ suffix: '', iteration: null }] : expansion.instances;
      const callNotes = 'shared' in expansion ? [...notes, ...expansion.shared] : notes;
      for (const { suffix, iteration } of instances) {
        const caller: Scope = { instance, iteration };
        const inputs = new Map(Object.entries(call.inputs).map(([name, raw]) => [name, { raw, caller, callName: `${call.name}${suffix}` }]));
        visit({ definition: target, prefix: `${instance.prefix}module.${call.name}${suffix}.`, inputs, varValues: new Map(), rootDir: instance.rootDir }, depth + 1, [...rootNote, ...callNotes]);
      }
    }
  };

  const ordered = [...definitions.values()].sort((a, b) => a.dir.localeCompare(b.dir));
  for (const definition of ordered) {
    if (called.has(definition.dir)) continue;
    visit({ definition, prefix: '', inputs: null, varValues: await rootValues(definition), rootDir: definition.dir }, 0, []);
  }
  // A module whose callers were not scanned (or that only calls itself round a cycle): scanned as a root.
  for (const definition of ordered) {
    if (visited.has(definition.dir) || definition.models.length + definition.stacks.length === 0) continue;
    visit({ definition, prefix: '', inputs: null, varValues: await rootValues(definition), rootDir: definition.dir }, 0, []);
  }
  findings.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.resource.localeCompare(b.resource));
  return { findings, problems, stackTemplates, declaring };
}

/** The root configuration of a module instance (a root's own resources need none: their file says it). */
const configurationOf = (scope: Scope): { configuration?: string } => (scope.instance.prefix === '' ? {} : { configuration: scope.instance.rootDir });

/** The character offset where 1-based `line` starts. */
function lineOffsetIndex(text: string, line: number): number {
  let at = 0;
  for (let n = 1; n < line && at !== -1; n++) at = text.indexOf('\n', at) + 1 || -1;
  return Math.max(0, at);
}

/** Terraform's order: terraform.tfvars, terraform.tfvars.json, then *.auto.tfvars(.json) in lexical order. */
function tfvarsRank(path: string): number {
  const name = posix.basename(path);
  if (name === 'terraform.tfvars') return 0;
  if (name === 'terraform.tfvars.json') return 1;
  return 2;
}

/** The file names a Terraform folder reads its variables from. */
export function isAutoTfvars(name: string): boolean {
  return name === 'terraform.tfvars' || name === 'terraform.tfvars.json' || name.endsWith('.auto.tfvars') || name.endsWith('.auto.tfvars.json');
}
