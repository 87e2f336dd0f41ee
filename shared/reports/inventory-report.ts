import type { InventoryEntry, SweepResult } from '../sweep/sweep.js';
import { csvCell, htmlText as html, mdCell } from './cells.js';

export const REPORT_FORMATS = ['json', 'csv', 'md', 'html'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** Counts an auditor asks for first. */
export function inventorySummary(result: SweepResult) {
  const count = (predicate: (m: InventoryEntry) => boolean) => result.models.filter(predicate).length;
  const total = result.models.length;
  const isolated = count((m) => m.networkIsolation && !m.error);
  const effectFailures = result.models.flatMap((m) => Object.entries(m.failures).map(([step, why]) => ({ model: m.modelName, step, why: why as string })));
  return {
    models: total,
    isolated,
    // A sweep that read no model proves nothing: no share, never 100%.
    isolatedShare: total === 0 ? null : Math.round((isolated / total) * 1000) / 10,
    violations: count((m) => m.verdict === 'violation' && !m.error),
    exempt: count((m) => m.verdict === 'exempt'),
    quarantined: count((m) => m.quarantined),
    /** Models that could not be read: counted as not proven isolated. */
    unreadable: count((m) => Boolean(m.error)),
    /** Effects (action, alert, ledger) that failed, per model and step, with the cause. */
    effectFailures,
    regionsFailed: result.regions.filter((r) => r.error !== null).map((r) => r.region),
  };
}

/** The isolated share as a reader sees it. */
export const isolatedShareText = (share: number | null): string => (share === null ? 'n/a (no model was read)' : `${share}%`);

const COLUMNS = ['account', 'region', 'modelName', 'modelArn', 'creationTime', 'networkIsolation', 'verdict', 'quarantined', 'action', 'tags', 'reasons', 'error'] as const;

function cells(entry: InventoryEntry): Record<(typeof COLUMNS)[number], string> {
  return {
    account: entry.account ?? '',
    region: entry.region,
    modelName: entry.modelName,
    modelArn: entry.modelArn,
    creationTime: entry.creationTime ?? '',
    networkIsolation: String(entry.networkIsolation),
    verdict: entry.verdict,
    quarantined: String(entry.quarantined),
    action: `${entry.action.kind}/${entry.action.status}`,
    tags: Object.entries(entry.tags).map(([k, v]) => `${k}=${v}`).join('; '),
    reasons: entry.reasons.join(' '),
    // The model could not be read, or an effect failed: what went wrong.
    error: [entry.error, ...Object.entries(entry.failures).map(([step, why]) => `${step}: ${why}`)].filter(Boolean).join('; '),
  };
}

export function renderInventory(result: SweepResult, format: ReportFormat): string {
  const summary = inventorySummary(result);
  switch (format) {
    case 'json':
      return `${JSON.stringify({ schemaVersion: 1, kind: 'sagemaker-model-inventory', ...result, summary }, null, 2)}\n`;
    case 'csv':
      return `${[COLUMNS.join(','), ...result.models.map((m) => COLUMNS.map((c) => csvCell(cells(m)[c])).join(','))].join('\r\n')}\r\n`;
    case 'md': {
      const lines = [
        '# SageMaker model inventory: network isolation',
        '',
        `Swept ${result.startedAt} to ${result.finishedAt}; regions: ${result.regions.map((r) => `${r.region} (${r.error ? `FAILED: ${mdCell(r.error)}` : `${r.models} models`})`).join(', ')}.`,
        '',
        `Models: ${summary.models}; isolated: ${summary.isolated} (${isolatedShareText(summary.isolatedShare)}); violations: ${summary.violations}; not readable: ${summary.unreadable}; exempt: ${summary.exempt}; quarantined: ${summary.quarantined}; failed effects: ${summary.effectFailures.length}.`,
        '',
        `| ${COLUMNS.join(' | ')} |`,
        `| ${COLUMNS.map(() => '---').join(' | ')} |`,
        ...result.models.map((m) => `| ${COLUMNS.map((c) => mdCell(cells(m)[c])).join(' | ')} |`),
      ];
      return `${lines.join('\n')}\n`;
    }
    case 'html': {
      const rows = result.models
        .map((m) => `<tr class="${m.verdict}">${COLUMNS.map((c) => `<td>${html(cells(m)[c])}</td>`).join('')}</tr>`)
        .join('\n');
      const regions = result.regions.map((r) => `<li>${html(r.region)}: ${r.error ? `<strong>failed</strong> ${html(r.error)}` : `${r.models} models`}</li>`).join('');
      return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>SageMaker model inventory</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<style>body{font:14px system-ui,sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 6px;text-align:left;vertical-align:top}tr.violation{background:#fde8e8}tr.exempt{background:#fff7e0}</style>
</head><body>
<h1>SageMaker model inventory: network isolation</h1>
<p>Swept ${html(result.startedAt)} to ${html(result.finishedAt)}.</p><ul>${regions}</ul>
<p id="summary" data-models="${summary.models}" data-violations="${summary.violations}">Models: ${summary.models}; isolated: ${summary.isolated} (${html(isolatedShareText(summary.isolatedShare))}); violations: ${summary.violations}; not readable: ${summary.unreadable}; exempt: ${summary.exempt}; quarantined: ${summary.quarantined}; failed effects: ${summary.effectFailures.length}.</p>
<table><thead><tr>${COLUMNS.map((c) => `<th>${c}</th>`).join('')}</tr></thead><tbody>
${rows}
</tbody></table></body></html>
`;
    }
  }
}
