import { EventBridgeSchema } from '@aws-lambda-powertools/parser/schemas/eventbridge';
import type { ParsedResult } from '@aws-lambda-powertools/parser/types';
import { z } from 'zod';
import { extractRecords } from '../cloudtrail/extract.js';
import { CLOUDTRAIL_API_CALL_DETAIL_TYPE, CreateModelRecordSchema } from '../cloudtrail/record.js';
import { homeRegion } from '../config.js';
import { effectFailed, enforceItem, type EnforceItemOutcome } from '../enforcement/enforce-item.js';
import type { EnforcementDeps, EnforcementResult, EnforcementSettings } from '../enforcement/pipeline.js';
import { RecordValidationError } from '../errors.js';
import { EnforcementIncompleteError } from '../enforcement/errors.js';

export type EnforceEventOutcome = { handled: EnforcementResult } | { skipped: string };

/**
 * The event the rule delivers: Powertools' EventBridge schema, extended with our CloudTrail detail
 * (Powertools' documented way when the handler needs envelope fields; its EventBridgeEnvelope would
 * hand over the `detail` alone, without the `id` the logs carry and the `detail-type` checked here).
 */
export const CreateModelEventSchema = EventBridgeSchema.extend({
  'detail-type': z.literal(CLOUDTRAIL_API_CALL_DETAIL_TYPE),
  detail: CreateModelRecordSchema,
});
export type CreateModelEvent = z.infer<typeof CreateModelEventSchema>;
/** What the parser middleware (safeParse) hands the handler: the valid event, or the original one. */
export type ParsedEnforceEvent = ParsedResult<unknown, CreateModelEvent>;

/** Ids for the logs, from a parsed event or, when it did not parse, read defensively from the original. */
export function eventIds(event: ParsedEnforceEvent): { eventId: string | null; eventBridgeId: string | null } {
  if (event.success) return { eventId: event.data.detail.eventID ?? null, eventBridgeId: event.data.id };
  const original = event.originalEvent as { id?: unknown; detail?: { eventID?: unknown } | null } | null | undefined;
  const text = (value: unknown) => (typeof value === 'string' ? value : null);
  return { eventId: text(original?.detail?.eventID), eventBridgeId: text(original?.id) };
}

/**
 * The `enforce` Lambda's path: an event the parser middleware validated is enforced at once; one
 * that did not validate takes `enforceEvent`'s path, which says exactly what is wrong (a CreateModel
 * record with a bad field is still a violation, fail closed; anything else fails the invocation).
 */
export async function enforceParsedEvent(
  event: ParsedEnforceEvent,
  settings: EnforcementSettings,
  deps: EnforcementDeps,
  observe: (result: EnforcementResult) => void = () => undefined,
): Promise<EnforceEventOutcome> {
  if (!event.success) return enforceEvent(event.originalEvent, settings, deps, observe);
  return finish(await enforceItem({ kind: 'create-model', record: event.data.detail }, settings, deps, lambdaRegion()), observe);
}

/** Where the Lambda runs: the region a malformed record without a valid one is taken to be in. */
const lambdaRegion = () => ({ region: homeRegion() });

/**
 * Observes the result; throws when an effect failed, so the invocation fails and is retried, and
 * when the record could not be enforced at all (`invalid`: why it is not a CreateModel call).
 */
function finish(outcome: EnforceItemOutcome, observe: (result: EnforcementResult) => void, invalid?: RecordValidationError): EnforceEventOutcome {
  if (!('handled' in outcome)) throw invalid ?? new RecordValidationError('(event)', 'not a SageMaker CreateModel call');
  const result = outcome.handled;
  observe(result);
  if (effectFailed(result)) {
    throw new EnforcementIncompleteError(result.eventKey, result.failures as Record<string, string>);
  }
  return { handled: result };
}

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
  // A CreateModel call with a missing or malformed field is a violation with that reason (fail
  // closed), alerted as unconfirmed; anything else malformed fails the invocation, naming the field.
  if (item.kind === 'create-model') return finish(await enforceItem(item, settings, deps, lambdaRegion()), observe);
  return finish(await enforceItem({ kind: 'malformed', why: item.error.message, record: item.record }, settings, deps, lambdaRegion()), observe, item.error);
}
