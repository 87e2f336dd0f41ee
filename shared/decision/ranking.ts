import type { Decision, DecisionContext, Verdict } from '../model/decision.js';
import { exceptionRef, type Exemption } from './exemptions.js';
import { prioritize, type PrioritySettings } from './priorities.js';

/**
 * The fields every decision ends with, whatever it was made from (a CreateModel record or a model
 * as it exists): severity and classification from the tags, the exemption that applied, the class mode.
 */
export function ranking(
  tags: Record<string, string>,
  verdict: Verdict,
  exemption: Exemption | null,
  priorities: PrioritySettings | undefined,
): { fields: Pick<Decision, 'severity' | 'classification' | 'production' | 'exception'>; classMode: DecisionContext['classMode'] } {
  const priority = prioritize(tags, verdict, priorities);
  return {
    fields: { severity: priority.severity, classification: priority.classification, production: priority.production, exception: exemption ? exceptionRef(exemption) : null },
    classMode: priority.classMode,
  };
}
