import type { CfnTemplate } from '../../local-aws/packaged-template.js';

/**
 * The packaged template with what changes from one packaging to the next taken out, so two
 * packagings of the same service compare equal: the artifact's S3 key (it carries a timestamped
 * directory), code hashes, and the hash osls appends to each Lambda Version's logical id (renamed
 * `<Function>LambdaVersion`, references to it included). Object keys are sorted (CloudFormation does
 * not care about their order; array order is kept), so the JSON text is a stable snapshot.
 */
export function normalizeTemplate(template: CfnTemplate): unknown {
  const versionId = /^(\w+LambdaVersion)[A-Za-z0-9]{20,}$/;
  const renamed = (id: string): string => id.replace(versionId, '$1');
  const walk = (node: unknown, key?: string): unknown => {
    if (Array.isArray(node)) return node.map((item) => walk(item, key === 'DependsOn' ? key : undefined));
    if (typeof node === 'string') return key === 'Ref' || key === 'DependsOn' ? renamed(node) : node;
    if (typeof node !== 'object' || node === null) return node;
    const out: Record<string, unknown> = {};
    for (const name of Object.keys(node).sort()) {
      const value = (node as Record<string, unknown>)[name];
      if (name === 'S3Key') out[name] = '<artifact>';
      else if (name === 'CodeSha256') out[name] = '<hash>';
      else if (name === 'Fn::GetAtt' && Array.isArray(value)) out[name] = [renamed(String(value[0])), ...value.slice(1)];
      else out[renamed(name)] = walk(value, name);
    }
    return out;
  };
  return walk(template);
}
