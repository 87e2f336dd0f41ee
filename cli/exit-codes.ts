/** Exit codes of every command, in one place: CI pipelines gate on them. */
export const EXIT = {
  /** Nothing non-compliant found. */
  ok: 0,
  /** At least one violation. */
  violation: 1,
  /** An input, a source or the configuration could not be read (this wins over `violation`). */
  inputError: 2,
  /** `enforce`: an action or an alert failed; the event was not fully handled and must be replayed. */
  effectFailed: 3,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
