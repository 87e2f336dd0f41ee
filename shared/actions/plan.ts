import type { Mode } from '../model/mode.js';
import type { DecidedCreateModel } from '../model/decision.js';
import type { ActionKind } from '../model/outcome.js';
import type { SageMakerModel } from '../model/sagemaker-model.js';

import { AUTO_FIX_TAG, AUTO_FIX_VALUE, CLOUDFORMATION_STACK_TAG, REPLACED_BY_TAG } from '../model/tags.js';

export { CLOUDFORMATION_STACK_TAG };
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
export function planAction(
  decided: DecidedCreateModel,
  model: SageMakerModel | null,
  mode: Mode,
  iacTagKeys: readonly string[],
  options: { autoFixTagKey?: string; inMemberAccount?: boolean } = {},
): ActionPlan {
  const { decision, context } = decided;
  if (decision.verdict !== 'violation') return { kind: 'none', note: null };
  if (mode === 'alert') return { kind: 'none', note: 'Alert mode: no remediation.' };
  if (model !== null && !model.exists) return { kind: mode, note: 'The model no longer exists.' };
  // Known when the tags were read (a sweep): a model `fix` replaced already serves nothing; not again.
  const replacedBy = model?.exists ? model.tags[REPLACED_BY_TAG] : undefined;
  if (mode === 'recreate' && replacedBy !== undefined) return { kind: 'none', note: `Recreate mode: already replaced by ${replacedBy}, which serves its endpoints; delete it with \`isolation-guard fix ${decision.modelName ?? 'MODEL'} --apply --delete-old\`.` };
  // The member role grants no CreateModel, CreateEndpointConfig, UpdateEndpoint or PassRole (templates/member-account.yml):
  // a model in another account is alerted on, and fixed with the CLI there, rather than failed and dead-lettered.
  if (mode === 'recreate' && options.inMemberAccount) {
    return { kind: 'none', note: `Recreate mode acts on this account's models only (the member role may not create models); alert only. Run \`isolation-guard fix ${decision.modelName ?? 'MODEL'} --account ${decision.account ?? 'ACCOUNT'} --apply\` to fix it.` };
  }
  if (mode === 'recreate') return planRecreate(context.tags, context.invokedBy, iacTagKeys, options.autoFixTagKey ?? AUTO_FIX_TAG);
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

/**
 * Recreate mode fixes only a model whose owners allowed it with a tag (`isolation-guard:auto-fix=allowed`),
 * and never one that infrastructure as code manages (its template is what to fix): otherwise, alert.
 */
function planRecreate(tags: Record<string, string>, invokedBy: string | null, iacTagKeys: readonly string[], autoFixTagKey: string): ActionPlan {
  if (tags[autoFixTagKey] !== AUTO_FIX_VALUE) {
    return { kind: 'none', note: `Recreate mode: not fixed automatically, as the model has no tag ${autoFixTagKey}=${AUTO_FIX_VALUE}; alert only. Run \`isolation-guard fix MODEL --apply\` to fix it.` };
  }
  const stack = tags[CLOUDFORMATION_STACK_TAG];
  const iacTag = iacTagKeys.find((key) => key in tags);
  if (stack !== undefined || invokedBy === CLOUDFORMATION_SERVICE || iacTag !== undefined) {
    const who = iacTag !== undefined && stack === undefined ? `the tag ${iacTag} says infrastructure as code` : `CloudFormation ${stack ? `stack ${stack}` : 'a stack'}`;
    return { kind: 'none', note: `Recreate mode: not fixed automatically, as ${who} manages this model; fix its template and deploy. Alert only.` };
  }
  return { kind: 'recreate', note: null };
}
