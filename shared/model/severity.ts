/** Severities, most urgent first (see decision/priorities.ts for how a model gets one). */
export const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
export type Severity = (typeof SEVERITIES)[number];
