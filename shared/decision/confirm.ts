import type { ModelState } from '../enforcement/outcome.js';
import type { DecidedCreateModel } from './decision.js';

/**
 * Folds what DescribeModel showed into a decision made from the record. DescribeModel is the
 * truth about the model: when it shows EnableNetworkIsolation true (the record was truncated or
 * odd), the call is compliant after all. A model already gone stays a violation (it did run
 * without isolation), and the reasons say it is gone.
 */
export function confirmDecision(decided: DecidedCreateModel, model: ModelState): DecidedCreateModel {
  const { decision } = decided;
  if (decision.verdict !== 'violation' && decision.verdict !== 'exempt') return decided;
  if (!model.exists) {
    return {
      ...decided,
      decision: { ...decision, reasons: [...decision.reasons, 'DescribeModel: the model no longer exists.'] },
    };
  }
  if (model.networkIsolation === true) {
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
