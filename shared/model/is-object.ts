/**
 * A JSON-like object: not null, not an array, not a Date (a YAML timestamp parses into one). The
 * one check every reader of untyped input (a CloudTrail record, an IaC template) narrows with.
 */
export const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
