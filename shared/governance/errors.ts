import { IsolationGuardError } from '../errors.js';

/** The errors of the exception register. */

/** The register file cannot be read, is not JSON/YAML, or does not have the register's shape. */
export class ExceptionRegisterError extends IsolationGuardError {}
