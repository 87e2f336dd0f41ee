import { createHash } from 'node:crypto';
import type { EventBridgeClient } from '../aws/events.js';
import type { SageMakerClient } from '../aws/sagemaker-models.js';
import type { SNSClient } from '../aws/sns.js';
import { deleteAction } from '../actions/delete.js';
import { planAction } from '../actions/plan.js';
import { quarantineAction } from '../actions/quarantine.js';
import { recreateAction } from '../actions/recreate.js';
import { QUARANTINE_TAG, REPLACED_BY_TAG } from '../model/tags.js';
import type { RemediationAction } from '../actions/remediation-action.js';
import type { SecurityHubChannel } from '../alerts/security-hub.js';
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
import { knownModelArn } from '../model/model-arn.js';
import { ALERT_CHANNELS, alertChannels, tellChannels, type AlertChannelName, type ChannelOutcome } from './alert-channels.js';
import type { StepLedger } from './step-ledger.js';
import { stepRunner, type StepRunner } from './step-runner.js';
import { errorText } from '../model/error-text.js';

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
 * plan → act → alert, each step at most once under `key` (the step runner). The order is the
 * guarantee (docs/design.md, docs/failure-modes.md): quarantine and recreate act, then alert what
 * was done; delete publishes the SNS alert first (it records what is needed to recreate the model),
 * deletes only once that alert is published, then tells Slack and the finding event; Security Hub
 * comes last, so its finding records what was done (a deleted model's is ARCHIVED).
 */
export async function remediateAndAlert(
  subject: { key: string; decided: DecidedCreateModel; model: SageMakerModel | null; sagemaker: SageMakerClient | null; unconfirmed?: string | null },
  settings: EnforcementSettings,
  deps: EnforcementDeps,
): Promise<EnforcementResult> {
  const { key, decided, model, sagemaker } = subject;
  const unconfirmed = subject.unconfirmed ?? null;
  const { decision, context } = decided;
  // The model's data class may set its own mode (never beyond delete; CloudFormation protection still applies).
  const mode = context.classMode ?? settings.mode;
  const account = decision.account;
  const inMemberAccount = mode === 'recreate' && account !== null && deps.isMemberAccount !== undefined ? await deps.isMemberAccount(account) : false;
  // Unconfirmed: the model was not looked at, so nothing is done to it (the retry will).
  const plan = unconfirmed
    ? { kind: 'none' as const, note: 'Unconfirmed: nothing done to the model.' }
    : planAction(decided, model, mode, settings.iacTagKeys, { autoFixTagKey: settings.autoFixTagKey, inMemberAccount });
  const alerting = decision.verdict === 'violation' || decision.verdict === 'exempt';
  const runner = stepRunner(deps.ledger, key, { unconfirmed: unconfirmed !== null, waitMs: LEDGER_WAIT_MS });

  // What every channel says, built once; only what was done differs between the alerts sent before a delete and after it.
  const alert: Omit<AlertInput, 'action'> = {
    decision,
    context,
    model,
    mode,
    dryRun: settings.dryRun,
    severity: decision.severity,
    accountName: account ? (deps.accountName?.(account) ?? null) : null,
    unconfirmed,
  };
  const configured = alertChannels(deps);
  /** Tells the named channels what was done; a channel not configured is reported so (when there is something to tell). */
  const tell = async (names: readonly AlertChannelName[], action: ActionTaken): Promise<ChannelOutcome[]> => {
    const chosen = configured.filter((each) => names.includes(each.name) && (alerting || each.tells === 'every-decision'));
    const told = await tellChannels(chosen, { ...alert, action }, runner);
    const missing = alerting ? names.filter((name) => ALERT_CHANNELS.includes(name as ChannelName) && !chosen.some((each) => each.name === name)) : [];
    const outcomes = [...told, ...missing.map((name): ChannelOutcome => ({ name, status: 'not-configured' }))];
    return names.flatMap((name) => outcomes.filter((outcome) => outcome.name === name));
  };
  const act = (action: ActionTaken) => runAction({ action, note: plan.note, decided, model, sagemaker }, settings, deps, runner);

  const initial = initialAction(plan.kind, plan.note, settings.dryRun, model);
  let acted: ActionOutcome;
  let told: ChannelOutcome[];
  const deleteFirst = initial.kind === 'delete' && initial.status === 'pending';
  if (deleteFirst) {
    // Delete only once the SNS alert has recorded what is needed to recreate the model.
    const sns: ChannelOutcome = (await tell(['sns'], initial))[0] ?? { name: 'sns', status: 'not-needed' };
    if (sns.status === 'sent' || sns.status === 'already-sent') {
      acted = await act(initial);
    } else if (sns.status === 'in-progress') {
      // Another delivery is publishing the alert; it deletes the model after it.
      acted = { action: inProgressElsewhere(initial, ACTIONS.delete.summary) };
    } else {
      const detail = 'Not deleted: the SNS alert that records the model for recreation was not published.';
      acted = { action: { ...initial, status: 'failed', detail }, failure: detail };
    }
    told = [sns, ...(await tell(['slack', 'finding'], acted.action))];
  } else {
    acted = await act(initial);
    told = await tell(['sns', 'slack', 'finding'], acted.action);
  }
  // Security Hub last, so that the finding records what was done (a deleted model's is ARCHIVED).
  told = [...told, ...(await tell(['securityHub'], acted.action))];

  const channels: EnforcementResult['channels'] = { sns: 'not-needed', slack: 'not-needed', finding: 'not-needed' };
  for (const outcome of told) channels[outcome.name] = outcome.status;
  // Failures in the order the steps ran: the ledger first (it serves every step), then each step's own.
  const steps: Array<[FailedStep | 'securityHub', string | undefined]> = told.map((outcome) => [outcome.name, outcome.failure]);
  steps.splice(deleteFirst ? 1 : 0, 0, ['action', acted.failure]);
  const ledger = [acted.ledger, ...told.map((outcome) => outcome.ledger)].find((why) => why !== undefined);
  const failures: EnforcementResult['failures'] = Object.fromEntries([['ledger', ledger], ...steps].filter(([, why]) => why !== undefined));

  return {
    eventKey: key,
    decision,
    model: model && { exists: model.exists, networkIsolation: model.exists ? isIsolated(model) : null },
    action: acted.action,
    channels,
    failures,
    unconfirmed,
  };
}

/** What the action step came to: the action as reported, and what failed. */
interface ActionOutcome {
  action: ActionTaken;
  failure?: string;
  /** Why the step ledger could not deduplicate the action. */
  ledger?: string;
}

/**
 * The remediation, as a step: run when it is pending and the model could be looked at. A step whose
 * claim is taken over (an earlier run's lease ran out without "done") first asks the model whether
 * it was already done; a redelivered event says an earlier delivery did it; one another delivery is
 * running is reported by that delivery.
 */
async function runAction(
  subject: { action: ActionTaken; note: string | null; decided: DecidedCreateModel; model: SageMakerModel | null; sagemaker: SageMakerClient | null },
  settings: EnforcementSettings,
  deps: EnforcementDeps,
  runner: StepRunner,
): Promise<ActionOutcome> {
  const { action, note, decided, sagemaker } = subject;
  if (action.status !== 'pending' || sagemaker === null) return { action };
  const remediation = ACTIONS[action.kind as RemediationAction['kind']];
  const target = { modelName: decided.decision.modelName ?? '', modelArn: knownModelArn(decided.decision, subject.model) ?? '' };
  const step = await runner.run('action', async ({ takeover }) => {
    // An earlier run's claim ran out without "done": the model's own state says whether it acted.
    const already = takeover ? await doneBefore(sagemaker, target.modelName, decided.decision.region, action.kind) : null;
    if (already) return { status: 'already-done' as const, detail: [note, already].filter(Boolean).join(' ') };
    const result = await remediation.run(sagemaker, target, deps.now(), settings);
    return { status: result.status, detail: [note, result.detail].filter(Boolean).join(' ') };
  });
  const ledger = step.ledger === undefined ? {} : { ledger: step.ledger };
  if (step.status === 'ran') {
    // A redelivered event: the earlier delivery did it; say so rather than claim it again.
    const { value } = step;
    return step.replayed
      ? { action: { kind: action.kind, status: 'already-done', detail: `Already done by an earlier delivery: ${value.detail}` }, ...ledger }
      : { action: { kind: action.kind, status: value.status, detail: value.detail }, ...ledger };
  }
  // Not ours to report as failed: the delivery running it reports the outcome.
  if (step.status === 'in-progress') return { action: inProgressElsewhere(action, remediation.summary), ...ledger };
  const why = errorText(step.error);
  return { action: { kind: action.kind, status: 'failed', detail: `Could not ${remediation.summary}: ${why}` }, failure: why, ...ledger };
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
