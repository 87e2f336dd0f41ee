import { IsolationGuardError } from '../errors.js';

/** The errors of the enforcement pipeline and its step ledger. */

/** The ledger itself cannot be used (its table is missing, denied or failing): deduplication cannot happen. */
export class LedgerUnavailableError extends IsolationGuardError {}

/** Another delivery of the same event is running this step right now: it reports the outcome. */
export class StepInProgressError extends IsolationGuardError {
  constructor(readonly key: string) {
    super(`step ${key} is in progress by another delivery of the same event`);
  }
}

/**
 * Some effects of an event failed (an alert channel, the action). The invocation fails with this
 * so the event is retried (done steps are skipped) and, when retries run out, dead-lettered.
 */
export class EnforcementIncompleteError extends IsolationGuardError {
  constructor(
    readonly eventKey: string,
    readonly failures: Record<string, string>,
  ) {
    super(`event ${eventKey}: ${Object.entries(failures).map(([step, why]) => `${step} failed (${why})`).join('; ')}`);
  }
}
