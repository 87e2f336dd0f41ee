import type { Decision } from '../shared/model/decision.js';

/**
 * Characters shown as `\uXXXX`: C0 and C1 controls (ANSI escapes included: a model name or user
 * agent from a CloudTrail record must not move the cursor or recolour an operator's terminal),
 * bidirectional controls (U+202E would reverse what follows), zero-width characters and line
 * separators (a field must not start a line of its own).
 */
// eslint-disable-next-line no-control-regex
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]/g;
const NOT_PLAIN_JSON = /[\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]/g;
const escapeChar = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

export function printable(text: string): string {
  return text.replace(UNPRINTABLE, escapeChar);
}

/**
 * One JSON line for a terminal or a pipe: the same JSON value, with the characters JSON.stringify
 * leaves raw (C1 controls, bidirectional controls, line separators) written as `\uXXXX` escapes.
 */
export function jsonLine(value: unknown): string {
  return JSON.stringify(value).replace(NOT_PLAIN_JSON, escapeChar);
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
