import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { claimLedgerItem, markLedgerItemDone, readLedgerItem, releaseLedgerItem, type DynamoDBClient } from '../aws/dynamodb.js';
import { type StepLedger } from './step-ledger.js';
import { LedgerUnavailableError, StepInProgressError } from './errors.js';
import { errorText } from '../model/error-text.js';

/**
 * Steps whose effect ran but whose "done" write failed, remembered by one container (a Lambda's
 * retries usually reach the same warm container), so a retry there does not run them again. Each
 * ledger has its own (the enforce handler makes one ledger per cold start); nothing is module state.
 */
export interface UnrecordedSteps {
  /** The stored result of a step that ran here but could not be recorded, if any. */
  get(key: string): string | undefined;
  remember(key: string, result: string): void;
}

/** Bounded: the oldest is forgotten first. */
export function unrecordedSteps(max = 10_000): UnrecordedSteps {
  const steps = new Map<string, string>();
  return {
    get: (key) => steps.get(key),
    remember(key, result) {
      if (steps.size >= max) steps.delete(steps.keys().next().value!);
      steps.set(key, result);
    },
  };
}


export interface DynamoDbStepLedgerOptions {
  client: DynamoDBClient;
  tableName: string;
  /** How long a claimed step may run before another delivery may take it over (a crashed run). */
  leaseSeconds?: number;
  /** How long done steps are kept (DynamoDB TTL on `expiresAt`): longer than any redelivery. */
  retentionDays?: number;
  now?: () => Date;
  /** How long the "done" write is retried (beyond the SDK's own attempts) before the step is left unrecorded (ms). */
  doneRetryMs?: number;
  /** How often a step another delivery runs is looked at while waiting for it (ms). */
  pollMs?: number;
  /** What this container remembers of steps it ran but could not record; default: the ledger's own. */
  unrecorded?: UnrecordedSteps;
}

/**
 * The step ledger in DynamoDB (table key `id`, a string). A step is claimed with a conditional put
 * (free, or a lease that has run out) that names its owner, one per run: a claim the SDK sends
 * again after a lost reply is the owner's own and still succeeds, so the owner is never refused
 * by its own claim (with 50 concurrent deliveries, a slow reply to the claim once locked every
 * delivery out, the owner included, until the lease ran out). The step is then marked done with
 * its result (retried for `doneRetryMs`), or released on failure (only by its owner).
 */
export function dynamoDbStepLedger(options: DynamoDbStepLedgerOptions): StepLedger {
  const { client, tableName } = options;
  const leaseSeconds = options.leaseSeconds ?? 120;
  const retentionSeconds = (options.retentionDays ?? 7) * 86_400;
  const now = options.now ?? (() => new Date());
  const epoch = () => Math.floor(now().getTime() / 1000);
  const doneRetryMs = options.doneRetryMs ?? 3_000;
  const pollMs = options.pollMs ?? 250;
  const doneButUnrecorded = options.unrecorded ?? unrecordedSteps();

  return {
    async once(eventId, step, effect, onceOptions = {}) {
      const id = `${eventId}#${step}`;
      const memoryKey = `${tableName}\0${id}`;
      const remembered = doneButUnrecorded.get(memoryKey);
      if (remembered !== undefined) return { replayed: true, value: JSON.parse(remembered) };
      const unavailable = (error: unknown) =>
        new LedgerUnavailableError(
          (error as Error)?.name === 'ResourceNotFoundException'
            ? `the step-ledger table ${tableName} does not exist (${errorText(error)})`
            : `the step-ledger table ${tableName} cannot be used (${errorText(error)})`,
          { cause: error },
        );
      const owner = randomUUID();
      // Waits use the real clock (the lease uses `now`, which tests may fix).
      const waitUntil = Date.now() + (onceOptions.waitMs ?? 0);
      let takeover = false;
      for (let look = 0; ; look++) {
        let claimed;
        try {
          claimed = await claimLedgerItem(client, tableName, { id, owner, leaseUntil: epoch() + leaseSeconds, expiresAt: epoch() + retentionSeconds, now: epoch() });
        } catch (error) {
          throw unavailable(error);
        }
        if (claimed !== null) {
          // Another run's claim whose lease ran out (its "done" write failed, or it crashed): it may have done the effect.
          takeover = claimed?.status === 'in-progress' && claimed.owner !== owner;
          break;
        }
        const item = await readLedgerItem(client, tableName, id).catch((cause: unknown) => {
          throw unavailable(cause);
        });
        if (item?.status === 'done') return { replayed: true, value: JSON.parse(item.result ?? '{}') };
        // Released (the other run failed) or its lease ran out: claim it again at once.
        const free = item === undefined || item.leaseUntil < epoch();
        if (!free) {
          const left = waitUntil - Date.now();
          if (left <= 0) throw new StepInProgressError(id);
          await sleep(Math.min(pollMs, left));
        } else if (look >= 10) {
          throw new StepInProgressError(id);
        }
      }

      let value;
      try {
        value = await effect({ takeover });
      } catch (error) {
        // Release the claim (ours only) so the retry of this event runs this step again.
        await releaseLedgerItem(client, tableName, id, owner).catch(() => undefined);
        throw error;
      }
      // The effect happened: record it, retrying for a while (a lost "done" lets another delivery run
      // the effect again once the lease runs out). The write is idempotent.
      const doneBy = Date.now() + doneRetryMs;
      for (let attempt = 1; ; attempt++) {
        try {
          await markLedgerItemDone(client, tableName, id, JSON.stringify(value));
          return { replayed: false, value };
        } catch (error) {
          const pause = Math.min(100 * 2 ** attempt, doneBy - Date.now());
          if (pause > 0) {
            await sleep(pause);
            continue;
          }
          // Never report the effect as failed (that would run it again at once). Remember it here;
          // another container may run it again once the claim's lease runs out.
          doneButUnrecorded.remember(memoryKey, JSON.stringify(value));
          return { replayed: false, value, unrecorded: `step ${step} ran but the step-ledger table ${tableName} could not record it as done (${errorText(error)})` };
        }
      }
    },
  };
}
