import { isIsolated, type SageMakerModel } from '../model/sagemaker-model.js';
import type { DecidedCreateModel } from '../model/decision.js';

/**
 * Folds what DescribeModel showed into a decision made from the record. DescribeModel is the
 * truth about the model: when it shows EnableNetworkIsolation true (the record was truncated or
 * odd), the call is compliant after all. A model already gone stays a violation (it did run
 * without isolation), and the reasons say it is gone.
 */
export function confirmDecision(decided: DecidedCreateModel, model: SageMakerModel): DecidedCreateModel {
  const { decision } = decided;
  if (decision.verdict !== 'violation' && decision.verdict !== 'exempt') return decided;
  if (!model.exists) {
    return {
      ...decided,
      decision: { ...decision, reasons: [...decision.reasons, 'DescribeModel: the model no longer exists.'] },
    };
  }
  if (isIsolated(model)) {
    return {
      context: { ...decided.context, exemption: null },
      decision: {
        ...decision,
        verdict: 'compliant',
        networkIsolation: true,
        severity: 'low',
        exception: null,
        reasons: [...decision.reasons, 'DescribeModel shows EnableNetworkIsolation true: the model is isolated.'],
      },
    };
  }
  return {
    ...decided,
    decision: { ...decision, reasons: [...decision.reasons, 'DescribeModel confirms EnableNetworkIsolation is not true.'] },
  };
}

/** A model created more than this long after the event is not the one the event created. */
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
