import { IsolationGuardError } from '../errors.js';

/** The errors of the Athena queries. */

/** An Athena query that failed, was cancelled or ran out of time; names the query and Athena's reason. */
export class AthenaQueryError extends IsolationGuardError {
  constructor(
    readonly queryExecutionId: string | null,
    readonly state: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
