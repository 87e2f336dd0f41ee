import type { SageMakerClient } from '../aws/sagemaker-models.js';

export interface RemediationTarget {
  modelName: string;
  modelArn: string;
}

export interface RemediationResult {
  /** `not-needed`: the action found it must not act (a recreate the model's definition forbids); `detail` says why. */
  status: 'done' | 'already-done' | 'not-needed';
  detail: string;
}

/**
 * A remediation, described as data (after Cloud Custodian's actions): what it does, the IAM
 * actions it needs (the roles in resources/iam/ are checked against these in tests) and how to run it. Every
 * action is idempotent: a model already gone, or already tagged, counts as done.
 */
export interface RemediationAction {
  kind: 'quarantine' | 'recreate' | 'delete';
  summary: string;
  iamActions: readonly string[];
  run(sagemaker: SageMakerClient, target: RemediationTarget, now: Date, settings?: RemediationSettings): Promise<RemediationResult>;
}

/** The settings an action may need (recreate: which tags say infrastructure as code manages the model). */
export interface RemediationSettings {
  iacTagKeys: readonly string[];
}
