import { lenientCreateModelRecord } from '../cloudtrail/lenient-record.js';
import type { CreateModelRecord } from '../cloudtrail/record.js';
import { enforceRecord, type EnforcementDeps, type EnforcementResult, type EnforcementSettings } from './pipeline.js';
import { resultSummary } from './result-summary.js';

/**
 * The one front of enforcement that both entry points call: the `enforce` Lambda (one EventBridge
 * event) and `isolation-guard enforce` (files, stdin, dead letters). What is theirs stays with them:
 * the Lambda's envelope, middleware and failing the invocation; the CLI's options, printing and exit
 * codes. What is the same for both is here: a malformed record, the pipeline call, the result line.
 */

/** One CreateModel record as a reader handed it over: valid, or failing validation for `why`. */
export type EnforceItem =
  | { kind: 'create-model'; record: CreateModelRecord }
  /** `record`: what the reader could parse of it (absent when nothing could). */
  | { kind: 'malformed'; why: string; record?: unknown };

/** What enforcing one item came to; `notCreateModel`: a malformed value that is not a CreateModel call at all. */
export type EnforceItemOutcome = { handled: EnforcementResult } | { notCreateModel: true };

/**
 * Enforces one item. A CreateModel call with a missing or malformed field is a violation with that
 * reason (fail closed): read leniently (its time and region taken from `now` and `region`), alerted
 * as unconfirmed, nothing done to the model. A malformed value that is not a CreateModel call cannot
 * be enforced: the caller says so (the Lambda fails the invocation, the CLI exits 2).
 */
export async function enforceItem(
  item: EnforceItem,
  settings: EnforcementSettings,
  deps: EnforcementDeps,
  where: {
    region: string;
    /** Told, before its effects, that a malformed CreateModel record is handled as a violation (the CLI says so). */
    onMalformed?: (why: string) => void;
  },
): Promise<EnforceItemOutcome> {
  if (item.kind === 'create-model') return { handled: await enforceRecord(item.record, settings, deps) };
  const record = item.record === undefined ? null : lenientCreateModelRecord(item.record, { now: deps.now(), region: where.region });
  if (record === null) return { notCreateModel: true };
  where.onMalformed?.(item.why);
  return { handled: await enforceRecord(record, settings, deps, { malformed: item.why }) };
}

/** Whether an effect (action, alert, confirmation, ledger) failed: the event must be retried or replayed. */
export const effectFailed = (result: EnforcementResult): boolean => Object.keys(result.failures).length > 0;

/**
 * What handling one event came to, as both entry points report it: the line the CLI prints and the
 * fields the Lambda logs. The decision, the model, the action and each channel's outcome.
 */
export function resultRecord(result: EnforcementResult) {
  return {
    summary: resultSummary(result),
    decision: result.decision,
    model: result.model,
    action: result.action,
    channels: result.channels,
    failures: result.failures,
  };
}
