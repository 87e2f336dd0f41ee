import yaml from 'js-yaml';
import { cloudFormationMetadataExemption, withInlineExemption } from './inline-exemption.js';
import { isObject } from '../model/is-object.js';
import { lineAt, verdictOf, type Resolved, type ScanFinding, type ScanProblem } from './types.js';
import { TemplateParseError } from './errors.js';

/**
 * CloudFormation, SAM and CDK synth output (`cdk.out/*.template.json`): every
 * `AWS::SageMaker::Model` and its `EnableNetworkIsolation`, resolved statically. Pure.
 */
export const SAGEMAKER_MODEL_TYPE = 'AWS::SageMaker::Model';

// The short intrinsic tags: `!Ref X` is `{Ref: X}`, `!GetAtt A.B` is `{"Fn::GetAtt": [A, B]}`,
// `!Condition C` is `{Condition: C}`, every other `!Name` is `{"Fn::Name": ...}`.
const INTRINSICS = ['Ref', 'Condition', 'GetAtt', 'If', 'Sub', 'Join', 'Select', 'Split', 'FindInMap', 'Base64', 'Cidr', 'GetAZs', 'ImportValue', 'Equals', 'And', 'Or', 'Not', 'Transform', 'Length', 'ToJsonString'] as const;

function intrinsicKey(name: string): string {
  return name === 'Ref' || name === 'Condition' ? name : `Fn::${name}`;
}

const CFN_TAGS = INTRINSICS.flatMap((name) =>
  (['scalar', 'sequence', 'mapping'] as const).map(
    (kind) =>
      new yaml.Type(`!${name}`, {
        kind,
        construct: (data: unknown) => {
          if (name === 'GetAtt' && typeof data === 'string') {
            const dot = data.indexOf('.');
            return { 'Fn::GetAtt': dot < 0 ? [data] : [data.slice(0, dot), data.slice(dot + 1)] };
          }
          return { [intrinsicKey(name)]: data ?? (kind === 'scalar' ? '' : kind === 'sequence' ? [] : {}) };
        },
      }),
  ),
);

export const CLOUDFORMATION_YAML_SCHEMA = yaml.DEFAULT_SCHEMA.extend(CFN_TAGS);

/** JSON or YAML (with the short tags) into an object; errors carry the parser's line and column. */
export function parseTemplateText(text: string, json: boolean): unknown {
  if (json) {
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      const message = (error as Error).message;
      const position = /position (\d+)/.exec(message);
      const lineColumn = /line (\d+) column (\d+)/.exec(message);
      if (lineColumn) throw new TemplateParseError(message, Number(lineColumn[1]), Number(lineColumn[2]));
      if (position) {
        const offset = Number(position[1]);
        const line = lineAt(text, offset);
        return throwAt(message, line, offset - text.lastIndexOf('\n', offset - 1));
      }
      throw new TemplateParseError(message, null, null);
    }
  }
  try {
    return yaml.load(text, { schema: CLOUDFORMATION_YAML_SCHEMA, json: true });
  } catch (error) {
    const mark = (error as { mark?: { line: number; column: number } }).mark;
    const reason = (error as { reason?: string }).reason ?? (error as Error).message;
    throw new TemplateParseError(reason, mark ? mark.line + 1 : null, mark ? mark.column + 1 : null);
  }
}

function throwAt(message: string, line: number, column: number): never {
  throw new TemplateParseError(message, line, column);
}

const FOR_EACH = 'Fn::ForEach::';

/** A template is an object with `Resources` whose entries have a `Type` (or are `Fn::ForEach` loops). */
export function isTemplate(value: unknown): value is { Resources: Record<string, unknown> } {
  return isObject(value) && isObject(value.Resources) && Object.entries(value.Resources).some(([key, r]) => (isObject(r) && typeof r.Type === 'string') || key.startsWith(FOR_EACH));
}

/**
 * A Serverless Framework configuration (`serverless.yml`): `service` and `provider`, with its
 * CloudFormation under `resources.Resources` (or a list of such fragments). The fragments are
 * merged into one template; a whole-value `${self:custom.X}` (with its `, default`) is read from
 * the file itself, any other Serverless variable is known only at deployment.
 */
export function serverlessTemplate(value: unknown): Record<string, unknown> | null {
  if (!isObject(value) || !('service' in value) || !('provider' in value) || value.resources === undefined) return null;
  const fragments = (Array.isArray(value.resources) ? value.resources : [value.resources]).filter(isObject);
  const merged: Record<string, unknown> = { Resources: {}, Parameters: {}, Conditions: {}, Mappings: {} };
  for (const fragment of fragments) {
    for (const section of ['Resources', 'Parameters', 'Conditions', 'Mappings'] as const) {
      if (isObject(fragment[section])) Object.assign(merged[section] as Record<string, unknown>, fragment[section]);
    }
  }
  const resolveSelf = (node: unknown, depth: number): unknown => {
    if (typeof node === 'string') {
      const variable = /^\$\{self:([\w.-]+)\s*(?:,\s*([^}]*))?\}$/.exec(node.trim());
      if (!variable || depth > 10) return node;
      let current: unknown = value;
      for (const part of variable[1]!.split('.')) current = isObject(current) ? current[part] : undefined;
      if (current === undefined && variable[2] !== undefined) {
        const fallback = variable[2].trim().replace(/^(['"])(.*)\1$/, '$2');
        return fallback === 'true' ? true : fallback === 'false' ? false : fallback;
      }
      return current === undefined || isObject(current) || Array.isArray(current) ? node : resolveSelf(current, depth + 1);
    }
    if (Array.isArray(node)) return node.map((item) => resolveSelf(item, depth));
    if (isObject(node)) return Object.fromEntries(Object.entries(node).map(([key, item]) => [key, resolveSelf(item, depth)]));
    return node;
  };
  return resolveSelf(merged, 0) as Record<string, unknown>;
}

interface TemplateContext {
  parameters: Record<string, unknown>;
  mappings: Record<string, unknown>;
  /** `--parameter KEY=VALUE`, or an `aws_cloudformation_stack`'s `parameters`. */
  overrides: ReadonlyMap<string, string>;
  /** How the reasons name where an override came from. */
  overrideName: (name: string) => string;
}

const PSEUDO = /^AWS::/;

function booleanText(text: string): boolean | null {
  const lower = text.trim().toLowerCase();
  return lower === 'true' ? true : lower === 'false' ? false : null;
}

/** A parameter's value: `--parameter` first, then its Default. */
function parameterValue(name: string, context: TemplateContext): { value: unknown; from: string } | null {
  const given = context.overrides.get(name);
  if (given !== undefined) return { value: given, from: context.overrideName(name) };
  const declared = context.parameters[name];
  if (isObject(declared) && 'Default' in declared) return { value: declared.Default, from: `parameter ${name}'s Default` };
  return null;
}

/** A string-valued expression (a FindInMap key), statically. */
function resolveString(value: unknown, context: TemplateContext): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (isObject(value) && typeof value.Ref === 'string' && Object.keys(value).length === 1) {
    const parameter = parameterValue(value.Ref, context);
    return parameter && (typeof parameter.value === 'string' || typeof parameter.value === 'number') ? String(parameter.value) : null;
  }
  return null;
}

/** `EnableNetworkIsolation` resolved: literals, string booleans, Ref to a parameter, Fn::If (every branch), Fn::FindInMap. */
export function resolveCloudFormationBoolean(value: unknown, context: TemplateContext, depth = 0): Resolved {
  if (value === undefined) return { value: false, reasons: ["property omitted; CloudFormation's default is false"] };
  if (typeof value === 'boolean') return { value, reasons: [] };
  if (typeof value === 'string') {
    const parsed = booleanText(value);
    if (parsed === null) return { value: null, reasons: [`"${value}" is not a boolean`] };
    return { value: parsed, reasons: [`the string "${value}" is read as ${parsed}`] };
  }
  if (!isObject(value) || Object.keys(value).length !== 1 || depth > 20) return { value: null, reasons: ['not a boolean or an intrinsic function this scan resolves'] };
  const [fn, args] = Object.entries(value)[0]!;
  if (fn === 'Ref' && typeof args === 'string') {
    if (args === 'AWS::NoValue') return { value: false, reasons: ["AWS::NoValue removes the property; CloudFormation's default is false"] };
    if (PSEUDO.test(args)) return { value: null, reasons: [`!Ref ${args} is known only at deployment`] };
    if (!(args in context.parameters)) return { value: null, reasons: [`!Ref ${args} is not a parameter: known only at deployment`] };
    const parameter = parameterValue(args, context);
    if (parameter === null) return { value: null, reasons: [`parameter ${args} has no Default and no --parameter ${args}=VALUE was given`] };
    const inner = resolveCloudFormationBoolean(typeof parameter.value === 'boolean' ? parameter.value : String(parameter.value), context, depth + 1);
    return { value: inner.value, reasons: [`from ${parameter.from} ("${String(parameter.value)}")`, ...inner.reasons.filter((r) => !r.startsWith('the string'))] };
  }
  if (fn === 'Fn::If' && Array.isArray(args) && args.length === 3 && typeof args[0] === 'string') {
    const branches = [resolveCloudFormationBoolean(args[1], context, depth + 1), resolveCloudFormationBoolean(args[2], context, depth + 1)];
    const reasons = [`depends on condition ${args[0]}`];
    if (branches.every((b) => b.value === true)) return { value: true, reasons: [...reasons, 'true on both branches'] };
    if (branches.some((b) => b.value === false)) {
      const which = branches[0]!.value === false ? 'holds' : 'does not hold';
      return { value: false, reasons: [...reasons, `false when ${args[0]} ${which}`, ...branches.flatMap((b) => (b.value === false ? b.reasons : []))] };
    }
    return { value: null, reasons: [...reasons, ...branches.flatMap((b) => (b.value === null ? b.reasons : []))] };
  }
  if (fn === 'Fn::FindInMap' && Array.isArray(args) && args.length >= 3) {
    const [mapName = null, top = null, second = null] = args.slice(0, 3).map((a) => resolveString(a, context));
    const map = mapName === null ? undefined : context.mappings[mapName];
    const entry = isObject(map) && top !== null ? map[top] : undefined;
    if (isObject(entry) && second !== null && second in entry) {
      const inner = resolveCloudFormationBoolean(entry[second], context, depth + 1);
      return { value: inner.value, reasons: [`from mapping ${mapName}.${top}.${second}`, ...inner.reasons] };
    }
    return { value: null, reasons: ['Fn::FindInMap cannot be resolved before deployment'] };
  }
  return { value: null, reasons: [`${fn} cannot be resolved before deployment`] };
}

/** The line of a resource's logical id, after the `Resources` key (indented in serverless.yml). */
function logicalIdLine(text: string, logicalId: string, json: boolean): number {
  const escaped = logicalId.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const topLevel = text.search(/^Resources\s*:/m);
  const resourcesAt = json ? text.search(/"Resources"\s*:/) : topLevel >= 0 ? topLevel : text.search(/^[ \t]+Resources[ \t]*:/m);
  // YAML: a key alone on its line, or the first key of a list item (a Fn::ForEach fragment: `- Model${Name}:`).
  const pattern = json ? new RegExp(`"${escaped}"\\s*:`, 'g') : new RegExp(`^[ \\t]*(?:-[ \\t]+)?(["']?)${escaped}\\1[ \\t]*:`, 'gm');
  pattern.lastIndex = Math.max(0, resourcesAt);
  const match = pattern.exec(text);
  return match ? lineAt(text, match.index + (json ? 0 : match[0].length - match[0].trimStart().length)) : 1;
}

/** A resource as CloudFormation will create it: its logical id, and the key written in the template (a `Fn::ForEach` fragment's key). */
interface ExpandedResource {
  logicalId: string;
  writtenKey: string;
  resource: unknown;
  reasons: string[];
}

/** `${Id}` and `&{Id}` (non-alphanumerics dropped) in keys and strings, and `Ref: Id`, replaced by a loop's item. */
function substitute(node: unknown, identifier: string, item: string): unknown {
  const text = (value: string) => value.split(`\${${identifier}}`).join(item).split(`&{${identifier}}`).join(item.replace(/[^A-Za-z0-9]/g, ''));
  if (typeof node === 'string') return text(node);
  if (Array.isArray(node)) return node.map((child) => substitute(child, identifier, item));
  if (!isObject(node)) return node;
  if (Object.keys(node).length === 1 && node.Ref === identifier) return item;
  return Object.fromEntries(Object.entries(node).map(([key, child]) => [text(key), substitute(child, identifier, item)]));
}

/** A `Fn::ForEach` collection, when it is a literal list or a parameter with a value. */
function loopItems(collection: unknown, context: TemplateContext): string[] | null {
  const strings = (value: unknown) => (Array.isArray(value) && value.every((v) => typeof v === 'string' || typeof v === 'number') ? value.map(String) : null);
  if (Array.isArray(collection)) return strings(collection);
  if (isObject(collection) && typeof collection.Ref === 'string' && Object.keys(collection).length === 1) {
    const parameter = parameterValue(collection.Ref, context);
    if (parameter === null) return null;
    if (typeof parameter.value === 'string') return parameter.value.split(',').map((item) => item.trim());
    return strings(parameter.value);
  }
  return null;
}

/**
 * The Resources section with `Fn::ForEach` loops (`AWS::LanguageExtensions`) expanded, nested loops
 * too: one resource per item when the collection is known; otherwise the fragment once, under its
 * written key, with the loop named in the reasons (its identifier is then known only at deployment).
 */
function expandResources(resources: Record<string, unknown>, context: TemplateContext, depth = 0, writtenKeyOf?: (key: string) => string): ExpandedResource[] {
  const expanded: ExpandedResource[] = [];
  for (const [key, value] of Object.entries(resources)) {
    const written = writtenKeyOf ? writtenKeyOf(key) : key;
    if (!key.startsWith(FOR_EACH) || depth > 5) {
      expanded.push({ logicalId: key, writtenKey: written, resource: value, reasons: [] });
      continue;
    }
    const loop = Array.isArray(value) && value.length === 3 && typeof value[0] === 'string' && isObject(value[2]) ? (value as [string, unknown, Record<string, unknown>]) : null;
    if (loop === null) continue;
    const [identifier, collection, fragment] = loop;
    const items = loopItems(collection, context);
    const writtenKeys = new Map(Object.keys(fragment).map((k) => [k, writtenKeyOf ? writtenKeyOf(k) : k]));
    if (items === null) {
      for (const inner of expandResources(fragment, context, depth + 1, (k) => writtenKeys.get(k) ?? k)) {
        expanded.push({ ...inner, reasons: [...inner.reasons, `${key} over a collection known only at deployment: every instance judged as one`] });
      }
      continue;
    }
    for (const item of items) {
      const instance = substitute(fragment, identifier, item) as Record<string, unknown>;
      const original = new Map(Object.keys(fragment).map((k) => [substitute(k, identifier, item) as string, writtenKeys.get(k) ?? k]));
      for (const inner of expandResources(instance, context, depth + 1, (k) => original.get(k) ?? k)) {
        expanded.push({ ...inner, reasons: [...inner.reasons, `from ${key} (${identifier} = ${item})`] });
      }
    }
  }
  return expanded;
}

/** `EnableNetworkIsolation` as written, also when the whole `Properties` is an `Fn::If` (each branch read, `AWS::NoValue` is no properties). */
function isolationProperty(properties: unknown, depth = 0): unknown {
  if (!isObject(properties) || depth > 10) return undefined;
  const keys = Object.keys(properties);
  if (keys.length === 1 && keys[0] === 'Ref' && properties.Ref === 'AWS::NoValue') return undefined;
  const branches = properties['Fn::If'];
  if (keys.length === 1 && Array.isArray(branches) && branches.length === 3 && typeof branches[0] === 'string') {
    return { 'Fn::If': [branches[0], isolationProperty(branches[1], depth + 1) ?? { Ref: 'AWS::NoValue' }, isolationProperty(branches[2], depth + 1) ?? { Ref: 'AWS::NoValue' }] };
  }
  return properties.EnableNetworkIsolation;
}

export interface CloudFormationScanOptions {
  parameters: ReadonlyMap<string, string>;
  /** How the reasons name a given parameter (default `--parameter NAME`). */
  parameterSource?: (name: string) => string;
  now: Date;
}

/** The findings of one template (already parsed). */
export function scanCloudFormationTemplate(file: string, text: string, template: unknown, json: boolean, options: CloudFormationScanOptions): { findings: ScanFinding[]; problems: ScanProblem[] } {
  if (!isTemplate(template)) return { findings: [], problems: [] };
  const root = template as Record<string, unknown>;
  const context: TemplateContext = {
    parameters: isObject(root.Parameters) ? root.Parameters : {},
    mappings: isObject(root.Mappings) ? root.Mappings : {},
    overrides: options.parameters,
    overrideName: options.parameterSource ?? ((name) => `--parameter ${name}`),
  };
  const findings: ScanFinding[] = [];
  for (const { logicalId, writtenKey, resource, reasons: loopReasons } of expandResources(template.Resources, context)) {
    if (!isObject(resource) || resource.Type !== SAGEMAKER_MODEL_TYPE) continue;
    const resolved = resolveCloudFormationBoolean(isolationProperty(resource.Properties), context);
    const metadata = isObject(resource.Metadata) ? resource.Metadata : {};
    const cdkPath = typeof metadata['aws:cdk:path'] === 'string' ? metadata['aws:cdk:path'] : null;
    const reasons = [...resolved.reasons, ...loopReasons];
    if (typeof resource.Condition === 'string') reasons.push(`created only when condition ${resource.Condition} holds`);
    const finding: ScanFinding = {
      file,
      line: logicalIdLine(text, writtenKey, json),
      format: 'cloudformation',
      resource: logicalId,
      verdict: verdictOf(resolved),
      networkIsolation: resolved.value,
      reasons: reasons.length > 0 ? reasons : [`EnableNetworkIsolation is ${String(resolved.value)}`],
      cdkPath,
    };
    findings.push(withInlineExemption(finding, cloudFormationMetadataExemption(resource.Metadata), options.now));
  }
  return { findings, problems: [] };
}
