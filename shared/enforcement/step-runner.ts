import type { StepLedger, StepRun } from './step-ledger.js';
import { LedgerUnavailableError, StepInProgressError } from './errors.js';

/**
 * What one effect of an event came to, as a value: it ran (now, or `replayed` from an earlier
 * delivery's record), another delivery is running it, or it failed. `ledger` says why the step
 * ledger could not deduplicate it (the effect still ran, or was tried): the event must be retried.
 */
export type StepResult<T> = (
  | { status: 'ran'; value: T; replayed: boolean }
  | { status: 'in-progress' }
  | { status: 'failed'; error: unknown }
) & { ledger?: string };

export interface StepRunner {
  /** Runs `effect` as step `step` of the event at most once (the step ledger); never throws. */
  run<T extends object>(step: string, effect: (run: StepRun) => Promise<T>): Promise<StepResult<T>>;
}

/**
 * The one way the enforcement pipeline runs an effect (the action, each alert channel), under the
 * step ledger, returning what happened instead of changing shared state:
 * - a step recorded as done is not run again (`replayed`); a failed one is released for the retry;
 * - a step another delivery of the event is running is waited for, all steps of this delivery
 *   together at most `waitMs`, then reported `in-progress` (that delivery reports its outcome);
 * - when the ledger itself cannot be used (table missing, denied, failing, hanging), deduplication
 *   cannot happen: the effect runs anyway (a duplicate is better than silence), the result says why
 *   (`ledger`), and the remaining steps do not wait on the ledger again, so every wait is bounded and
 *   the invocation ends inside the function's timeout with every channel tried;
 * - a step whose effect ran but whose "done" write failed ran: `ledger` says it is unrecorded;
 * - an unconfirmed alert is a step of its own (`sns-unconfirmed`), so the confirmed alert of a retry
 *   still goes out; the action is never run unconfirmed, so its name stays `action`.
 */
export function stepRunner(ledger: StepLedger, eventKey: string, options: { unconfirmed: boolean; waitMs: number }): StepRunner {
  const waitUntil = Date.now() + options.waitMs;
  let ledgerDown = false;
  return {
    async run(step, effect) {
      const name = options.unconfirmed && step !== 'action' ? `${step}-unconfirmed` : step;
      let ledgerProblem: { ledger?: string } = {};
      try {
        if (ledgerDown) return { status: 'ran', replayed: false, value: await effect({ takeover: false }) };
        try {
          const outcome = await ledger.once(eventKey, name, effect, { waitMs: Math.max(0, waitUntil - Date.now()) });
          return { status: 'ran', replayed: outcome.replayed, value: outcome.value, ...(outcome.unrecorded ? { ledger: outcome.unrecorded } : {}) };
        } catch (error) {
          if (!(error instanceof LedgerUnavailableError)) throw error;
          ledgerDown = true;
          ledgerProblem = { ledger: error.message };
          return { status: 'ran', replayed: false, value: await effect({ takeover: false }), ...ledgerProblem };
        }
      } catch (error) {
        // Another delivery is running it: not ours to report as failed.
        if (error instanceof StepInProgressError) return { status: 'in-progress', ...ledgerProblem };
        return { status: 'failed', error, ...ledgerProblem };
      }
    },
  };
}
