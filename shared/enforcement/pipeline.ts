import { createHash } from 'node:crypto';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import type { SNSClient } from '@aws-sdk/client-sns';
import { deleteAction } from '../actions/delete.js';
import { planAction } from '../actions/plan.js';
import { quarantineAction } from '../actions/quarantine.js';
import { recreateAction } from '../actions/recreate.js';
import { QUARANTINE_TAG, REPLACED_BY_TAG } from '../model/tags.js';
import type { RemediationAction } from '../actions/remediation-action.js';
import { findingEvent, putFindingEvent } from '../alerts/finding-event.js';
import { slackMessage } from '../alerts/slack-message.js';
import { securityHubFinding, type SecurityHubChannel } from '../alerts/security-hub.js';
import { publishSnsAlert, snsAlert } from '../alerts/sns-alert.js';
import type { CreateModelRecord } from '../cloudtrail/record.js';
import type { Mode } from '../model/mode.js';
import { confirmDecision } from '../decision/confirm.js';
import { decideCreateModel } from '../decision/decide-create-model.js';
import type { DecidedCreateModel, Decision } from '../model/decision.js';
import type { Exemption } from '../decision/exemptions.js';
import type { PrioritySettings } from '../decision/priorities.js';
import { describeModel } from '../aws/sagemaker-models.js';
import type { ActionTaken, AlertInput, ChannelName, ChannelStatus, FailedStep } from '../model/outcome.js';
import { isIsolated, type SageMakerModel } from '../model/sagemaker-model.js';
import { type StepLedger, type StepRun } from './step-ledger.js';
import { errorText } from '../model/error-text.js';
import { LedgerUnavailableError, StepInProgressError } from './errors.js';

export interface EnforcementSettings {
  mode: Mode;
  dryRun: boolean;
  exemptions: readonly Exemption[];
  /** Tag keys that mark a model as managed by infrastructure as code (besides CloudFormation's). */
  iacTagKeys: readonly string[];
  /** Classification and environment tags; defaults when absent. */
  priorities?: PrioritySettings;
  /** Recreate mode: the tag key whose value `allowed` lets the service fix a model (default isolation-guard:auto-fix). */
  autoFixTagKey?: string;
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
  /** Whether the account is another of the organisation's (served through the member role); absent: none is. */
  isMemberAccount?: (account: string) => Promise<boolean>;
}

export interface EnforcementResult {
  /** The key effects are recorded under: the CloudTrail eventID, or a digest of a record without one. */
  eventKey: string;
  decision: Decision;
  /** What DescribeModel showed: `networkIsolation` null when the model is gone. */
  model: { exists: boolean; networkIsolation: boolean | null } | null;
  action: ActionTaken;
  /** `securityHub` only when Security Hub is enabled. */
  channels: Record<ChannelName, ChannelStatus> & { securityHub?: ChannelStatus };
  /** Per failed step, what went wrong (no secrets: messages of typed errors only). */
  failures: Partial<Record<FailedStep | 'securityHub', string>>;
  /** Why the alert is based on the request alone (DescribeModel failed, a malformed record); null or absent: confirmed. */
  unconfirmed?: string | null;
}

const ACTIONS: Record<RemediationAction['kind'], RemediationAction> = { quarantine: quarantineAction, recreate: recreateAction, delete: deleteAction };

/** Effects are recorded per event; CloudTrail records of eventVersion 1.0 have no eventID. */
export function eventKey(record: CreateModelRecord): string {
  return record.eventID ?? `sha256:${createHash('sha256').update(JSON.stringify(record)).digest('hex')}`;
}

/**
 * The enforcement pipeline for one CreateModel record: decide → confirm with DescribeModel →
 * plan → act → alert. Each effect runs at most once per event (the step ledger), so a redelivered
 * or retried event redoes only what failed. Never throws: when the model cannot be looked at
 * (DescribeModel throttled, denied or hanging; the member role refused), the violation is alerted
 * on what the request shows, marked unconfirmed, nothing is done to the model, and the result's
 * `failures` make the caller fail the invocation, so the event is retried and then dead-lettered.
 */
export async function enforceRecord(
  record: CreateModelRecord,
  settings: EnforcementSettings,
  deps: EnforcementDeps,
  options: { malformed?: string | null } = {},
): Promise<EnforcementResult> {
  const key = eventKey(record);
  let decided = decideCreateModel(record, { exemptions: settings.exemptions, now: deps.now(), priorities: settings.priorities, malformed: options.malformed ?? null });
  let model: SageMakerModel | null = null;
  let sagemaker: SageMakerClient | null = null;
  let unconfirmed: string | null = options.malformed ? `the record is malformed (${options.malformed})` : null;
  const failures: EnforcementResult['failures'] = {};
  const needsLook = decided.decision.verdict === 'violation' || decided.decision.verdict === 'exempt';
  // A compliant request needs no AWS call at all; a failed call created nothing to look at. A
  // malformed record is not looked at either: its time or region cannot be trusted to tell its
  // model from another of the same name, so DescribeModel must not turn it compliant.
  if (needsLook && decided.decision.modelName !== null && !options.malformed) {
    try {
      sagemaker = await deps.sagemakerFor({ account: record.recipientAccountId ?? null, region: record.awsRegion });
      // Tags come from the CloudTrail request, which CloudFormation and the SDKs fill in: no ListTags,
      // so the enforce role needs no more than the three model actions.
      model = await describeModel(sagemaker, decided.decision.modelName, { region: record.awsRegion, listTags: false });
      // What DescribeModel shows adds facts and picks the model to act on; the verdict stays the call's.
      ({ decided, model } = confirmDecision(decided, model, record.eventTime));
    } catch (error) {
      failures.confirm = `DescribeModel failed: ${errorText(error)}`;
      unconfirmed = `the model could not be looked at (${errorText(error)})`;
      sagemaker = null;
      model = null;
    }
  }
  if (unconfirmed) {
    decided = {
      ...decided,
      decision: {
        ...decided.decision,
        reasons: [
          `Unconfirmed: ${unconfirmed}. This alert is based on what the CloudTrail request shows; nothing was done to the model.`,
          ...decided.decision.reasons,
        ],
      },
    };
  }
  const result = await remediateAndAlert({ key, decided, model, sagemaker, unconfirmed }, settings, deps);
  return { ...result, failures: { ...failures, ...result.failures } };
}

/**
 * The effects of one decision, whoever made it (a CloudTrail event, or a sweep of what exists):
 * plan → act → alert, each step at most once under `key`.
 */
export async function remediateAndAlert(
  subject: { key: string; decided: DecidedCreateModel; model: SageMakerModel | null; sagemaker: SageMakerClient | null; unconfirmed?: string | null },
  settings: EnforcementSettings,
  deps: EnforcementDeps,
): Promise<EnforcementResult> {
  const { key, decided, model, sagemaker } = subject;
  const unconfirmed = subject.unconfirmed ?? null;
  // The model's data class may set its own mode (never beyond delete; CloudFormation protection still applies).
  const mode = decided.context.classMode ?? settings.mode;
  // Unconfirmed: the model was not looked at, so nothing is done to it (the retry will).
  const account = decided.decision.account;
  const inMemberAccount = mode === 'recreate' && account !== null && deps.isMemberAccount !== undefined ? await deps.isMemberAccount(account) : false;
  const plan = unconfirmed
    ? { kind: 'none' as const, note: 'Unconfirmed: nothing done to the model.' }
    : planAction(decided, model, mode, settings.iacTagKeys, { autoFixTagKey: settings.autoFixTagKey, inMemberAccount });
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
    unconfirmed,
  });

  /**
   * One step under the ledger. When the ledger itself cannot be used (table missing, denied,
   * failing, hanging), deduplication cannot happen: the effect runs anyway (a duplicate is better
   * than silence), the failure is reported, so the event is kept for the dead-letter queue, and the
   * remaining steps do not wait on the ledger again (every wait is bounded: the invocation ends well
   * inside the function's timeout with every channel tried). A step another delivery is running is
   * waited for, all steps together at most LEDGER_WAIT_MS, then reported as in progress there.
   * Unconfirmed alerts are steps of their own, so the confirmed alert of a retry still goes out.
   */
  const waitUntil = Date.now() + LEDGER_WAIT_MS;
  let ledgerDown = false;
  const once = async <T extends object>(step: string, effect: (run: StepRun) => Promise<T>): Promise<{ replayed: boolean; value: T }> => {
    const name = unconfirmed && step !== 'action' ? `${step}-unconfirmed` : step;
    if (ledgerDown) return { replayed: false, value: await effect({ takeover: false }) };
    try {
      const outcome = await deps.ledger.once(key, name, effect, { waitMs: Math.max(0, waitUntil - Date.now()) });
      if (outcome.unrecorded) failures.ledger = outcome.unrecorded;
      return outcome;
    } catch (error) {
      if (!(error instanceof LedgerUnavailableError)) throw error;
      failures.ledger = error.message;
      ledgerDown = true;
      return { replayed: false, value: await effect({ takeover: false }) };
    }
  };

  const runAction = async () => {
    if (action.status !== 'pending' || sagemaker === null) return;
    const remediation = ACTIONS[action.kind as RemediationAction['kind']];
    const target = remediationTarget(decided, model);
    try {
      const { value, replayed } = await once('action', async ({ takeover }) => {
        // An earlier run's claim ran out without "done": the model's own state says whether it acted.
        const already = takeover ? await doneBefore(sagemaker, target.modelName, decided.decision.region, action.kind) : null;
        if (already) return { status: 'already-done' as const, detail: [plan.note, already].filter(Boolean).join(' ') };
        const result = await remediation.run(sagemaker, target, deps.now(), settings);
        return { status: result.status, detail: [plan.note, result.detail].filter(Boolean).join(' ') };
      });
      // A redelivered event: the earlier delivery did it; say so rather than claim it again.
      action = replayed
        ? { kind: action.kind, status: 'already-done', detail: `Already done by an earlier delivery: ${value.detail}` }
        : { kind: action.kind, status: value.status, detail: value.detail };
    } catch (error) {
      if (error instanceof StepInProgressError) {
        // Not ours to report as failed: the delivery running it reports the outcome.
        action = inProgressElsewhere(action, remediation.summary);
        return;
      }
      failures.action = errorText(error);
      action = { kind: action.kind, status: 'failed', detail: `Could not ${remediation.summary}: ${errorText(error)}` };
    }
  };

  const sendChannel = async (name: ChannelName, send: (() => Promise<object>) | null) => {
    if (!alerting) return;
    if (send === null) {
      channels[name] = 'not-configured';
      return;
    }
    try {
      const { replayed } = await once(name, send);
      channels[name] = replayed ? 'already-sent' : 'sent';
    } catch (error) {
      if (error instanceof StepInProgressError) {
        channels[name] = 'in-progress';
        return;
      }
      channels[name] = 'failed';
      failures[name] = errorText(error);
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
    } else if (channels.sns === 'in-progress') {
      // Another delivery is publishing the alert; it deletes the model after it.
      action = inProgressElsewhere(action, ACTIONS.delete.summary);
    } else {
      action = { ...action, status: 'failed', detail: 'Not deleted: the SNS alert that records the model for recreation was not published.' };
      failures.action = action.detail;
    }
    await Promise.all([sendChannel('slack', sendSlack), sendChannel('finding', sendFinding)]);
  } else {
    await runAction();
    await Promise.all([sendChannel('sns', sendSns), sendChannel('slack', sendSlack), sendChannel('finding', sendFinding)]);
  }

  const result = (): EnforcementResult => ({
    eventKey: key,
    decision: decided.decision,
    model: model && { exists: model.exists, networkIsolation: model.exists ? isIsolated(model) : null },
    action,
    channels,
    failures,
    unconfirmed,
  });

  // Security Hub last, so that the finding records what was done (a deleted model's is ARCHIVED).
  const securityHub = deps.securityHub;
  if (securityHub) {
    try {
      const { productArn, account } = await securityHub.product(decided.decision.account);
      const shFinding = securityHubFinding(alertInput(), { productArn, importingAccount: account, now: deps.now() });
      if (shFinding === null) {
        channels.securityHub = 'not-needed';
      } else {
        const { replayed } = await once('securityHub', () => securityHub.import(shFinding));
        channels.securityHub = replayed ? 'already-sent' : 'sent';
      }
    } catch (error) {
      if (error instanceof StepInProgressError) {
        channels.securityHub = 'in-progress';
        return result();
      }
      channels.securityHub = 'failed';
      failures.securityHub = errorText(error);
    }
  }

  return result();
}

/**
 * Whether the remediation is already in effect (the model is gone, or tagged as quarantined), for a
 * step taken over from a run whose "done" write was lost: the effect is not run a second time.
 */
async function doneBefore(sagemaker: SageMakerClient, modelName: string, region: string, kind: ActionTaken['kind']): Promise<string | null> {
  const now = await describeModel(sagemaker, modelName, { region, listTags: true });
  if (!now.exists) return 'The model no longer exists (an earlier delivery acted; its record was lost).';
  if (kind === 'quarantine' && now.tags[QUARANTINE_TAG] !== undefined) return `Already tagged ${QUARANTINE_TAG} by an earlier delivery (its record was lost).`;
  // A recreate is itself idempotent (what an earlier run made is used); the replaced-by tag is its last step.
  if (kind === 'recreate' && now.tags[REPLACED_BY_TAG] !== undefined) return `Already replaced by ${now.tags[REPLACED_BY_TAG]} (${REPLACED_BY_TAG}) by an earlier delivery (its record was lost).`;
  return null;
}

/** How long, in all, one delivery waits for steps another delivery of the same event is running. */
export const LEDGER_WAIT_MS = 5_000;

/** The action as this delivery reports it when another delivery of the same event is running it. */
function inProgressElsewhere(action: ActionTaken, summary: string): ActionTaken {
  return { kind: action.kind, status: 'pending', detail: `In progress by another delivery of this event (${summary}); that delivery reports the outcome.` };
}

function initialAction(kind: ActionTaken['kind'], note: string | null, dryRun: boolean, model: SageMakerModel | null): ActionTaken {
  if (kind === 'none') return { kind, status: 'not-needed', detail: note ?? 'No remediation needed.' };
  if (model !== null && !model.exists) return { kind, status: 'already-done', detail: note ?? 'The model no longer exists.' };
  // Known only when the tags were read (a sweep): tagging again would change nothing.
  if (kind === 'quarantine' && model?.exists && model.tags[QUARANTINE_TAG] !== undefined) {
    return { kind, status: 'already-done', detail: [note, 'The model is already quarantined.'].filter(Boolean).join(' ') };
  }
  const remediation = ACTIONS[kind];
  if (dryRun) return { kind, status: 'would-do', detail: [`Dry run: would ${remediation.summary}.`, note].filter(Boolean).join(' ') };
  return { kind, status: 'pending', detail: [`Will ${remediation.summary}.`, note].filter(Boolean).join(' ') };
}

function remediationTarget(decided: DecidedCreateModel, model: SageMakerModel | null) {
  // DescribeModel's ARN is the truth; the record's may be missing from a truncated record.
  return {
    modelName: decided.decision.modelName ?? '',
    modelArn: model?.exists && model.arn ? model.arn : (decided.decision.modelArn ?? ''),
  };
}
