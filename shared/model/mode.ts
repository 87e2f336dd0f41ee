/**
 * The remediation modes, weakest first: the stage's setting, and a data class's override.
 * `recreate` (`isolation-guard fix` run by the enforce Lambda) keeps the old model, so it is below delete.
 */
export const MODES = ['alert', 'quarantine', 'recreate', 'delete'] as const;
export type Mode = (typeof MODES)[number];
