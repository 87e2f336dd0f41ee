import { createHash } from 'node:crypto';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import type { SNSClient } from '@aws-sdk/client-sns';
import { deleteAction } from '../actions/delete.js';
import { planAction } from '../actions/plan.js';
import { QUARANTINE_TAG, quarantineAction } from '../actions/quarantine.js';
import type { RemediationAction } from '../actions/remediation-action.js';
import { findingEvent, putFindingEvent } from '../alerts/finding-event.js';
import { slackMessage } from '../alerts/slack-message.js';
import { securityHubFinding, type SecurityHubChannel } from '../alerts/security-hub.js';
import { publishSnsAlert, snsAlert } from '../alerts/sns-alert.js';
import type { CreateModelRecord } from '../cloudtrail/record.js';
import type { Mode } from '../config.js';
import { confirmDecision } from '../decision/confirm.js';
import { decideCreateModel } from '../decision/decide-create-model.js';
import type { DecidedCreateModel, Decision } from '../decision/decision.js';
import type { Exemption } from '../decision/exemptions.js';
import type { PrioritySettings } from '../decision/priorities.js';
import { describeModelState } from './model-state.js';
import type { ActionTaken, AlertInput, ChannelName, ChannelStatus, ModelState } from './outcome.js';
import type { StepLedger } from './step-ledger.js';

export interface EnforcementSettings {
  mode: Mode;
  dryRun: boolean;
  exemptions: readonly Exemption[];
  /** Tag keys that mark a model as managed by infrastructure as code (besides CloudFormation's). */
  iacTagKeys: readonly string[];
  /** Classification and environment tags; defaults when absent. */
  priorities?: PrioritySettings;
}

/** The effects, passed in: real clients in the Lambda and the CLI, clients pointed at moto in tests. */
export interface EnforcementDeps {
  /** The SageMaker client for the account and region the event names (models live there). */
  sagemakerFor: (where: { account: string | null; region: string }) => SageMakerClient | Promise<SageMakerClient>;
  sns: { client: SNSClient; topicArn: string } | null;
  slack: { send(payload: unknown): Promise<unknown> } | null;
  finding: { client: EventBridgeClient; busName: string } | null;
  ledger: StepLedger;
  now: () => Date;
  /** The name alerts give an account, when known. */
  accountName?: (account: string) => string | null;
  /** AWS Security Hub: one finding per decided model (compliant ones too); absent or null: off. */
  securityHub?: SecurityHubChannel | null;
}

export interface EnforcementResult {
  /** The key effects are recorded under: the CloudTrail eventID, or a digest of a record without one. */
  eventKey: string;
  decision: Decision;
  model: Pick<ModelState, 'exists' | 'networkIsolation'> | null;
  action: ActionTaken;
  /** `securityHub` only when Security Hub is enabled. */
  channels: Record<ChannelName, ChannelStatus> & { securityHub?: ChannelStatus };
  /** Per failed step, what went wrong (no secrets: messages of typed errors only). */
  failures: Partial<Record<ChannelName | 'action' | 'securityHub', string>>;
}

const ACTIONS: Record<'quarantine' | 'delete', RemediationAction> = { quarantine: quarantineAction, delete: deleteAction };

/** Effects are recorded per event; CloudTrail records of eventVersion 1.0 have no eventID. */
export function eventKey(record: CreateModelRecord): string {
  return record.eventID ?? `sha256:${createHash('sha256').update(JSON.stringify(record)).digest('hex')}`;
}

/**
 * The enforcement pipeline for one CreateModel record: decide → confirm with DescribeModel →
 * plan → act → alert. Each effect runs at most once per event (the step ledger), so a redelivered
 * or retried event redoes only what failed. Never throws for a failed channel: the result says
 * which failed, and the caller fails the invocation so that the event is retried or dead-lettered.
 */
export async function enforceRecord(record: CreateModelRecord, settings: EnforcementSettings, deps: EnforcementDeps): Promise<EnforcementResult> {
  const sagemaker = await deps.sagemakerFor({ account: record.recipientAccountId ?? null, region: record.awsRegion });
  let decided = decideCreateModel(record, { exemptions: settings.exemptions, now: deps.now(), priorities: settings.priorities });
  let model: ModelState | null = null;
  const needsLook = decided.decision.verdict === 'violation' || decided.decision.verdict === 'exempt';
  // A compliant request needs no AWS call at all; a failed call created nothing to look at.
  if (needsLook && decided.decision.modelName !== null) {
    model = await describeModelState(sagemaker, decided.decision.modelName);
    decided = confirmDecision(decided, model);
  }
  return remediateAndAlert({ key: eventKey(record), decided, model, sagemaker }, settings, deps);
}

/**
 * The effects of one decision, whoever made it (a CloudTrail event, or a sweep of what exists):
 * plan → act → alert, each step at most once under `key`.
 */
export async function remediateAndAlert(
  subject: { key: string; decided: DecidedCreateModel; model: ModelState | null; sagemaker: SageMakerClient },
  settings: EnforcementSettings,
  deps: EnforcementDeps,
): Promise<EnforcementResult> {
  const { key, decided, model, sagemaker } = subject;
  // The model's data class may set its own mode (never beyond delete; CloudFormation protection still applies).
  const mode = decided.context.classMode ?? settings.mode;
  const plan = planAction(decided, model, mode, settings.iacTagKeys);
  const failures: EnforcementResult['failures'] = {};
  const channels: EnforcementResult['channels'] = { sns: 'not-needed', slack: 'not-needed', finding: 'not-needed' };
  const verdict = decided.decision.verdict;
  const alerting = verdict === 'violation' || verdict === 'exempt';

  let action: ActionTaken = initialAction(plan.kind, plan.note, settings.dryRun, model);
  const alertInput = (): AlertInput => ({
    decision: decided.decision,
    context: decided.context,
    model,
    action,
    mode,
    dryRun: settings.dryRun,
    severity: decided.decision.severity,
    accountName: decided.decision.account ? (deps.accountName?.(decided.decision.account) ?? null) : null,
  });

  const runAction = async () => {
    if (action.status !== 'pending') return;
    const remediation = ACTIONS[action.kind as 'quarantine' | 'delete'];
    const target = remediationTarget(decided, model);
    try {
      const { value, replayed } = await deps.ledger.once(key, 'action', async () => {
        const result = await remediation.run(sagemaker, target, deps.now());
        return { status: result.status, detail: [plan.note, result.detail].filter(Boolean).join(' ') };
      });
      // A redelivered event: the earlier delivery did it; say so rather than claim it again.
      action = replayed
        ? { kind: action.kind, status: 'already-done', detail: `Already done by an earlier delivery: ${value.detail}` }
        : { kind: action.kind, status: value.status, detail: value.detail };
    } catch (error) {
      failures.action = messageOf(error);
      action = { kind: action.kind, status: 'failed', detail: `Could not ${remediation.summary}: ${messageOf(error)}` };
    }
  };

  const sendChannel = async (name: ChannelName, send: (() => Promise<object>) | null) => {
    if (!alerting) return;
    if (send === null) {
      channels[name] = 'not-configured';
      return;
    }
    try {
      const { replayed } = await deps.ledger.once(key, name, send);
      channels[name] = replayed ? 'already-sent' : 'sent';
    } catch (error) {
      channels[name] = 'failed';
      failures[name] = messageOf(error);
    }
  };

  const sns = deps.sns;
  const sendSns = sns ? () => publishSnsAlert(sns.client, sns.topicArn, snsAlert(alertInput())) : null;
  const slack = deps.slack;
  const sendSlack = slack ? async () => (await slack.send(slackMessage(alertInput(), {}))) as object ?? {} : null;
  const finding = deps.finding;
  const sendFinding = finding ? () => putFindingEvent(finding.client, findingEvent(alertInput(), finding.busName)) : null;

  if (action.kind === 'delete' && action.status === 'pending') {
    // Delete only once the SNS alert has recorded what is needed to recreate the model.
    await sendChannel('sns', sendSns);
    if (channels.sns === 'sent' || channels.sns === 'already-sent') {
      await runAction();
    } else {
      action = { ...action, status: 'failed', detail: 'Not deleted: the SNS alert that records the model for recreation was not published.' };
      failures.action = action.detail;
    }
    await Promise.all([sendChannel('slack', sendSlack), sendChannel('finding', sendFinding)]);
  } else {
    await runAction();
    await Promise.all([sendChannel('sns', sendSns), sendChannel('slack', sendSlack), sendChannel('finding', sendFinding)]);
  }

  // Security Hub last, so that the finding records what was done (a deleted model's is ARCHIVED).
  const securityHub = deps.securityHub;
  if (securityHub) {
    try {
      const { productArn, account } = await securityHub.product();
      const shFinding = securityHubFinding(alertInput(), { productArn, importingAccount: account, now: deps.now() });
      if (shFinding === null) {
        channels.securityHub = 'not-needed';
      } else {
        const { replayed } = await deps.ledger.once(key, 'securityHub', () => securityHub.import(shFinding));
        channels.securityHub = replayed ? 'already-sent' : 'sent';
      }
    } catch (error) {
      channels.securityHub = 'failed';
      failures.securityHub = messageOf(error);
    }
  }

  return {
    eventKey: key,
    decision: decided.decision,
    model: model && { exists: model.exists, networkIsolation: model.networkIsolation },
    action,
    channels,
    failures,
  };
}

function initialAction(kind: ActionTaken['kind'], note: string | null, dryRun: boolean, model: ModelState | null): ActionTaken {
  if (kind === 'none') return { kind, status: 'not-needed', detail: note ?? 'No remediation needed.' };
  if (model !== null && !model.exists) return { kind, status: 'already-done', detail: note ?? 'The model no longer exists.' };
  // Known only when the tags were read (a sweep): tagging again would change nothing.
  if (kind === 'quarantine' && model?.tags[QUARANTINE_TAG] !== undefined) {
    return { kind, status: 'already-done', detail: [note, 'The model is already quarantined.'].filter(Boolean).join(' ') };
  }
  const remediation = ACTIONS[kind];
  if (dryRun) return { kind, status: 'would-do', detail: [`Dry run: would ${remediation.summary}.`, note].filter(Boolean).join(' ') };
  return { kind, status: 'pending', detail: [`Will ${remediation.summary}.`, note].filter(Boolean).join(' ') };
}

function remediationTarget(decided: DecidedCreateModel, model: ModelState | null) {
  // DescribeModel's ARN is the truth; the record's may be missing from a truncated record.
  const describedArn = model?.description?.ModelArn;
  return {
    modelName: decided.decision.modelName ?? '',
    modelArn: typeof describedArn === 'string' ? describedArn : (decided.decision.modelArn ?? ''),
  };
}

const messageOf = (error: unknown): string => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));
