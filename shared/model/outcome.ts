import type { Mode } from './mode.js';
import type { Decision, DecisionContext } from './decision.js';
import type { Severity } from './severity.js';
import type { SageMakerModel } from './sagemaker-model.js';

export type ActionKind = 'none' | 'quarantine' | 'recreate' | 'delete';

export type ActionStatus =
  /** The change was made. */
  | 'done'
  /** Dry run: nothing changed; `detail` says what would have been done. */
  | 'would-do'
  /** Delete mode: recorded in the SNS alert first, done right after it. */
  | 'pending'
  /** Already in the wanted state (tag present, model gone): nothing to do. */
  | 'already-done'
  /** Not needed (compliant, exempt, failed call, alert mode). */
  | 'not-needed'
  | 'failed';

export interface ActionTaken {
  /** What was wanted by the mode, after protections (CloudFormation-managed: quarantine, not delete). */
  kind: ActionKind;
  status: ActionStatus;
  /** Plain words: what was done or would be, and why. */
  detail: string;
}


/** Everything an alert channel (SNS, Slack, EventBridge finding) says about one event. */
export interface AlertInput {
  decision: Decision;
  context: DecisionContext;
  /** Null when no AWS call was needed (a compliant request). */
  model: SageMakerModel | null;
  action: ActionTaken;
  mode: Mode;
  dryRun: boolean;
  /** The decision's: a violation's data-class severity (high without a class), `low` for an exemption used. */
  severity: Severity;
  /** The account's name (alias or Organizations name) when known. */
  accountName?: string | null;
  /**
   * Why the alert could not be confirmed (DescribeModel failed, the record is malformed, the ledger
   * is unavailable): the alert then says it is based on the request alone. Null or absent: confirmed.
   */
  unconfirmed?: string | null;
}

export type ChannelName = 'sns' | 'slack' | 'finding';
/** Steps that can fail: the channels, the action, the confirmation (DescribeModel), the ledger. */
export type FailedStep = ChannelName | 'action' | 'confirm' | 'ledger';
/** `in-progress`: another delivery of the same event is sending it (and reports the outcome). */
export type ChannelStatus = 'sent' | 'already-sent' | 'in-progress' | 'not-configured' | 'not-needed' | 'failed';
