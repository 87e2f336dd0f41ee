import type { CfnTemplate } from './packaged-template.js';

/**
 * A role of the packaged CloudFormation template as deployed: its intrinsics (Ref, Fn::GetAtt,
 * Fn::Sub, Fn::If with its Conditions) resolved against the physical names of the resources a test
 * used. Whether the role allows what the code was seen doing is AWS's policy evaluation, in
 * `iam-simulate.ts`.
 */
export interface PhysicalNames {
  region: string;
  account: string;
  partition?: string;
  /** `Ref: X` → the value (a topic ARN, a table name, ...). */
  refs: Record<string, string>;
  /** `Fn::GetAtt: [X, Attr]` and `${X.Attr}` → the value, keyed `X.Attr`. */
  atts: Record<string, string>;
}

export interface Statement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource: string | string[];
  Condition?: unknown;
}

const NO_VALUE = Symbol('AWS::NoValue');

function pseudo(name: string, names: PhysicalNames): string | undefined {
  switch (name) {
    case 'AWS::Region':
      return names.region;
    case 'AWS::AccountId':
      return names.account;
    case 'AWS::Partition':
      return names.partition ?? 'aws';
    default:
      return undefined;
  }
}

export function resolveIntrinsics(value: unknown, template: CfnTemplate, names: PhysicalNames): unknown {
  const conditions = (template.Conditions ?? {}) as Record<string, unknown>;
  const evalCondition = (condition: unknown): boolean => {
    const resolved = resolve(condition);
    if (typeof resolved === 'boolean') return resolved;
    throw new Error(`cannot evaluate condition ${JSON.stringify(condition)}`);
  };
  const resolve = (node: unknown): any => {
    if (Array.isArray(node)) return node.map(resolve).filter((item) => item !== NO_VALUE);
    if (typeof node !== 'object' || node === null) return node;
    const entries = Object.entries(node);
    if (entries.length === 1) {
      const [key, arg] = entries[0]! as [string, any];
      switch (key) {
        case 'Ref':
          if (arg === 'AWS::NoValue') return NO_VALUE;
          return pseudo(arg, names) ?? names.refs[arg] ?? `<unresolved Ref ${arg}>`;
        case 'Fn::GetAtt': {
          const [resource, attribute] = Array.isArray(arg) ? arg : String(arg).split('.');
          return names.atts[`${resource}.${attribute}`] ?? `<unresolved ${resource}.${attribute}>`;
        }
        case 'Fn::Sub': {
          const text = Array.isArray(arg) ? arg[0] : arg;
          return String(text).replace(/\$\{([^}]+)\}/g, (_, name: string) =>
            pseudo(name, names) ?? (name.includes('.') ? names.atts[name] : names.refs[name]) ?? `<unresolved ${name}>`,
          );
        }
        case 'Fn::Split': {
          const [delimiter, source] = arg as [string, unknown];
          return String(resolve(source)).split(delimiter);
        }
        case 'Fn::Join': {
          const [delimiter, parts] = arg as [string, unknown];
          return (resolve(parts) as unknown[]).map(String).join(delimiter);
        }
        case 'Fn::If': {
          const [condition, yes, no] = arg as [string, unknown, unknown];
          return evalCondition(conditions[condition]) ? resolve(yes) : resolve(no);
        }
        case 'Fn::Equals': {
          const [a, b] = (arg as unknown[]).map(resolve);
          return JSON.stringify(a) === JSON.stringify(b);
        }
        case 'Fn::Not':
          return !evalCondition((arg as unknown[])[0]);
        case 'Fn::And':
          return (arg as unknown[]).every(evalCondition);
        case 'Fn::Or':
          return (arg as unknown[]).some(evalCondition);
        case 'Condition':
          return evalCondition(conditions[arg as string]);
        default:
          break;
      }
    }
    const out: Record<string, unknown> = {};
    for (const [key, child] of entries) {
      const resolved = resolve(child);
      if (resolved !== NO_VALUE) out[key] = resolved;
    }
    return out;
  };
  return resolve(value);
}

/**
 * The statements of an IAM role's inline policies, resolved, and of the AWS::IAM::Policy resources
 * attached to it (`Roles: [{Ref: role}]`) that the template creates (their Condition holds).
 */
export function roleStatements(template: CfnTemplate, roleLogicalId: string, names: PhysicalNames): Statement[] {
  const role = template.Resources[roleLogicalId];
  if (!role || role.Type !== 'AWS::IAM::Role') throw new Error(`${roleLogicalId} is not an AWS::IAM::Role of the template`);
  const attached = Object.values(template.Resources).filter(
    (resource) =>
      resource.Type === 'AWS::IAM::Policy' &&
      ((resource.Properties?.Roles ?? []) as unknown[]).some((ref) => JSON.stringify(ref) === JSON.stringify({ Ref: roleLogicalId })) &&
      (resource.Condition === undefined || resolveIntrinsics({ 'Fn::If': [resource.Condition, true, false] }, template, names) === true),
  );
  const policies = resolveIntrinsics([...(role.Properties?.Policies ?? []), ...attached.map((resource) => resource.Properties)], template, names) as Array<{
    PolicyDocument: { Statement: Statement[] };
  }>;
  return policies.flatMap((policy) => policy.PolicyDocument.Statement);
}

/** The role's ARN as deployed (its fixed RoleName). */
export function roleArn(template: CfnTemplate, roleLogicalId: string, names: PhysicalNames): string {
  const name = resolveIntrinsics(template.Resources[roleLogicalId]?.Properties?.RoleName, template, names);
  if (typeof name !== 'string') throw new Error(`${roleLogicalId} has no fixed RoleName`);
  return `arn:${names.partition ?? 'aws'}:iam::${names.account}:role/${name}`;
}
