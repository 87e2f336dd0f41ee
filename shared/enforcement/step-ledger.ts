import { IsolationGuardError } from '../errors.js';

/**
 * Exactly-once effects under at-least-once delivery. Each effect of an event (the action, each
 * alert channel) is a step recorded under `eventId#step`: a step that succeeded is never run
 * again for that event, and a step that failed is released so that a retry runs only it.
 * Powertools' idempotency utility makes a whole handler idempotent; we need it per step, so that
 * a retry after Slack failed does not publish to SNS twice.
 */
export interface StepLedger {
  /**
   * Runs `effect` unless the step is recorded as done; returns its (stored) result. `unrecorded`
   * says why an effect that ran could not be recorded as done (a retry elsewhere may run it again).
   */
  once<T extends object>(eventId: string, step: string, effect: () => Promise<T>): Promise<{ replayed: boolean; value: T; unrecorded?: string }>;
}

/** The ledger itself cannot be used (its table is missing, denied or failing): deduplication cannot happen. */
export class LedgerUnavailableError extends IsolationGuardError {}

/** Another delivery of the same event is running this step right now: retry later. */
export class StepInProgressError extends IsolationGuardError {
  constructor(readonly key: string) {
    super(`step ${key} is being run by another delivery of the same event`);
  }
}

/** For the CLI without a table and for tests: the same contract, kept in memory. */
export function memoryStepLedger(): StepLedger {
  const done = new Map<string, object>();
  const running = new Set<string>();
  return {
    async once(eventId, step, effect) {
      const key = `${eventId}#${step}`;
      if (done.has(key)) return { replayed: true, value: done.get(key) as never };
      if (running.has(key)) throw new StepInProgressError(key);
      running.add(key);
      try {
        const value = await effect();
        done.set(key, value);
        return { replayed: false, value };
      } finally {
        running.delete(key);
      }
    },
  };
}
