import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import yaml from 'js-yaml';
import type { CfnTemplate } from '../../local-aws/packaged-template.js';

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** CloudFormation's short intrinsic tags (`!Ref`, `!Sub`, ...) read as their long form. */
export const CFN_SCHEMA = yaml.DEFAULT_SCHEMA.extend(
  ['Ref', 'Sub', 'GetAtt', 'If', 'Equals', 'Not', 'Join', 'Select', 'Split'].flatMap((name) =>
    (['scalar', 'sequence', 'mapping'] as const).map(
      (kind) =>
        new yaml.Type(`!${name}`, {
          kind,
          construct: (data: unknown) => (name === 'Ref' ? { Ref: data } : name === 'GetAtt' && typeof data === 'string' ? { 'Fn::GetAtt': data.split('.') } : { [`Fn::${name}`]: data }),
        }),
    ),
  ),
);

/** templates/member-account.yml, as CloudFormation reads it. */
export const memberTemplate = (): CfnTemplate & { Parameters: Record<string, any> } =>
  yaml.load(readFileSync(join(REPO_ROOT, 'templates', 'member-account.yml'), 'utf8'), { schema: CFN_SCHEMA }) as CfnTemplate & { Parameters: Record<string, any> };
