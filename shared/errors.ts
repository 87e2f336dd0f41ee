/**
 * Typed errors of the core. Each keeps its `cause`; they are turned into exit codes or Lambda
 * failures only at the edges (`run` in cli/main.ts: exit code 2; the Lambda handlers of functions/*).
 */
export class IsolationGuardError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A record or event that does not have the shape we rely on. `field` is a path like `Records[2].eventTime`. */
export class RecordValidationError extends IsolationGuardError {
  constructor(
    readonly field: string,
    readonly problem: string,
    options?: { cause?: unknown },
  ) {
    super(`${field}: ${problem}`, options);
  }
}

/** Bytes that are not gzip, JSON, NDJSON or a shape we know. */
export class InputParseError extends IsolationGuardError {}

/** A setting (environment variable, flag or config-file key) with a bad value. */
export class ConfigurationError extends IsolationGuardError {
  constructor(
    readonly setting: string,
    readonly problem: string,
    options?: { cause?: unknown },
  ) {
    super(`${setting}: ${problem}`, options);
  }
}

/** Wrong command-line usage: unknown flag, missing argument. */
export class UsageError extends IsolationGuardError {}

