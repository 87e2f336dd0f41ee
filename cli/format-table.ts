import type { Decision } from '../shared/decision/decision.js';

/**
 * Control characters (ANSI escapes included) shown as `\uXXXX`: a model name or user agent from
 * a CloudTrail record must not be able to move the cursor or recolour an operator's terminal.
 */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function fit(text: string, width: number): string {
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
