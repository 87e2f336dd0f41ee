import { IsolationGuardError } from '../errors.js';

/** The errors of the AWS edge (shared/aws/): what an adapter raises for a refusal the SDK does not type. */

/** Security Hub refused the request (HTTP error), or refused findings in it (`FailedCount`). */
export class SecurityHubImportError extends IsolationGuardError {}
