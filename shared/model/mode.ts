/** The remediation modes, weakest first: the stage's setting, and a data class's override. */
export const MODES = ['alert', 'quarantine', 'delete'] as const;
export type Mode = (typeof MODES)[number];
