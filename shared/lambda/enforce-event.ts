import { extractRecords } from '../cloudtrail/extract.js';
import { lenientCreateModelRecord, valueAtLocation } from '../cloudtrail/lenient-record.js';
import { enforceRecord, type EnforcementDeps, type EnforcementResult, type EnforcementSettings } from '../enforcement/pipeline.js';
import { EnforcementIncompleteError, RecordValidationError } from '../errors.js';

export type EnforceEventOutcome = { handled: EnforcementResult } | { skipped: string };

/**
 * What the `enforce` Lambda does with one EventBridge event. A malformed event and an event whose
 * effects did not all succeed both throw: the invocation fails, Lambda retries it, and the
 * on-failure destination (the dead-letter queue) keeps the original event. Nothing is dropped.
 */
export async function enforceEvent(
  event: unknown,
  settings: EnforcementSettings,
  deps: EnforcementDeps,
  /** Sees every result, failed ones included, before the invocation fails: for logs and metrics. */
  observe: (result: EnforcementResult) => void = () => undefined,
): Promise<EnforceEventOutcome> {
  const items = Array.from(extractRecords(event));
  if (items.length !== 1) {
    throw new RecordValidationError('(event)', `expected one EventBridge event, found ${items.length} records`);
  }
  const item = items[0]!;
  // The rule only sends CreateModel calls; anything else was sent by hand and is not ours to judge.
  if (item.kind === 'skipped') return { skipped: item.why };
  let result: EnforcementResult;
  if (item.kind === 'invalid') {
    // A CreateModel call with a missing or malformed field is a violation with that reason (fail
    // closed), alerted as unconfirmed; anything else malformed fails the invocation.
    const record = lenientCreateModelRecord(valueAtLocation(event, item.location), { now: deps.now(), region: process.env.AWS_REGION ?? 'us-east-1' });
    if (record === null) throw item.error;
    result = await enforceRecord(record, settings, deps, { malformed: item.error.message });
  } else {
    result = await enforceRecord(item.record, settings, deps);
  }
  observe(result);
  if (Object.keys(result.failures).length > 0) {
    throw new EnforcementIncompleteError(result.eventKey, result.failures as Record<string, string>);
  }
  return { handled: result };
}
