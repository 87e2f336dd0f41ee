import { decodeInput } from './cloudtrail/decode.js';
import { extractRecords } from './cloudtrail/extract.js';
import { valueAtLocation } from './cloudtrail/lenient-record.js';
import { nearMiss } from './cloudtrail/near-miss.js';
import type { DecidedCreateModel } from './decision/decision.js';
import { decideCreateModel, type DecideOptions } from './decision/decide-create-model.js';
import { IsolationGuardError } from './errors.js';

export interface InputEvaluation {
  decided: DecidedCreateModel[];
  /** Records or lines that could not be read, each naming where it stood; the rest is still decided. */
  problems: string[];
  /** Records that were not SageMaker CreateModel calls. */
  skipped: number;
  /** Skipped records that look almost like a CreateModel call (a typo, another case), each with where and why. */
  nearMisses: string[];
}

/**
 * Decides every CreateModel record held in the bytes of one input. Never throws for bad input:
 * what could not be read is listed in `problems`, so one bad record does not hide the others.
 */
export function evaluateInput(bytes: Uint8Array, options: DecideOptions): InputEvaluation {
  const result: InputEvaluation = { decided: [], problems: [], skipped: 0, nearMisses: [] };
  let decoded;
  try {
    decoded = decodeInput(bytes);
  } catch (error) {
    if (!(error instanceof IsolationGuardError)) throw error;
    result.problems.push(error.message);
    return result;
  }
  for (const error of decoded.errors) result.problems.push(error.message);
  for (const { value, location } of decoded.values) {
    // Paths inside a value are relative to it; an NDJSON line's number goes in front.
    for (const item of extractRecords(value)) {
      if (item.kind === 'create-model') result.decided.push(decideCreateModel(item.record, options));
      else if (item.kind === 'skipped') {
        result.skipped++;
        const why = nearMiss(valueAtLocation(value, item.location));
        if (why) result.nearMisses.push(`${[location, item.location].filter(Boolean).join(' ') || '(record)'}: ${why}`);
      }
      else result.problems.push(location ? `${location}: ${item.error.message}` : item.error.message);
    }
  }
  return result;
}
