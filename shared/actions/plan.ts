import type { Mode } from '../model/mode.js';
import type { DecidedCreateModel } from '../model/decision.js';
import type { ActionKind } from '../model/outcome.js';
import type { SageMakerModel } from '../model/sagemaker-model.js';

export const CLOUDFORMATION_STACK_TAG = 'aws:cloudformation:stack-name';
const CLOUDFORMATION_SERVICE = 'cloudformation.amazonaws.com';

export interface ActionPlan {
  kind: ActionKind;
  /** Why no action, or why a weaker one than the mode asks for. */
  note: string | null;
}

/**
 * Which remediation a decision calls for. Pure. Only a violation is remediated; delete turns
 * into quarantine for a model that infrastructure as code manages (deleting it would only drift
 * the stack, and the next deployment would bring it back the same way).
 */
export function planAction(decided: DecidedCreateModel, model: SageMakerModel | null, mode: Mode, iacTagKeys: readonly string[]): ActionPlan {
  const { decision, context } = decided;
  if (decision.verdict !== 'violation') return { kind: 'none', note: null };
  if (mode === 'alert') return { kind: 'none', note: 'Alert mode: no remediation.' };
  if (model !== null && !model.exists) return { kind: mode, note: 'The model no longer exists.' };
  if (mode === 'delete') {
    const stack = context.tags[CLOUDFORMATION_STACK_TAG];
    if (stack !== undefined || context.invokedBy === CLOUDFORMATION_SERVICE) {
      const which = stack ? `stack ${stack}` : 'a stack';
      return {
        kind: 'quarantine',
        note: `Quarantined instead of deleted: CloudFormation ${which} manages this model, so deleting it would only drift the stack. Set EnableNetworkIsolation: true in the template and update the stack.`,
      };
    }
    const iacTag = iacTagKeys.find((key) => key in context.tags);
    if (iacTag !== undefined) {
      return {
        kind: 'quarantine',
        note: `Quarantined instead of deleted: the tag ${iacTag} says infrastructure as code manages this model. Fix its definition and redeploy.`,
      };
    }
  }
  return { kind: mode, note: null };
}
