import { DECISION_FIELDS, type Decision } from '../../shared/decision/decision.js';
import type { Exemption } from '../../shared/decision/exemptions.js';
import type { PrioritySettings } from '../../shared/decision/priorities.js';
import { evaluateInput } from '../../shared/evaluation.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { formatTableHeader, formatTableRow, jsonLine, printable } from '../format-table.js';
import type { CliIo } from '../io.js';

export interface EvaluateOptions {
  inputs: string[];
  format: 'json' | 'table';
  exemptions: Exemption[];
  /** Classification and environment tags (defaults when absent). */
  priorities?: PrioritySettings;
  now: Date;
}

/** The evaluate contract: exactly these fields, in this order, one JSON object per line. */
export function decisionLine(decision: Decision): string {
  return jsonLine(Object.fromEntries(DECISION_FIELDS.map((field) => [field, decision[field]])));
}

/**
 * `isolation-guard evaluate`: decides every CreateModel record in the inputs. Exit 0 when none is
 * a violation, 1 when one is, 2 when an input could not be read (the others are still reported).
 */
export async function evaluateCommand(options: EvaluateOptions, io: CliIo): Promise<ExitCode> {
  const inputs = options.inputs.length > 0 ? options.inputs : ['-'];
  let violations = 0;
  let failedInputs = 0;
  if (options.format === 'table') io.stdout(formatTableHeader());

  for (const input of inputs) {
    const name = input === '-' ? '(stdin)' : input;
    let bytes: Uint8Array;
    try {
      bytes = await io.readInput(input);
    } catch (error) {
      failedInputs++;
      const code = (error as NodeJS.ErrnoException).code;
      io.stderr(`isolation-guard: ${printable(name)}: cannot read (${code ?? (error as Error).message})`);
      continue;
    }
    const result = evaluateInput(bytes, { exemptions: options.exemptions, now: options.now, priorities: options.priorities });
    for (const { decision } of result.decided) {
      if (decision.verdict === 'violation') violations++;
      if (options.format === 'json') {
        io.stdout(decisionLine(decision));
      } else {
        io.stdout(formatTableRow(decision));
        if (decision.verdict !== 'compliant') io.stdout(`    ${printable(decision.reasons.join(' '))}`);
      }
    }
    if (result.problems.length > 0) failedInputs++;
    for (const problem of result.problems) io.stderr(`isolation-guard: ${printable(name)}: ${printable(problem)}`);
    for (const miss of result.nearMisses) io.stderr(`isolation-guard: ${printable(name)}: skipped ${printable(miss)}`);
    if (bytes.length === 0 || (result.decided.length === 0 && result.skipped === 0 && result.problems.length === 0)) {
      io.stderr(`isolation-guard: ${printable(name)}: holds no records`);
    } else if (result.decided.length === 0) {
      io.stderr(`isolation-guard: ${printable(name)}: holds no SageMaker CreateModel call (${result.skipped} other record(s) skipped, ${result.nearMisses.length} of them nearly one)`);
    }
  }

  if (failedInputs > 0) return EXIT.inputError;
  return violations > 0 ? EXIT.violation : EXIT.ok;
}
