import type { Mode } from '../model/mode.js';
import type { Severity } from '../model/severity.js';
import type { Verdict } from '../model/decision.js';

/**
 * Data-sensitivity and environment priorities. A model's classification tag (e.g.
 * `data-classification=phi`) names a class; the class gives the severity of a violation and,
 * optionally, a remediation mode that overrides the stage's. Pure.
 */

export interface ClassPolicy {
  severity: Severity;
  /** Overrides the stage's mode for violations of this class (alert, quarantine or delete, never beyond). */
  mode?: Mode;
}

export interface PrioritySettings {
  classificationTagKey: string;
  /** Class name (the tag's value, lower-case) → policy. */
  classes: Record<string, ClassPolicy>;
  environmentTagKey: string;
  /** Values of the environment tag that mean production (compared lower-case). */
  productionValues: string[];
}

export const DEFAULT_PRIORITIES: PrioritySettings = {
  classificationTagKey: 'data-classification',
  classes: {},
  environmentTagKey: 'environment',
  productionValues: ['prod', 'production'],
};

/** A violation without a class (no tag, or a value no class names). */
export const DEFAULT_VIOLATION_SEVERITY: Severity = 'high';

export interface Priority {
  /** The classification tag's value, trimmed and lower-case; null when the model has none. */
  classification: string | null;
  /** The environment tag says production. */
  production: boolean;
  /** A violation: its class's severity (high without one); anything else: low. */
  severity: Severity;
  /** The class's mode, when it sets one. */
  classMode: Mode | null;
}

const tagValue = (tags: Record<string, string>, key: string): string | null => {
  const value = tags[key];
  return value === undefined || value.trim() === '' ? null : value.trim().toLowerCase();
};

export function prioritize(tags: Record<string, string>, verdict: Verdict, settings: PrioritySettings = DEFAULT_PRIORITIES): Priority {
  const classification = tagValue(tags, settings.classificationTagKey);
  const environment = tagValue(tags, settings.environmentTagKey);
  const policy = classification === null ? undefined : settings.classes[classification];
  return {
    classification,
    production: environment !== null && settings.productionValues.some((value) => value.toLowerCase() === environment),
    severity: verdict === 'violation' ? (policy?.severity ?? DEFAULT_VIOLATION_SEVERITY) : 'low',
    classMode: policy?.mode ?? null,
  };
}

