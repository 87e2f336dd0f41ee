import type { SageMakerClient } from '@aws-sdk/client-sagemaker';

export interface RemediationTarget {
  modelName: string;
  modelArn: string;
}

export interface RemediationResult {
  status: 'done' | 'already-done';
  detail: string;
}

/**
 * A remediation, described as data (after Cloud Custodian's actions): what it does, the IAM
 * actions it needs (the roles in resources/iam/ are checked against these in tests) and how to run it. Every
 * action is idempotent: a model already gone, or already tagged, counts as done.
 */
export interface RemediationAction {
  kind: 'quarantine' | 'delete';
  summary: string;
  iamActions: readonly string[];
  run(sagemaker: SageMakerClient, target: RemediationTarget, now: Date): Promise<RemediationResult>;
}
