import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import yaml from 'js-yaml';
import { z } from 'zod';
import type { Config } from '../config.js';
import { expiryInstant, type Exemption, type ExceptionMatchers } from '../decision/exemptions.js';
import { once } from '../model/once.js';
import { ExceptionRegisterError } from './errors.js';
import { errorText } from '../model/error-text.js';
import { dateOrDateTime } from '../dates.js';

/**
 * The exception register: one file (JSON or YAML), kept in git and reviewed like code, listing
 * every approved exception to the control. Each entry names what it matches (several matchers
 * narrow the match), why, the ticket, who approved it and when it expires. Entries become
 * exemptions of kind `register`; an entry lacking an approval field never exempts (fail closed)
 * and `isolation-guard exceptions check` names it in the pull request that adds it.
 */

// Built on first use: the enforce Lambda imports this module whether or not a register is configured.
const entrySchema = once(() => {
  const optionalText = z.string().optional();
  const glob = z.string().trim().min(1, 'an empty pattern matches nothing').optional();
  return z
    .strictObject({
      id: z.string().trim().min(1, 'required'),
      modelName: glob,
      principal: glob,
      tag: glob,
      account: z.string().regex(/^\d{12}$/, 'expected a 12-digit account id').optional(),
      reason: optionalText,
      ticket: optionalText,
      approvedBy: optionalText,
      /** Who the expiry reminder is for (an e-mail or team); the approver when absent. */
      owner: optionalText,
      /** `YYYY-MM-DD` (through the end of that UTC day) or an ISO 8601 date-time. */
      expires: z.string().optional(),
    })
    .refine((entry) => [entry.modelName, entry.principal, entry.tag, entry.account].some((m) => m !== undefined), {
      message: 'names nothing to match: give modelName, principal, tag and/or account',
    });
});
export type ExceptionEntry = z.infer<ReturnType<typeof entrySchema>>;

const registerSchema = once(() =>
  z.strictObject({ exceptions: z.array(entrySchema()) }).superRefine((register, ctx) => {
    const seen = new Set<string>();
    register.exceptions.forEach((entry, index) => {
      if (seen.has(entry.id)) ctx.addIssue({ code: 'custom', path: ['exceptions', index, 'id'], message: `duplicate id ${JSON.stringify(entry.id)}` });
      seen.add(entry.id);
    });
  }),
);

const blank = (value: string | undefined) => value === undefined || value.trim() === '';

/** The approval fields an entry lacks (`expires` also when it is not a date). */
export function missingFields(entry: ExceptionEntry): string[] {
  const missing = (['reason', 'ticket', 'approvedBy'] as const).filter((field) => blank(entry[field]));
  return [...missing, ...(blank(entry.expires) || !dateOrDateTime().safeParse(entry.expires!.trim()).success ? ['expires'] : [])];
}

const pathOf = (path: ReadonlyArray<PropertyKey>) =>
  path.reduce<string>((out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)), '');

/**
 * Parses a register's text. JSON when the name ends in `.json`, YAML otherwise (YAML's core
 * schema: a bare date stays a string). Throws ExceptionRegisterError naming the file and field.
 */
export function parseExceptionRegister(text: string, source: string): ExceptionEntry[] {
  let value: unknown;
  try {
    value = source.toLowerCase().endsWith('.json') ? JSON.parse(text) : yaml.load(text, { schema: yaml.CORE_SCHEMA, filename: source });
  } catch (cause) {
    const what = source.toLowerCase().endsWith('.json') ? 'JSON' : 'YAML';
    throw new ExceptionRegisterError(`${source}: not ${what} (${errorText(cause, { name: false, firstLine: true })})`, { cause });
  }
  const parsed = registerSchema().safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const entry = typeof issue.path[1] === 'number' ? ((value as { exceptions?: Array<{ id?: unknown }> }).exceptions?.[issue.path[1]]?.id ?? null) : null;
    const named = typeof entry === 'string' ? ` (entry ${entry})` : '';
    throw new ExceptionRegisterError(`${source}: ${pathOf(issue.path) || '(file)'}${named}: ${issue.message}`);
  }
  return parsed.data.exceptions;
}

/** Reads and parses a register file; an unreadable file is an ExceptionRegisterError naming it. */
export function readExceptionRegister(path: string): ExceptionEntry[] {
  let text: string;
  try {
    text = readFileSync(resolve(path), 'utf8');
  } catch (cause) {
    throw new ExceptionRegisterError(`${path}: cannot read the exception register (${(cause as NodeJS.ErrnoException).code ?? String(cause)})`, { cause });
  }
  return parseExceptionRegister(text, path);
}

/** The entries as exemptions the decision core applies (kind `register`). */
export function registerExemptions(entries: readonly ExceptionEntry[]): Exemption[] {
  return entries.map((entry) => {
    const match: ExceptionMatchers = {};
    if (entry.modelName !== undefined) match.modelName = entry.modelName;
    if (entry.principal !== undefined) match.principal = entry.principal;
    if (entry.tag !== undefined) match.tag = entry.tag;
    if (entry.account !== undefined) match.account = entry.account;
    const missing = missingFields(entry);
    return {
      kind: 'register',
      pattern: Object.entries(match).map(([key, value]) => `${key} '${value}'`).join(', '),
      expires: missing.includes('expires') ? null : entry.expires!.trim(),
      id: entry.id,
      match,
      reason: blank(entry.reason) ? null : entry.reason!,
      ticket: blank(entry.ticket) ? null : entry.ticket!,
      approvedBy: blank(entry.approvedBy) ? null : entry.approvedBy!,
      owner: blank(entry.owner) ? null : entry.owner!,
      missing,
    };
  });
}

/**
 * The exemptions a command applies: the register's entries (`config.exceptions`) first, then the
 * exemption settings (entries without approval, reported as such). What `scan` and every other
 * command calls.
 */
export function loadExceptions(config: Pick<Config, 'exceptions' | 'exemptions'>): Exemption[] {
  const register = config.exceptions ? registerExemptions(readExceptionRegister(config.exceptions)) : [];
  return [...register, ...config.exemptions.filter((e) => e.kind !== 'register')];
}

/** The configuration with the register's entries joined to its exemptions. */
export function withExceptionRegister<C extends Config>(config: C): C {
  return { ...config, exemptions: loadExceptions(config) };
}

export interface EntryProblem {
  id: string;
  index: number;
  problems: string[];
}

/**
 * What `isolation-guard exceptions check` reports: per entry, a missing approval field, an expiry
 * passed, or an expiry further ahead than `maxDays`. Pure.
 */
export function checkRegister(entries: readonly ExceptionEntry[], options: { asOf: Date; maxDays: number }): EntryProblem[] {
  const limit = options.asOf.getTime() + options.maxDays * 86_400_000;
  const out: EntryProblem[] = [];
  entries.forEach((entry, index) => {
    const problems = missingFields(entry).map((field) =>
      field === 'expires' && !blank(entry.expires) ? `expires: not a date (YYYY-MM-DD) or ISO 8601 date-time: ${JSON.stringify(entry.expires)}` : `${field}: missing`,
    );
    if (!problems.some((p) => p.startsWith('expires'))) {
      const end = expiryInstant(entry.expires!.trim()).getTime();
      if (end <= options.asOf.getTime()) problems.push(`expired: ${entry.expires} is past (as of ${options.asOf.toISOString()})`);
      else if (end > limit) problems.push(`expires ${entry.expires}: more than ${options.maxDays} days ahead (at most ${new Date(limit).toISOString().slice(0, 10)})`);
    }
    if (problems.length > 0) out.push({ id: entry.id, index, problems });
  });
  return out;
}
