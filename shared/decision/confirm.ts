import { isIsolated, type SageMakerModel } from '../model/sagemaker-model.js';
import type { DecidedCreateModel } from '../model/decision.js';

/**
 * Folds what DescribeModel showed into a decision made from the record. The event is the evidence:
 * a CreateModel call that did not ask for isolation is a violation whatever DescribeModel says
 * later. DescribeModel adds facts (the model is gone, a different model now has the name, the
 * call's model is confirmed) and says which model, if any, there is to act on; it never erases the
 * verdict. A model's isolation cannot change after creation, so an isolated model found now is not
 * the one the call created without isolation, however soon after the call it was made; a model
 * without isolation is the call's own unless it was created well after the call (`replacedSince`).
 *
 * Returns the decision and the model to act on: `exists: false` when there is none.
 */
export function confirmDecision(
  decided: DecidedCreateModel,
  model: SageMakerModel,
  eventTime: string = decided.decision.eventTime,
): { decided: DecidedCreateModel; model: SageMakerModel } {
  const { decision } = decided;
  if (decision.verdict !== 'violation' && decision.verdict !== 'exempt') return { decided, model };
  const adding = (reason: string) => ({ ...decided, decision: { ...decision, reasons: [...decision.reasons, reason] } });
  const nothingToActOn: SageMakerModel = { exists: false, name: model.name, region: model.region };
  if (!model.exists) return { decided: adding('DescribeModel: the model no longer exists.'), model };
  const replaced = replacedSince(eventTime, model);
  if (replaced) return { decided: adding(replaced), model: nothingToActOn };
  if (isIsolated(model)) {
    const created = model.creationTime ? ` (created ${model.creationTime})` : '';
    return {
      decided: adding(
        `DescribeModel now shows a model of this name with EnableNetworkIsolation true${created}. Isolation cannot be changed on an existing model, ` +
          'so it is not the model this call created: that one was deleted and the name reused. The violation stands (the call is the evidence); nothing is done to the isolated model.',
      ),
      model: nothingToActOn,
    };
  }
  return { decided: adding('DescribeModel confirms EnableNetworkIsolation is not true.'), model };
}

/**
 * A model without isolation created more than this long after the event is not the one the event
 * created (it only decides which model to act on, never the verdict).
 */
export const REPLACEMENT_MARGIN_MS = 60_000;

/**
 * When DescribeModel shows a model created well after the CreateModel call, the model the call
 * created was deleted and another of the same name exists: what DescribeModel says is not about
 * the call's model. Returns the reason to add, or null when the model is the call's (or unknown).
 */
export function replacedSince(eventTime: string, model: SageMakerModel): string | null {
  if (!model.exists || !model.creationTime) return null;
  const created = Date.parse(model.creationTime);
  const event = Date.parse(eventTime);
  if (!Number.isFinite(created) || !Number.isFinite(event) || created - event <= REPLACEMENT_MARGIN_MS) return null;
  return (
    `DescribeModel shows a model of this name created at ${model.creationTime}, after this call (${eventTime}): ` +
    `the model this call created is gone, and a different one now has its name (EnableNetworkIsolation ${String(isIsolated(model))}). ` +
    'The violation stands; nothing is done to the new model.'
  );
}
