import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { CreateModelRecordSchema } from '../shared/cloudtrail/record.js';

/**
 * The record every event is shaped from: a copy of our fixture tests/fixtures/cloudtrail/createmodel_isolated_sdk.json
 * (itself built from the API model), kept here so that the local AWS and the demo read nothing from tests/.
 */
const TEMPLATE_RECORD = new URL('./createmodel-record.json', import.meta.url);

export interface CreateModelEventOptions {
  modelName: string;
  account: string;
  region: string;
  /** true/false: sent in the request; undefined: left out, as most clients do. */
  isolation?: boolean;
  tags?: Record<string, string>;
  userAgent?: string;
  invokedBy?: string;
  eventId?: string;
  eventTime?: string;
}

/**
 * The EventBridge event CloudTrail sends for a CreateModel call, shaped like our fixture
 * `createmodel_isolated_sdk.json` (itself built from the API model), for a model that exists in moto.
 */
export function createModelEvent(options: CreateModelEventOptions) {
  const record = CreateModelRecordSchema.parse(JSON.parse(readFileSync(TEMPLATE_RECORD, 'utf8'))) as Record<string, any>;
  const eventId = options.eventId ?? randomUUID();
  record.eventID = eventId;
  record.eventTime = options.eventTime ?? new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  record.awsRegion = options.region;
  record.recipientAccountId = options.account;
  record.userIdentity.accountId = options.account;
  if (options.invokedBy) record.userIdentity.invokedBy = options.invokedBy;
  if (options.userAgent) record.userAgent = options.userAgent;
  const request = record.requestParameters;
  request.modelName = options.modelName;
  delete request.enableNetworkIsolation;
  if (options.isolation !== undefined) request.enableNetworkIsolation = options.isolation;
  request.tags = Object.entries(options.tags ?? {}).map(([key, value]) => ({ key, value }));
  record.responseElements = { modelArn: `arn:aws:sagemaker:${options.region}:${options.account}:model/${options.modelName.toLowerCase()}` };
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'AWS API Call via CloudTrail',
    source: 'aws.sagemaker',
    account: options.account,
    time: record.eventTime,
    region: options.region,
    resources: [],
    detail: record,
  };
}
