import { IsolationGuardError } from '../errors.js';

/** The errors of the remediation actions. */

/** A recreate that did not complete: the step ledger releases the action, so a retry resumes it. */
export class FixIncompleteError extends IsolationGuardError {}
