import type { Decision } from '../shared/model/decision.js';
import { jsonEscaped, printableText } from '../shared/model/display-text.js';

/**
 * A field for the terminal: C0 and C1 controls (ANSI escapes included: a model name or user agent
 * from a CloudTrail record must not move the cursor or recolour an operator's terminal),
 * bidirectional controls, zero-width characters and line separators shown as `\uXXXX` (the one
 * sanitiser, shared/model/display-text.ts).
 */
export const printable = printableText;

/**
 * One JSON line for a terminal or a pipe: the same JSON value, with the characters JSON.stringify
 * leaves raw (C1 controls, bidirectional controls, line separators) written as `\uXXXX` escapes.
 */
export function jsonLine(value: unknown): string {
  return jsonEscaped(JSON.stringify(value));
}

/** `text` padded or cut (with `…`) to `width` characters. */
export function fit(text: string, width: number): string {
  const chars = Array.from(text);
  if (chars.length <= width) return text + ' '.repeat(width - chars.length);
  return `${chars.slice(0, width - 1).join('')}…`;
}

const COLUMNS: Array<{ title: string; width: number; value: (d: Decision) => string }> = [
  { title: 'VERDICT', width: 14, value: (d) => d.verdict },
  { title: 'EVENT TIME', width: 20, value: (d) => d.eventTime },
  { title: 'ACCOUNT', width: 12, value: (d) => d.account ?? '-' },
  { title: 'REGION', width: 14, value: (d) => d.region },
  { title: 'MODEL', width: 32, value: (d) => d.modelName ?? '-' },
  { title: 'ISOLATION', width: 9, value: (d) => (d.networkIsolation === null ? 'unset' : String(d.networkIsolation)) },
  { title: 'PRINCIPAL', width: 48, value: (d) => d.principal ?? '-' },
];

export function formatTableHeader(): string {
  return COLUMNS.map((c) => fit(c.title, c.width)).join('  ').trimEnd();
}

export function formatTableRow(decision: Decision): string {
  return COLUMNS.map((c) => fit(printable(c.value(decision)), c.width)).join('  ').trimEnd();
}
