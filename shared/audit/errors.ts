import { IsolationGuardError } from '../errors.js';

/** The errors of the audit sources. */

/** Evidence that cannot be read back: a filed report that is not one, or none for a month. */
export class EvidenceError extends IsolationGuardError {}
