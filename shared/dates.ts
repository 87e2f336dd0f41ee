import { z } from 'zod';
import { UsageError } from './errors.js';
import { once } from './model/once.js';

/**
 * Dates a person or a file gives (a flag, a setting, an exemption's expiry, an exception register,
 * the history Lambda's request), parsed one way: zod at the edge, then one rule for what instant a
 * bare date stands for. The grammar is `YYYY-MM-DD` (a real UTC day) or an ISO 8601 date-time with
 * its offset (`2026-11-29T10:00:00Z`, `2026-11-29T10:00Z` without seconds, `...+02:00`); a time without an offset is refused, since it
 * would be read in the zone of whatever machine runs the check.
 */

/** The grammar (a zod schema, built on first use: the enforce Lambda's cold start does not pay for it). */
export const dateOrDateTime = once(() => z.union([z.iso.date(), z.iso.datetime({ offset: true }), z.iso.datetime({ offset: true, precision: -1 })]));

const day = once(() => z.iso.date());

/** `YYYY-MM-DD`, a real day (`2026-02-30` is not). */
export const isDay = (text: unknown): boolean => day().safeParse(text).success;

/**
 * Which instant a bare date stands for: the start of its UTC day (a period's `from`, `--as-of`) or
 * the end of it, i.e. the next day's start (an exemption's expiry and a period's `--to`: through that day).
 */
export type DayEdge = 'start' | 'end';

/** The instant of a date or date-time in the grammar, a bare date at `edge` of its UTC day. */
export function instantOf(text: string, edge: DayEdge = 'start'): Date {
  if (!isDay(text)) return new Date(text);
  const instant = new Date(`${text}T00:00:00Z`);
  if (edge === 'end') instant.setUTCDate(instant.getUTCDate() + 1);
  return instant;
}

/** A date given as text: its instant, or null when it is not in the grammar. */
export function parseDateInput(value: unknown, edge: DayEdge = 'start'): Date | null {
  const parsed = dateOrDateTime().safeParse(value);
  return parsed.success ? instantOf(parsed.data, edge) : null;
}

/** A command-line date (`--from`, `--to`, `--as-of`): its instant, or a usage error naming the flag (exit 2). */
export function dateOption(flag: string, value: unknown, edge: DayEdge = 'start'): Date {
  const date = parseDateInput(value, edge);
  if (date === null) throw new UsageError(`${flag}: not a date (YYYY-MM-DD or ISO 8601): ${JSON.stringify(value)}`);
  return date;
}
