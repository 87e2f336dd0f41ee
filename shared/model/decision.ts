import type { Mode } from './mode.js';
import type { Severity } from './severity.js';

/** What the core decides about one CreateModel call (decide-create-model.ts) or one existing model (decide-described-model.ts). */
export type Verdict = 'compliant' | 'violation' | 'exempt' | 'not-applicable';

export interface Decision {
  eventId: string | null;
  eventTime: string;
  account: string | null;
  region: string;
  modelName: string | null;
  modelArn: string | null;
  /** The caller's ARN, or the AWS service that called on its behalf (`invokedBy`). */
  principal: string | null;
  /** False when the call failed (CloudTrail `errorCode`): no model was created. */
  succeeded: boolean;
  /** What the request said: true or false, null when absent or not a boolean. */
  networkIsolation: boolean | null;
  verdict: Verdict;
  /** Plain words, for people reading an alert or an audit report. */
  reasons: string[];
  /** A violation: its data class's severity (high without one); anything else: low. */
  severity: Severity;
  /** The model's data classification tag value (lower-case), or null. */
  classification: string | null;
  /** The model's environment tag names production. */
  production: boolean;
  /** The exception (register entry, or exemption setting) that made the decision `exempt`. */
  exception: ExceptionRef | null;
}

/** Facts around the decision that alerts and remediation use; not part of `evaluate`'s output. */
export interface DecisionContext {
  invokedBy: string | null;
  sourceIPAddress: string | null;
  userAgent: string | null;
  errorCode: string | null;
  /** Tags from the request (`requestParameters.tags`), or from ListTags when the caller passed them. */
  tags: Record<string, string>;
  /** The exemption that turned a violation into `exempt`, if any. */
  exemption: { kind: ExemptionKind; pattern: string; expires: string | null } | null;
  /** The mode the model's data class sets (overrides the stage's); null: the stage's mode applies. */
  classMode?: Mode | null;
}

/** The exception an exempt decision carries (`evaluate` rows, enforce/sweep/audit output). */
export interface ExceptionRef {
  id: string;
  reason: string | null;
  ticket: string | null;
  approvedBy: string | null;
  expires: string | null;
}

export type ExemptionKind = 'tag' | 'model-name' | 'principal' | 'register';

export interface DecidedCreateModel {
  decision: Decision;
  context: DecisionContext;
}

/** The fields `isolation-guard evaluate` prints, in this order. */
export const DECISION_FIELDS = [
  'eventId',
  'eventTime',
  'account',
  'region',
  'modelName',
  'modelArn',
  'principal',
  'succeeded',
  'networkIsolation',
  'verdict',
  'reasons',
  'severity',
  'classification',
  'production',
  'exception',
] as const satisfies ReadonlyArray<keyof Decision>;
