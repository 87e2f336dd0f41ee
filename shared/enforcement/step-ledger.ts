import { StepInProgressError } from './errors.js';

/**
 * Exactly-once effects under at-least-once delivery. Each effect of an event (the action, each
 * alert channel) is a step recorded under `eventId#step`: a step that succeeded is never run
 * again for that event, and a step that failed is released so that a retry runs only it.
 * A retry after Slack failed must not publish to SNS twice.
 *
 * Why not Powertools' `makeIdempotent` (it wraps any function, `keyPrefix` per step; read in
 * @aws-lambda-powertools/idempotency 2.35.0, the newest this registry has; docs/design.md has the
 * whole comparison): what it does not keep of this contract is
 * - a step whose effect ran but whose "done" write failed: it throws IdempotencyPersistenceLayerError
 *   after the effect, so a sent alert would count as failed; here it is `unrecorded`, remembered by
 *   the container (enforce-faults.int.test.ts, "the done write fails");
 * - a claim's lease apart from the retention: its in-progress record expires with the invocation's
 *   remaining time only when a Lambda context is registered, else after `expiresAfterSeconds`, the
 *   same number that keeps done records (7 days here): a crashed CLI run would block a step for a week;
 * - steps run concurrently (Slack and the finding): `keyPrefix` is set on the shared persistence
 *   store at every call, so each step would need its own store;
 * - readable records: its keys are `prefix#md5(payload)`, its statuses INPROGRESS/COMPLETED.
 * It does the same on a failed step (the record is deleted) and needs the same four DynamoDB actions.
 */
export interface StepLedger {
  /**
   * Runs `effect` unless the step is recorded as done; returns its (stored) result. `unrecorded`
   * says why an effect that ran could not be recorded as done (a retry elsewhere may run it again).
   * When another delivery is running the step, waits up to `waitMs` (default 0) for its outcome,
   * then throws StepInProgressError. The effect is told when it takes over a claim whose lease ran
   * out (`takeover`): that run may have done it, so the effect checks its own state first.
   */
  once<T extends object>(
    eventId: string,
    step: string,
    effect: (run: StepRun) => Promise<T>,
    options?: { waitMs?: number },
  ): Promise<{ replayed: boolean; value: T; unrecorded?: string }>;
}

export interface StepRun {
  /** This run took over a claim whose lease ran out: the earlier run may have done the effect. */
  takeover: boolean;
}

/** For the CLI without a table and for tests: the same contract, kept in memory. */
export function memoryStepLedger(): StepLedger {
  const done = new Map<string, object>();
  const running = new Map<string, Promise<unknown>>();
  return {
    async once(eventId, step, effect, options = {}) {
      const key = `${eventId}#${step}`;
      const other = running.get(key);
      if (other && !done.has(key)) {
        // Wait (bounded) for the other run's outcome rather than report its step as ours.
        const waitMs = options.waitMs ?? 0;
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([other.catch(() => undefined), new Promise((resolve) => (timer = setTimeout(resolve, waitMs)))]);
        clearTimeout(timer);
        if (!done.has(key) && running.has(key)) throw new StepInProgressError(key);
      }
      if (done.has(key)) return { replayed: true, value: done.get(key) as never };
      const run = effect({ takeover: false });
      running.set(key, run);
      try {
        const value = await run;
        done.set(key, value);
        return { replayed: false, value };
      } finally {
        running.delete(key);
      }
    },
  };
}
