import { checkRegister, readExceptionRegister } from '../../shared/governance/exception-register.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { printable } from '../format-table.js';
import type { CliIo } from '../io.js';

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
