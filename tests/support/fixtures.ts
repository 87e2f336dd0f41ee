import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateModelRecordSchema, type CreateModelRecord } from '../../shared/cloudtrail/record.js';
import type { DescribedModel } from '../../shared/model/sagemaker-model.js';

const here = dirname(fileURLToPath(import.meta.url));
export const OWN_FIXTURES = join(here, '..', 'fixtures', 'cloudtrail');
/** Real records published by AWS and open projects, copied into the repo with their provenance (see its README). */
const PUBLIC_FIXTURES = join(here, '..', 'fixtures', 'public-cloudtrail');

export const ownFixturePath = (name: string): string => join(OWN_FIXTURES, name);
export const publicFixturePath = (name: string): string => join(PUBLIC_FIXTURES, name);

export function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8'));
}

/** A CreateModel record from one of our fixture files (EventBridge envelopes unwrapped). */
export function ownRecord(name: string): CreateModelRecord {
  const value = readJson(ownFixturePath(name)) as Record<string, unknown>;
  return CreateModelRecordSchema.parse('detail' in value ? value.detail : value);
}

export const publicFixtureNames = (): string[] => readdirSync(PUBLIC_FIXTURES).filter((name) => name !== 'README.md');

/** A model as `describeModel` returns it (fraud-detector-v7 in eu-west-1, not isolated, no tags), with the given fields. */
export function describedModel(fields: Partial<DescribedModel> = {}): DescribedModel {
  const name = fields.name ?? 'fraud-detector-v7';
  const arn = fields.arn ?? `arn:aws:sagemaker:eu-west-1:111122223333:model/${name.toLowerCase()}`;
  return {
    exists: true,
    name,
    arn,
    account: arn.split(':')[4] || null,
    region: 'eu-west-1',
    creationTime: null,
    enableNetworkIsolation: false,
    tags: {},
    raw: { ModelArn: arn },
    ...fields,
  };
}
