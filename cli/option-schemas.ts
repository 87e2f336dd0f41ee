import { z } from 'zod';
import { got } from '../shared/config.js';
import { UsageError } from '../shared/errors.js';
import { parseDateInput } from '../shared/dates.js';

export { got };

/**
 * The command line's edge: each command's option values (as parseArgs gives them: strings,
 * booleans, lists) are parsed by one zod object schema into the typed options its handler takes.
 * A bad value is a UsageError naming the option (`--format: expected json or table, got "xml"`),
 * exit 2; the schemas' messages say what is wrong, `parseOptions` names the option.
 */

/** `parseArgs`' values of one command line. */
export type OptionValues = Record<string, unknown>;

/** The key the command line's arguments (not options) are parsed under. */
export const POSITIONALS = 'positionals';

/** Parses `values` with `schema`; the first bad option throws `--NAME: MESSAGE`. */
export function parseOptions<S extends z.ZodType>(schema: S, values: OptionValues): z.output<S> {
  const parsed = schema.safeParse(values, { jitless: true });
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const option = issue.path.find((key) => typeof key === 'string');
  // The arguments (`positionals`) have messages of their own (`fix: expected exactly one MODEL_NAME`).
  throw new UsageError(option === undefined || option === POSITIONALS ? issue.message : `--${option}: ${issue.message}`);
}

/** An option that may be left out: a string, or null. */
export const optionalString = () => z.string().optional().transform((value) => value ?? null);

/** A switch: true only when given. */
export const flag = () => z.boolean().optional().transform((value) => value === true);

/** One of `values`, with the message `message` gives. */
export const oneOf = <const T extends readonly [string, ...string[]]>(values: T, message: (issue: { input?: unknown }) => string) =>
  z.enum(values, { error: message });

/** A date or an instant in the one date grammar (shared/dates.ts: YYYY-MM-DD, the start of its UTC day, or ISO 8601 with an offset); absent: `now()`. */
export const instant = (message: (input: unknown) => string, now: () => Date = () => new Date()) =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined) return now();
      const date = parseDateInput(value);
      if (date === null) {
        ctx.addIssue({ code: 'custom', message: message(value) });
        return z.NEVER;
      }
      return date;
    });

/** A string that must match `pattern` when given (undefined when not). */
export const matching = (pattern: RegExp, message: string | ((issue: { input?: unknown }) => string)) =>
  z.string().regex(pattern, { error: message }).optional();

/** A number in a string option (`--concurrency 8`), with the bounds `check` tests. */
export const numberWhere = (check: (value: number) => boolean, message: string | ((issue: { input?: unknown }) => string)) =>
  z
    .string()
    .transform((value, ctx) => {
      const number = Number(value);
      if (!check(number)) {
        ctx.addIssue({ code: 'custom', message: typeof message === 'string' ? message : message({ input: value }) });
        return z.NEVER;
      }
      return number;
    });

/** A required string option: `required (WHAT)` when left out. */
export const required = (what: string) => z.string({ error: (issue) => (issue.input === undefined ? `required (${what})` : `expected a value`) });
