import { IsolationGuardError } from '../errors.js';

/** The errors of the sweep (single and fanned out). */

/** Some units could not be queued: the planner fails (and is retried) rather than lose them. */
export class SweepPlanError extends IsolationGuardError {}

/** A unit whose account and region could not be read for a reason worth retrying (throttling, a network error). */
export class SweepUnitRetryError extends IsolationGuardError {}

/** Some regions or models could not be read, or effects failed: the invocation fails (and is retried) after the rest is filed. */
export class SweepIncompleteError extends IsolationGuardError {}
