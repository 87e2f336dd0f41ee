import { parseArgs } from 'node:util';
import { UsageError } from '../../shared/errors.js';
import { checkRegister, readExceptionRegister } from '../../shared/governance/exception-register.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { printable } from '../format-table.js';
import type { CliIo } from '../io.js';

/**
 * `isolation-guard exceptions check FILE [--max-days N] [--as-of DATE]`: for the pull request that
 * adds or renews an exception. Exit 0: every entry complete and in date; 1: an entry has a
 * problem (each named); 2: the file cannot be read (ExceptionRegisterError, mapped in main).
 */
export async function exceptionsCommand(args: string[], io: CliIo): Promise<ExitCode> {
  const [sub, ...rest] = args;
  if (sub !== 'check') throw new UsageError(`exceptions: expected 'check FILE', got ${JSON.stringify(sub ?? '')}`);
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    strict: true,
    options: { 'max-days': { type: 'string', default: '365' }, 'as-of': { type: 'string' } },
  });
  if (positionals.length !== 1) throw new UsageError('exceptions check: expected exactly one FILE');
  const maxDays = Number(values['max-days']);
  if (!Number.isInteger(maxDays) || maxDays < 1) throw new UsageError(`--max-days: expected a whole number of days (1 or more), got ${JSON.stringify(values['max-days'])}`);
  const asOf = values['as-of'] === undefined ? new Date() : new Date(values['as-of']);
  if (Number.isNaN(asOf.getTime())) throw new UsageError(`--as-of: not a date: ${JSON.stringify(values['as-of'])}`);

  return exceptionsCheckCommand({ file: positionals[0]!, maxDays, asOf }, io);
}

/** The check itself, on parsed options (for a CLI that declares its commands as data). */
export async function exceptionsCheckCommand(options: { file: string; maxDays: number; asOf: Date }, io: CliIo): Promise<ExitCode> {
  const { file, maxDays, asOf } = options;
  const entries = readExceptionRegister(file);
  const problems = checkRegister(entries, { asOf, maxDays });
  for (const entry of problems) {
    for (const problem of entry.problems) io.stdout(`${printable(file)}: exceptions[${entry.index}] ${printable(entry.id)}: ${printable(problem)}`);
  }
  io.stderr(`isolation-guard: ${entries.length} exception(s), ${problems.length} with problems`);
  return problems.length > 0 ? EXIT.violation : EXIT.ok;
}
