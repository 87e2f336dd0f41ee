import type { InventoryEntry, SweepResult } from '../sweep/sweep.js';
import { describeShares, isolationShares } from '../governance/shares.js';
import { csvCell, htmlText as html, mdCell } from './cells.js';

export const REPORT_FORMATS = ['json', 'csv', 'md', 'html'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** Counts an auditor asks for first. */
export function inventorySummary(result: SweepResult) {
  const count = (predicate: (m: InventoryEntry) => boolean) => result.models.filter(predicate).length;
  const total = result.models.length;
  const isolated = count((m) => m.networkIsolation);
  return {
    models: total,
    isolated,
    isolatedShare: total === 0 ? 100 : Math.round((isolated / total) * 1000) / 10,
    violations: count((m) => m.verdict === 'violation'),
    exempt: count((m) => m.verdict === 'exempt'),
    quarantined: count((m) => m.quarantined),
    regionsFailed: result.regions.filter((r) => r.error !== null).map((r) => r.region),
    ...isolationShares(result.models.map((m) => ({ isolated: m.networkIsolation, classification: m.classification ?? null, production: m.production ?? false }))),
  };
}

const COLUMNS = ['account', 'region', 'modelName', 'modelArn', 'creationTime', 'networkIsolation', 'verdict', 'quarantined', 'action', 'tags', 'reasons', 'severity', 'classification', 'production', 'exception'] as const;

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
    severity: entry.severity ?? '',
    classification: entry.classification ?? '',
    production: String(entry.production ?? false),
    exception: entry.exception?.id ?? '',
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
        `Models: ${summary.models}; isolated: ${summary.isolated} (${summary.isolatedShare}%); violations: ${summary.violations}; exempt: ${summary.exempt}; quarantined: ${summary.quarantined}.`,
        '',
        `${mdCell(describeShares(summary))}.`,
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
<p id="summary" data-models="${summary.models}" data-violations="${summary.violations}">Models: ${summary.models}; isolated: ${summary.isolated} (${summary.isolatedShare}%); violations: ${summary.violations}; exempt: ${summary.exempt}; quarantined: ${summary.quarantined}.</p>
<p id="shares">${html(describeShares(summary))}.</p>
<table><thead><tr>${COLUMNS.map((c) => `<th>${c}</th>`).join('')}</tr></thead><tbody>
${rows}
</tbody></table></body></html>
`;
    }
  }
}
