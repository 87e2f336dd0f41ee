import type { z } from 'zod';
import { RecordValidationError } from '../errors.js';
import {
  CLOUDTRAIL_API_CALL_DETAIL_TYPE,
  CREATE_MODEL,
  CreateModelRecordSchema,
  SAGEMAKER_EVENT_SOURCE,
  type CreateModelRecord,
} from './record.js';
import { isObject } from '../model/is-object.js';

/** Where a record came from inside one input, e.g. `Records[2]` or `[4].detail`. */
export type RecordLocation = string;

export type ExtractedItem =
  | { kind: 'create-model'; location: RecordLocation; record: CreateModelRecord }
  /** `record`: the record itself when it was one (an audit reads DeleteModel and AddTags from it). */
  | { kind: 'skipped'; location: RecordLocation; why: string; record?: Record<string, unknown> }
  /** `record`: a SageMaker CreateModel record that failed validation (enforcement alerts on it leniently). */
  | { kind: 'invalid'; location: RecordLocation; error: RecordValidationError; record?: Record<string, unknown> };

const describeType = (value: unknown): string =>
  value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;

const join = (base: string, key: string | number): string =>
  typeof key === 'number' ? `${base}[${key}]` : base ? `${base}.${key}` : key;

function formatIssuePath(base: string, path: ReadonlyArray<PropertyKey>): string {
  return path.reduce<string>((acc, key) => join(acc, typeof key === 'number' ? key : String(key)), base);
}

/** The first zod issue, as a field path and a problem in plain words. */
export function toValidationError(base: string, error: z.ZodError): RecordValidationError {
  const issue = error.issues[0];
  const field = formatIssuePath(base, issue?.path ?? []) || '(record)';
  return new RecordValidationError(field, issue?.message ?? 'invalid', { cause: error });
}

/**
 * Classifies one CloudTrail record. Only SageMaker CreateModel records are validated strictly;
 * every other record (other services, Insights records without an eventName, ...) is skipped.
 */
export function classifyRecord(value: unknown, location: RecordLocation): ExtractedItem {
  if (!isObject(value)) {
    return {
      kind: 'invalid',
      location,
      error: new RecordValidationError(location || '(record)', `expected a CloudTrail record object, got ${describeType(value)}`),
    };
  }
  // CloudTrail writes both as strings: another type (an array, null) is a broken record, not another call.
  for (const field of ['eventSource', 'eventName'] as const) {
    if (field in value && typeof value[field] !== 'string') {
      return { kind: 'invalid', location, error: new RecordValidationError(join(location, field), `expected a string, got ${describeType(value[field])}`), record: value };
    }
  }
  if (value.eventSource !== SAGEMAKER_EVENT_SOURCE || value.eventName !== CREATE_MODEL) {
    const name = typeof value.eventName === 'string' ? value.eventName : 'record without eventName';
    return { kind: 'skipped', location, why: `not a SageMaker CreateModel call (${name})`, record: value };
  }
  const parsed = CreateModelRecordSchema.safeParse(value);
  if (!parsed.success) return { kind: 'invalid', location, error: toValidationError(location, parsed.error), record: value };
  return { kind: 'create-model', location, record: parsed.data };
}

/**
 * Every record inside one decoded JSON value: a CloudTrail record, an EventBridge event whose
 * `detail` is one, a log file `{"Records": [...]}`, or an array of those (one level; deeper
 * nesting is reported as invalid, never recursed into, so hostile input cannot exhaust the stack).
 */
export function* extractRecords(value: unknown, location: RecordLocation = ''): Generator<ExtractedItem> {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) yield* extractOne(value[i], join(location, i), false);
    return;
  }
  yield* extractOne(value, location, true);
}

function* extractOne(value: unknown, location: RecordLocation, topLevel: boolean): Generator<ExtractedItem> {
  if (!isObject(value)) {
    const what = Array.isArray(value) && !topLevel ? 'a nested array' : describeType(value);
    yield {
      kind: 'invalid',
      location,
      error: new RecordValidationError(location || '(input)', `expected a CloudTrail record, EventBridge event or log file, got ${what}`),
    };
    return;
  }
  if ('Records' in value) {
    const records = value.Records;
    if (!Array.isArray(records)) {
      yield {
        kind: 'invalid',
        location,
        error: new RecordValidationError(join(location, 'Records'), `expected an array, got ${describeType(records)}`),
      };
      return;
    }
    for (let i = 0; i < records.length; i++) yield classifyRecord(records[i], join(join(location, 'Records'), i));
    return;
  }
  if ('detail-type' in value && 'detail' in value) {
    if (value['detail-type'] !== CLOUDTRAIL_API_CALL_DETAIL_TYPE) {
      yield { kind: 'skipped', location, why: `EventBridge event of another type (${String(value['detail-type'])})`, record: value };
      return;
    }
    yield classifyRecord(value.detail, join(location, 'detail'));
    return;
  }
  if ('eventVersion' in value || 'eventName' in value || 'eventSource' in value) {
    yield classifyRecord(value, location);
    return;
  }
  if ('digestPublicKeyFingerprint' in value || 'logFiles' in value) {
    // A CloudTrail digest file sits in the same bucket as the logs; it holds no records.
    yield { kind: 'skipped', location, why: 'CloudTrail digest file' };
    return;
  }
  yield {
    kind: 'invalid',
    location,
    error: new RecordValidationError(
      location || '(input)',
      'not a CloudTrail record (no eventName/eventSource), EventBridge event (no detail-type) or log file (no Records)',
    ),
  };
}
