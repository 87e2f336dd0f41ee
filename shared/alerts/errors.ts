import { IsolationGuardError } from '../errors.js';

/** The errors of the alert channels (Slack, the finding event, Security Hub). */

/** PutEvents answered 200 but refused the entry: it says so only in the entry's result. */
export class FindingDeliveryError extends IsolationGuardError {
  constructor(
    readonly errorCode: string,
    errorMessage: string,
  ) {
    super(`finding event refused (${errorCode}: ${errorMessage})`);
  }
}

/**
 * Slack refused or did not answer in time. Never carries the webhook URL: its path is the secret
 * (anyone holding it can post to the channel), so neither the message nor `cause` mentions it.
 */
export class SlackDeliveryError extends IsolationGuardError {
  constructor(
    message: string,
    readonly status: number | null,
    readonly attempts: number,
    readonly retriable: boolean,
  ) {
    super(message);
  }
}

/** The Slack webhook URL could not be read: Slack fails, the other channels still alert. */
export class SlackWebhookUnavailableError extends IsolationGuardError {}
