/**
 * Prevention: a service control policy that denies creating a model (and, optionally, the other
 * actions that take `sagemaker:NetworkIsolation`) unless network isolation is requested. Pure.
 *
 * `BoolIfExists` with `false` denies both the explicit false and the omitted parameter (the common
 * case: clients send `EnableNetworkIsolation` only when true, and IAM then has no key to compare).
 */

/**
 * Actions whose request carries the `sagemaker:NetworkIsolation` condition key (IAM Service
 * Authorization Reference, SageMaker; checked against it by tests/unit/policy.unit.test.ts). Not the
 * AutoML jobs: CreateAutoMLJob(V2) take no such key, so `BoolIfExists` would deny every one of them.
 */
export const JOB_ACTIONS_WITH_NETWORK_ISOLATION_KEY = [
  'sagemaker:CreateTrainingJob',
  'sagemaker:CreateProcessingJob',
  'sagemaker:CreateHyperParameterTuningJob',
  'sagemaker:CreateMonitoringSchedule',
  'sagemaker:CreateDataQualityJobDefinition',
  'sagemaker:CreateModelBiasJobDefinition',
  'sagemaker:CreateModelExplainabilityJobDefinition',
  'sagemaker:CreateModelQualityJobDefinition',
] as const;

export interface ScpOptions {
  includeJobs?: boolean;
  /** Principals carrying this tag (any value) are exempt, e.g. `isolation-guard-exempt`. */
  exemptPrincipalTag?: string;
  /** Roles under this IAM path are exempt, e.g. `/break-glass/`. */
  exemptRolePath?: string;
}

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: Array<{
    Sid: string;
    Effect: 'Allow' | 'Deny';
    Action: string[];
    Resource: string | string[];
    Condition?: Record<string, Record<string, string | string[]>>;
  }>;
}

export function networkIsolationScp(options: ScpOptions = {}): PolicyDocument {
  const condition: Record<string, Record<string, string | string[]>> = {
    BoolIfExists: { 'sagemaker:NetworkIsolation': 'false' },
  };
  // Conditions of one statement are ANDed: deny only when the principal carries no exemption.
  if (options.exemptPrincipalTag) condition.Null = { [`aws:PrincipalTag/${options.exemptPrincipalTag}`]: 'true' };
  if (options.exemptRolePath) {
    const path = `/${options.exemptRolePath.replace(/^\/+|\/+$/g, '')}/`;
    condition.ArnNotLike = { 'aws:PrincipalArn': `arn:aws:iam::*:role${path}*` };
  }
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'DenySageMakerWithoutNetworkIsolation',
        Effect: 'Deny',
        Action: ['sagemaker:CreateModel', ...(options.includeJobs ? JOB_ACTIONS_WITH_NETWORK_ISOLATION_KEY : [])],
        Resource: '*',
        Condition: condition,
      },
    ],
  };
}
