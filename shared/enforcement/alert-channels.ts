import type { EventBridgeClient } from '../aws/events.js';
import type { SNSClient } from '../aws/sns.js';
import { findingEvent, putFindingEvent } from '../alerts/finding-event.js';
import { securityHubFinding, type SecurityHubChannel } from '../alerts/security-hub.js';
import { slackMessage } from '../alerts/slack-message.js';
import { publishSnsAlert, snsAlert } from '../alerts/sns-alert.js';
import { errorText } from '../model/error-text.js';
import type { AlertInput, ChannelName, ChannelStatus } from '../model/outcome.js';
import type { StepRunner } from './step-runner.js';

export type AlertChannelName = ChannelName | 'securityHub';

/**
 * An alert channel as data: how it renders an alert (`build`, pure but for Security Hub's product
 * ARN, looked up once) and how it delivers what it built (`send`, an adapter). The pipeline runs
 * every channel the same way (`tellChannels`), under the step ledger.
 */
export interface AlertChannel<Message = unknown> {
  name: AlertChannelName;
  /** Whom it tells: violations and exemptions used (`alerts`), or every decided model (Security Hub's findings). */
  tells: 'alerts' | 'every-decision';
  /** The channel's message for this alert; null: nothing to report (Security Hub: no model to report on). */
  build(input: AlertInput): Message | null | Promise<Message | null>;
  send(message: Message): Promise<object>;
}

/** The channels every alert reports on; one not configured is reported as such. (Security Hub, when off, is not reported.) */
export const ALERT_CHANNELS: readonly ChannelName[] = ['sns', 'slack', 'finding'];

/** What the channels are built from (the pipeline's effects). */
export interface ChannelDeps {
  sns: { client: SNSClient; topicArn: string } | null;
  slack: { send(payload: unknown): Promise<unknown> } | null;
  finding: { client: EventBridgeClient; busName: string } | null;
  securityHub?: SecurityHubChannel | null;
  now: () => Date;
}

/** The configured channels, in the order they are reported: SNS, Slack, the finding event, Security Hub. */
export function alertChannels(deps: ChannelDeps): AlertChannel[] {
  const channels: AlertChannel[] = [];
  const { sns, slack, finding, securityHub } = deps;
  if (sns) channels.push(channel({ name: 'sns', tells: 'alerts', build: snsAlert, send: (alert) => publishSnsAlert(sns.client, sns.topicArn, alert) }));
  if (slack) channels.push(channel({ name: 'slack', tells: 'alerts', build: (input) => slackMessage(input, {}), send: async (message) => ((await slack.send(message)) as object) ?? {} }));
  if (finding) {
    channels.push(channel({ name: 'finding', tells: 'alerts', build: (input) => findingEvent(input, finding.busName), send: (entry) => putFindingEvent(finding.client, entry) }));
  }
  if (securityHub) {
    channels.push(
      channel({
        name: 'securityHub',
        tells: 'every-decision',
        // The product ARN and importing account: the model's own account when it is a member account.
        build: async (input) => {
          const { productArn, account } = await securityHub.product(input.decision.account);
          return securityHubFinding(input, { productArn, importingAccount: account, now: deps.now() });
        },
        send: (shFinding) => securityHub.import(shFinding),
      }),
    );
  }
  return channels;
}

const channel = <Message>(declared: AlertChannel<Message>): AlertChannel => declared as AlertChannel;

/** One channel's outcome: its status, and what failed (no secrets: messages of typed errors). */
export interface ChannelOutcome {
  name: AlertChannelName;
  status: ChannelStatus;
  failure?: string;
  /** Why the step ledger could not deduplicate this channel's step. */
  ledger?: string;
}

/**
 * Tells `channels` about one alert, all at once, each as a step of its own: one that fails (or
 * whose message cannot be built) does not stop the others. Never throws; one outcome per channel,
 * in the order given.
 */
export function tellChannels(channels: readonly AlertChannel[], input: AlertInput, runner: StepRunner): Promise<ChannelOutcome[]> {
  return Promise.all(channels.map((each) => tellChannel(each, input, runner)));
}

async function tellChannel(channel: AlertChannel, input: AlertInput, runner: StepRunner): Promise<ChannelOutcome> {
  const { name } = channel;
  let message: unknown;
  try {
    message = await channel.build(input);
  } catch (error) {
    return { name, status: 'failed', failure: errorText(error) };
  }
  if (message === null) return { name, status: 'not-needed' };
  const step = await runner.run(name, () => channel.send(message));
  const ledger = step.ledger === undefined ? {} : { ledger: step.ledger };
  if (step.status === 'ran') return { name, status: step.replayed ? 'already-sent' : 'sent', ...ledger };
  if (step.status === 'in-progress') return { name, status: 'in-progress', ...ledger };
  return { name, status: 'failed', failure: errorText(step.error), ...ledger };
}
