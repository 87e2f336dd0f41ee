import { csvCell, htmlText, mdCell } from '../reports/cells.js';
import type { ReportFormat } from '../reports/inventory-report.js';
import { describeShares } from '../governance/shares.js';
import { AUDIT_CSV_COLUMNS, type AuditCall, type AuditReport } from './audit-report.js';

/** The audit speaks the same report formats as the inventory. */
export type AuditFormat = ReportFormat;

function csvRow(call: AuditCall): string[] {
  const value = (field: string): string => {
    switch (field) {
      case 'reasons':
        return call.reasons.join(' ');
      case 'remediation':
        return call.remediation?.how ?? '';
      case 'remediationAt':
        return call.remediation?.at ?? '';
      case 'minutesToRemediation':
        return call.remediation ? String(call.remediation.minutes) : '';
      case 'existsNow':
        return call.now ? String(call.now.exists) : '';
      case 'isolatedNow':
        return call.now?.isolated === null || !call.now ? '' : String(call.now.isolated);
      case 'exception':
        return call.exception?.id ?? '';
      case 'quarantinedNow':
        return call.now?.quarantined === null || !call.now ? '' : String(call.now.quarantined);
      default: {
        const raw = (call as unknown as Record<string, unknown>)[field];
        return raw === null || raw === undefined ? '' : String(raw);
      }
    }
  };
  return AUDIT_CSV_COLUMNS.map(value);
}

const KPI_LABELS: Array<[keyof AuditReport['kpis'], string]> = [
  ['createModelCalls', 'CreateModel calls'],
  ['failedCalls', 'Failed calls'],
  ['modelsCreated', 'Models created'],
  ['isolatedShare', 'Isolated share (%)'],
  ['violations', 'Violations'],
  ['exemptionsUsed', 'Exemptions used'],
  ['violationsRemediated', 'Violations remediated'],
  ['medianMinutesToRemediation', 'Median minutes to remediation'],
  ['worstMinutesToRemediation', 'Worst minutes to remediation'],
  ['violatingModelsStillExisting', 'Violating models still existing'],
  ['approvedExceptions', 'Approved exceptions'],
];
const kpiValue = (kpis: AuditReport['kpis'], key: keyof AuditReport['kpis']) => (kpis[key] === undefined ? null : kpis[key]);

/** The exceptions in force, one line each: id, approval, expiry, the calls covered. */
const exceptionLines = (report: AuditReport): string[] =>
  (report.exceptions ?? []).map(
    (e) =>
      `${e.id}: ${e.matches}; ${e.approved ? `approved by ${e.approvedBy}, ticket ${e.ticket}` : 'NOT APPROVED'}; reason: ${e.reason ?? '-'}; expires ${e.expires ?? 'never'}; covered ${e.coveredCalls.length} call(s)${e.coveredCalls.length ? `: ${e.coveredCalls.join(', ')}` : ''}`,
  );
const kpiText = (value: number | null) => (value === null ? 'n/a' : String(value));

const inventoryLine = (inventory: NonNullable<AuditReport['inventory']>) => {
  const s = inventory.summary as { models?: number; violations?: number; isolatedShare?: number };
  return `Latest inventory (${inventory.finishedAt}, ${inventory.file}): ${s.models ?? '?'} models, ${s.isolatedShare ?? '?'}% isolated, ${s.violations ?? '?'} without isolation today.`;
};

/** Weekly bars (compliant below, violating above) and the isolated share as a line, as inline SVG. */
function chart(report: AuditReport): string {
  const weeks = report.weeks;
  if (weeks.length === 0) return '<p>No model was created in the period.</p>';
  const width = 720;
  const height = 240;
  const pad = 36;
  const max = Math.max(1, ...weeks.map((w) => w.compliant + w.violating));
  const slot = (width - 2 * pad) / weeks.length;
  const bar = Math.max(2, slot * 0.6);
  const y = (n: number) => height - pad - (n / max) * (height - 2 * pad);
  const bars = weeks
    .map((w, i) => {
      const x = pad + i * slot + (slot - bar) / 2;
      return `<g data-week="${w.week}"><rect class="compliant" x="${x.toFixed(1)}" y="${y(w.compliant).toFixed(1)}" width="${bar.toFixed(1)}" height="${(height - pad - y(w.compliant)).toFixed(1)}"><title>${w.week}: ${w.compliant} compliant</title></rect><rect class="violating" x="${x.toFixed(1)}" y="${y(w.compliant + w.violating).toFixed(1)}" width="${bar.toFixed(1)}" height="${(y(w.compliant) - y(w.compliant + w.violating)).toFixed(1)}"><title>${w.week}: ${w.violating} violating</title></rect></g>`;
    })
    .join('');
  const share = weeks.map((w, i) => `${(pad + i * slot + slot / 2).toFixed(1)},${(height - pad - (w.isolatedShare / 100) * (height - 2 * pad)).toFixed(1)}`).join(' ');
  const labels = weeks.map((w, i) => `<text x="${(pad + i * slot + slot / 2).toFixed(1)}" y="${height - pad + 14}" text-anchor="middle">${w.week.slice(5)}</text>`).join('');
  return `<svg id="weekly-chart" role="img" aria-label="CreateModel calls per week, compliant and violating, and the isolated share" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">
<line x1="${pad}" y1="${height - pad}" x2="${width - pad}" y2="${height - pad}" stroke="#555"/>${bars}<polyline class="share" fill="none" points="${share}"/>${labels}
<text x="${pad}" y="14">CreateModel calls per week (tallest bar: ${max}): <tspan fill="#2e7d32">■ compliant</tspan> <tspan fill="#c62828">■ violating or exempt</tspan> <tspan fill="#1565c0">— isolated share (0 to 100%)</tspan></text></svg>`;
}

export function renderAudit(report: AuditReport, format: AuditFormat): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(report, null, 2)}\n`;
    case 'csv':
      return `${[AUDIT_CSV_COLUMNS.join(','), ...report.calls.map((call) => csvRow(call).map(csvCell).join(','))].join('\r\n')}\r\n`;
    case 'md': {
      const { scope, kpis } = report;
      return `${[
        `# SageMaker CreateModel audit: ${scope.from} to ${scope.to}`,
        '',
        `Source ${mdCell(scope.source)}; accounts ${scope.accounts.join(', ') || '-'}; regions ${scope.regions.join(', ') || '-'}; ${scope.filesRead} files, ${scope.recordsRead} records read; ${scope.filesFailed.length} files failed.`,
        ...scope.filesFailed.map((f) => `- failed: ${mdCell(f.name)}: ${mdCell(f.problem)}`),
        ...(report.inventory ? ['', inventoryLine(report.inventory)] : []),
        '',
        '| KPI | value |',
        '| --- | --- |',
        ...KPI_LABELS.map(([key, label]) => `| ${label} | ${kpiText(kpiValue(kpis, key))} |`),
        '',
        ...(report.isolation ? [`Isolated share: ${mdCell(describeShares(report.isolation))}.`, ''] : []),
        '## Exceptions in force',
        '',
        ...(exceptionLines(report).length ? exceptionLines(report).map((line) => `- ${mdCell(line)}`) : ['None.']),
        '',
        '| time | account | region | model | principal | isolation | verdict | remediation |',
        '| --- | --- | --- | --- | --- | --- | --- | --- |',
        ...report.calls.map(
          (c) =>
            `| ${c.eventTime} | ${c.account ?? '-'} | ${c.region} | ${mdCell(c.modelName ?? '-')} | ${mdCell(c.principal ?? '-')} | ${c.networkIsolation ?? 'unset'} | ${c.verdict} | ${c.remediation ? `${c.remediation.how} after ${c.remediation.minutes} min` : '-'} |`,
        ),
      ].join('\n')}\n`;
    }
    case 'html': {
      const { scope, kpis } = report;
      const rows = report.calls
        .map(
          (c) =>
            `<tr class="${c.verdict}"><td>${htmlText(c.eventTime)}</td><td>${htmlText(c.account ?? '-')}</td><td>${htmlText(c.region)}</td><td>${htmlText(c.modelName ?? '-')}</td><td>${htmlText(c.principal ?? '-')}</td><td>${c.networkIsolation ?? 'unset'}</td><td>${c.verdict}</td><td>${c.remediation ? `${c.remediation.how} after ${c.remediation.minutes} min` : '-'}</td><td>${c.now ? (c.now.exists ? 'exists' : 'gone') : '-'}</td></tr>`,
        )
        .join('\n');
      const kpiRows = KPI_LABELS.map(([key, label]) => `<tr><th>${label}</th><td data-kpi="${key}">${kpiText(kpiValue(kpis, key))}</td></tr>`).join('');
      const failed = scope.filesFailed.map((f) => `<li>${htmlText(f.name)}: ${htmlText(f.problem)}</li>`).join('');
      return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>SageMaker CreateModel audit ${htmlText(scope.from.slice(0, 10))} to ${htmlText(scope.to.slice(0, 10))}</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<style>body{font:14px system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 6px;text-align:left}tr.violation{background:#fde8e8}tr.exempt{background:#fff7e0}rect.compliant{fill:#2e7d32}rect.violating{fill:#c62828}polyline.share{stroke:#1565c0;stroke-width:2}svg text{font-size:11px}</style>
</head><body>
<h1>SageMaker CreateModel audit</h1>
<p>Period ${htmlText(scope.from)} to ${htmlText(scope.to)}; source ${htmlText(scope.source)}; accounts ${htmlText(scope.accounts.join(', ') || '-')}; regions ${htmlText(scope.regions.join(', ') || '-')}; ${scope.filesRead} files and <span data-scope="recordsRead">${scope.recordsRead}</span> records read; ${scope.filesFailed.length} files failed. Generated ${htmlText(report.generatedAt)}.</p>
${failed ? `<ul class="failed">${failed}</ul>` : ''}
${report.inventory ? `<p id="inventory">${htmlText(inventoryLine(report.inventory))}</p>` : ''}
<table id="kpis">${kpiRows}</table>
${report.isolation ? `<p id="shares">${htmlText(describeShares(report.isolation))}.</p>` : ''}
<h2>Exceptions in force</h2><ul id="exceptions">${exceptionLines(report).map((line) => `<li>${htmlText(line)}</li>`).join('') || '<li>None.</li>'}</ul>
${chart(report)}
<table id="calls"><thead><tr><th>time</th><th>account</th><th>region</th><th>model</th><th>principal</th><th>isolation</th><th>verdict</th><th>remediation</th><th>now</th></tr></thead><tbody>
${rows}
</tbody></table></body></html>
`;
    }
  }
}
