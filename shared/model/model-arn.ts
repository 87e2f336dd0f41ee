import type { Decision } from './decision.js';
import type { SageMakerModel } from './sagemaker-model.js';

/**
 * The ARN of the model a decision is about: DescribeModel's when it found the model (the truth),
 * else the one the CloudTrail record gave (missing from a truncated record); null when neither.
 * The one place this fallback is written: the action's target and the Security Hub finding use it.
 */
export function knownModelArn(decision: Pick<Decision, 'modelArn'>, model: SageMakerModel | null): string | null {
  if (model?.exists && model.arn) return model.arn;
  return decision.modelArn || null;
}
