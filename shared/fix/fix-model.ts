import type { SageMakerClient } from '../aws/sagemaker-models.js';
import type { SageMakerModel } from '../model/sagemaker-model.js';
import { applyFix, type FixOutcome, type WaitOptions } from './apply-fix.js';
import { planFix, type FixOptions, type FixPlan } from './fix-plan.js';
import { readFixState, sagemakerFixEffects, type FixEffects } from './sagemaker-fix.js';

export interface FixModelRequest {
  modelName: string;
  region: string;
  /** Make the changes; without it only the plan is made. */
  apply: boolean;
  options: FixOptions;
  wait: WaitOptions;
  /** The effects (default: SageMaker calls through the same client). */
  effects?: FixEffects;
}

export interface FixModelResult {
  /** The model as it was found (`exists: false`: there is no such model). */
  model: SageMakerModel;
  /** Null when the model does not exist. */
  plan: FixPlan | null;
  /** What applying the plan did; null without --apply or when there was nothing to apply. */
  outcome: FixOutcome | null;
}

/**
 * One use case for the command and the enforce Lambda's `recreate` mode: read the model and the
 * region's endpoints, plan the fix, and apply it when asked.
 */
export async function fixModel(sagemaker: SageMakerClient, request: FixModelRequest): Promise<FixModelResult> {
  const { model, state } = await readFixState(sagemaker, request.modelName, request.region);
  if (state === null) return { model, plan: null, outcome: null };
  const plan = planFix(state, request.options);
  if (!request.apply || plan.status !== 'ready') return { model, plan, outcome: null };
  const outcome = await applyFix(plan, request.effects ?? sagemakerFixEffects(sagemaker), request.wait);
  return { model, plan, outcome };
}
