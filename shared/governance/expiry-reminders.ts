import { plainField } from '../alerts/alert-summary.js';
import { attribute, publishSnsAlert, snsSubject, structuredSnsMessage, type SnsAlert } from '../alerts/sns-alert.js';
import { exceptionRef, expiryInstant, type Exemption } from '../decision/exemptions.js';
import type { ExceptionRef } from '../model/decision.js';
import type { ReminderOutcome, SweepResult } from '../model/inventory.js';
import type { EnforcementDeps } from '../enforcement/pipeline.js';
import { errorText } from '../model/error-text.js';

/** An exception is reminded about this many days (or fewer) before it expires. */
export const EXPIRY_REMINDER_DAYS = 14;
export const EXPIRING_KIND = 'exception-expiring';

export interface ExpiringException {
  exemption: Exemption;
  exception: ExceptionRef;
  /** Whole days left, rounded down (0: expires within the day). */
  daysLeft: number;
}

/** Exceptions in force that expire within `EXPIRY_REMINDER_DAYS` of `now`. Pure. */
export function expiringExceptions(exemptions: readonly Exemption[], now: Date): ExpiringException[] {
  const out: ExpiringException[] = [];
  for (const exemption of exemptions) {
    if (exemption.expires === null || (exemption.missing?.length ?? 0) > 0) continue;
    const left = expiryInstant(exemption.expires).getTime() - now.getTime();
    if (left <= 0 || left > EXPIRY_REMINDER_DAYS * 86_400_000) continue;
    out.push({ exemption, exception: exceptionRef(exemption), daysLeft: Math.floor(left / 86_400_000) });
  }
  return out;
}

/** The reminder as SNS carries it: attribute `kind=exception-expiring` lets the owner's subscription filter on it. */
export function expiryReminder(expiring: ExpiringException, coveredModels: readonly string[], notRead: readonly string[] = []): SnsAlert {
  const { exception, daysLeft, exemption } = expiring;
  const owner = exemption.owner ?? exception.approvedBy ?? null;
  return {
    subject: snsSubject(`[isolation-guard] EXCEPTION EXPIRING: ${exception.id} expires ${exception.expires} (${daysLeft} day(s) left)`),
    ...structuredSnsMessage(
      JSON.stringify(
      {
        schemaVersion: 1,
        source: 'sagemaker-isolation-guard',
        kind: EXPIRING_KIND,
        exception,
        owner,
        daysLeft,
        coveredModels,
        // Accounts and regions the sweep could not list (denied, throttled, a unit not done): the
        // exception may cover models there too, so the list above may be short.
        notRead,
        what: `After ${exception.expires} the models it covers are violations again: renew the exception (a reviewed change to the register) or recreate them with EnableNetworkIsolation=true.`,
      },
      null,
      2,
      ),
      [
        `EXCEPTION EXPIRING: ${plainField(exception.id, 80)} expires ${plainField(exception.expires, 40)} (${daysLeft} day(s) left).`,
        '',
        `Owner:     ${plainField(owner)}`,
        `Reason:    ${plainField(exception.reason)}`,
        `Ticket:    ${plainField(exception.ticket)}`,
        `Covers:    ${coveredModels.length === 0 ? 'no model today' : plainField(coveredModels.join(', '), 800)}`,
        ...(notRead.length === 0 ? [] : [`Not read:  ${plainField(notRead.join(', '), 400)} (this sweep could not list the models there: the exception may cover more than the list above)`]),
        '',
        `After ${plainField(exception.expires, 40)} the models it covers are violations again: renew the exception (a reviewed change to the register) or recreate them with EnableNetworkIsolation=true.`,
      ].join('\n'),
    ),
    attributes: {
      kind: attribute(EXPIRING_KIND),
      severity: attribute('medium'),
      exception: attribute(exception.id),
      owner: attribute(owner ?? ''),
    },
  };
}


/**
 * Sends each expiring exception's reminder over SNS once (the step ledger, keyed by the entry's
 * id and expiry: renewing it with a new date reminds again), naming the models of the sweep it
 * covers and the accounts and regions the sweep could not list. Called once per sweep, over all of
 * its models: by the single sweep at its end, and by the merge of a fanned-out run (its workers do
 * not remind, or the first unit's reminder would name only that unit's models). Never throws: a
 * failure is reported.
 */
export async function sendExpiryReminders(
  exemptions: readonly Exemption[],
  sweep: Pick<SweepResult, 'models' | 'regions'>,
  deps: Pick<EnforcementDeps, 'sns' | 'ledger' | 'now'>,
): Promise<ReminderOutcome[]> {
  const notRead = sweep.regions.filter((r) => r.error !== null).map((r) => `${r.account ?? 'this account'}/${r.region}`);
  const outcomes: ReminderOutcome[] = [];
  for (const expiring of expiringExceptions(exemptions, deps.now())) {
    const { id, expires } = expiring.exception;
    const base = { id, expires, daysLeft: expiring.daysLeft };
    const sns = deps.sns;
    if (!sns) {
      outcomes.push({ ...base, status: 'not-configured' });
      continue;
    }
    try {
      const covered = sweep.models.filter((m) => m.exception?.id === id).map((m) => m.modelArn);
      const alert = expiryReminder(expiring, covered, notRead);
      const { replayed } = await deps.ledger.once(`${EXPIRING_KIND}:${id}:${expires}`, 'sns', () => publishSnsAlert(sns.client, sns.topicArn, alert));
      outcomes.push({ ...base, status: replayed ? 'already-sent' : 'sent' });
    } catch (error) {
      outcomes.push({ ...base, status: 'failed', error: errorText(error) });
    }
  }
  return outcomes;
}
