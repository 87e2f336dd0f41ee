import { DECISION_FIELDS, type Decision } from '../../shared/model/decision.js';
import type { Exemption } from '../../shared/decision/exemptions.js';
import type { PrioritySettings } from '../../shared/decision/priorities.js';
import { nearMiss } from '../../shared/cloudtrail/near-miss.js';
import { readFiles } from '../../shared/cloudtrail/read-files.js';
import { CREATE_MODEL } from '../../shared/cloudtrail/record.js';
import { decideCreateModel } from '../../shared/decision/decide-create-model.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { formatTableHeader, formatTableRow, jsonLine, printable } from '../format-table.js';
import { inputFiles, type CliIo } from '../io.js';

export interface EvaluateOptions {
  inputs: string[];
  format: 'json' | 'table';
  exemptions: Exemption[];
  /** Classification and environment tags (defaults when absent). */
  priorities?: PrioritySettings;
  now: Date;
  /** Name every input that holds no CreateModel call and every problem (default: a summary line). */
  verbose?: boolean;
}

/** Problems of one input shown before the rest are summed up (a text file is not JSON word after word). */
const PROBLEMS_SHOWN = 3;

/** The evaluate contract: exactly these fields, in this order, one JSON object per line. */
export function decisionLine(decision: Decision): string {
  return jsonLine(Object.fromEntries(DECISION_FIELDS.map((field) => [field, decision[field]])));
}

/**
 * `isolation-guard evaluate`: decides every CreateModel record in the inputs, streaming (flat
 * memory whatever their size) and through the parse pool (files on every core). Exit 0 when none is
 * a violation, 1 when one is, 2 when an input could not be read (the others are still reported).
 */
export async function evaluateCommand(options: EvaluateOptions, io: CliIo): Promise<ExitCode> {
  const inputs = options.inputs.length > 0 ? options.inputs : ['-'];
  let violations = 0;
  let failedInputs = 0;
  if (options.format === 'table') io.stdout(formatTableHeader());
  // Inputs without a CreateModel call: most files of a trail's month. One line sums them up.
  const quiet: Array<{ name: string; line: string; skipped: number }> = [];

  for await (const { file, items } of readFiles(inputFiles(io, inputs), { words: [CREATE_MODEL] })) {
    const name = file.name;
    let decided = 0;
    let skipped = 0;
    let problems = 0;
    const nearMisses: string[] = [];
    let lastProblemLine: string | null = null;
    for await (const item of items) {
      if (item.kind === 'problem') {
        // A line of words that are not JSON is one problem, not one per word.
        const line = /^line (\d+):/.exec(item.message)?.[1] ?? null;
        if (line !== null && line === lastProblemLine && !options.verbose) continue;
        lastProblemLine = line;
        problems++;
        if (options.verbose || problems <= PROBLEMS_SHOWN) io.stderr(`isolation-guard: ${printable(name)}: ${printable(item.message)}`);
      } else if (item.kind === 'counted') {
        skipped += item.count;
      } else if (item.kind === 'skipped') {
        skipped++;
        // A record that nearly is a CreateModel call (a typo, another case) is named: such an input is broken, not compliant.
        const why = item.record ? nearMiss(item.record) : null;
        if (why) nearMisses.push(`${item.where || '(record)'}: ${why}`);
      } else {
        decided++;
        const { decision } = decideCreateModel(item.record, { exemptions: options.exemptions, now: options.now, priorities: options.priorities });
        if (decision.verdict === 'violation') violations++;
        if (options.format === 'json') {
          io.stdout(decisionLine(decision));
        } else {
          io.stdout(formatTableRow(decision));
          if (decision.verdict !== 'compliant') io.stdout(`    ${printable(decision.reasons.join(' '))}`);
        }
      }
    }
    for (const miss of nearMisses) io.stderr(`isolation-guard: ${printable(name)}: skipped ${printable(miss)}`);
    if (problems > PROBLEMS_SHOWN && !options.verbose) {
      io.stderr(`isolation-guard: ${printable(name)}: ${problems - PROBLEMS_SHOWN} more line(s) not read (--verbose lists them): is it a CloudTrail file?`);
    }
    if (problems > 0) failedInputs++;
    else if (decided === 0 && skipped === 0) {
      // Nothing to decide is not a pass: an empty input (a failed export, a wrong path) fails the gate.
      failedInputs++;
      io.stderr(`isolation-guard: ${printable(name)}: holds no records: nothing was evaluated`);
    }
    else if (decided === 0) {
      quiet.push({ name, skipped, line: `isolation-guard: ${printable(name)}: holds no SageMaker CreateModel call (${skipped} other record(s) skipped, ${nearMisses.length} of them nearly one)` });
    }
  }
  if (options.verbose || quiet.length === 1) for (const { line } of quiet) io.stderr(line);
  else if (quiet.length > 1) {
    const skipped = quiet.reduce((sum, q) => sum + q.skipped, 0);
    io.stderr(`isolation-guard: ${quiet.length} inputs hold no SageMaker CreateModel call (${skipped} other record(s) skipped); --verbose names them`);
  }

  if (failedInputs > 0) return EXIT.inputError;
  return violations > 0 ? EXIT.violation : EXIT.ok;
}
