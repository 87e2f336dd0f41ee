import { tallyByPlace, violationsFirst, type Place } from '../reports/by-place.js';
import { isolatedShare } from '../model/isolated-share.js';
import { htmlText as htmlEscape, mdCell } from '../reports/cells.js';
import { htmlPage, kpiCards, kpiValueText, section, statusLine, type KpiCard } from '../reports/html-page.js';
import type { ReportFormat } from '../reports/inventory-report.js';
import { instantLabel, periodLabel, weekOf } from '../reports/period.js';
import { tableCsv, tableHtml, tableMarkdown, tableRecords, type Column, type Table } from '../reports/table.js';
import { fixColumn, modelLinkHtml, severityColumn, severityRank, toolOf } from '../reports/row-guidance.js';
import { weeklyChart, type WeekBar } from '../reports/weekly-chart.js';
import { describeShares } from '../governance/shares.js';
import type { AuditCall, AuditReport } from './audit-report.js';
import { isFix } from './collect.js';

/** The audit speaks the same report formats as the inventory. */
export type AuditFormat = ReportFormat;

const dateTime = (value: string) => value.slice(0, 16).replace('T', ' ');
/** `arn:aws:sts::111122223333:assumed-role/Role/session` reads `assumed-role/Role/session` (the account has its column). */
const shortPrincipal = (principal: string | null) => (principal === null ? '-' : principal.replace(/^arn:aws[a-z-]*:(?:sts|iam)::\d{12}:/, ''));
const isolationText = (value: boolean | null) => (value === null ? 'not set' : value ? 'on' : 'off');
const optional = (value: boolean | null | undefined): string => (value === null || value === undefined ? '' : String(value));

/**
 * Every call's columns, declared once: the CSV and JSON take the machine names and values (the
 * decision fields of `evaluate`, then the remediation and the model today); Markdown and HTML show
 * the readable ones under readable headers.
 */
export const AUDIT_COLUMNS: ReadonlyArray<Column<AuditCall>> = [
  { key: 'eventId', header: 'Event id', value: (c) => c.eventId ?? '', audience: 'machine' },
  { key: 'eventTime', header: 'Time (UTC)', value: (c) => c.eventTime, text: (c) => dateTime(c.eventTime), wrap: 'keep-wide' },
  { key: 'account', header: 'Account', value: (c) => c.account ?? '', text: (c) => c.account ?? '-', wrap: 'keep', filter: true },
  { key: 'region', header: 'Region', value: (c) => c.region, wrap: 'keep' },
  // The name links to the model's page in the console.
  { key: 'modelName', header: 'Model', value: (c) => c.modelName ?? '', text: (c) => c.modelName ?? '-', wrap: 'anywhere', html: (c) => modelLinkHtml(c.modelName, c.region) },
  { key: 'modelArn', header: 'Model ARN', value: (c) => c.modelArn ?? '', audience: 'machine' },
  { key: 'principal', header: 'Created by', value: (c) => c.principal ?? '', text: (c) => shortPrincipal(c.principal), wrap: 'anywhere', filter: true },
  { key: 'succeeded', header: 'Call succeeded', value: (c) => String(c.succeeded), audience: 'machine' },
  { key: 'networkIsolation', header: 'Network isolation', value: (c) => optional(c.networkIsolation), text: (c) => isolationText(c.networkIsolation) },
  {
    key: 'verdict',
    header: 'Verdict',
    value: (c) => c.verdict,
    text: (c) => (!c.succeeded ? `${c.verdict} (call failed)` : c.verdict),
    filter: true,
  },
  // People read the severity as a badge beside the verdict; CSV and JSON keep it in its own column (below).
  severityColumn((c) => c),
  { key: 'reasons', header: 'Reasons', value: (c) => c.reasons.join(' '), wrap: 'prose' },
  fixColumn((c) => ({ verdict: c.succeeded ? c.verdict : 'compliant', tool: toolOf({ principal: c.principal }) })),
  {
    key: 'remediation',
    header: 'Remediation',
    value: (c) => c.remediation?.how ?? '',
    text: (c) => (c.remediation ? `${c.remediation.how} after ${c.remediation.minutes} min` : '-'),
  },
  { key: 'remediationAt', header: 'Remediated at', value: (c) => c.remediation?.at ?? '', audience: 'machine' },
  { key: 'minutesToRemediation', header: 'Minutes to remediation', value: (c) => (c.remediation ? String(c.remediation.minutes) : ''), audience: 'machine' },
  { key: 'existsNow', header: 'Today', value: (c) => optional(c.now?.exists), text: (c) => (c.now ? (c.now.exists === null ? 'unknown' : c.now.exists ? (c.now.quarantined ? 'exists, quarantined' : 'exists') : 'gone') : '-'), optional: true },
  { key: 'isolatedNow', header: 'Isolated today', value: (c) => optional(c.now?.isolated), audience: 'machine' },
  { key: 'quarantinedNow', header: 'Quarantined today', value: (c) => optional(c.now?.quarantined), audience: 'machine' },
  // Governance (after the columns above, so theirs keep their places).
  { key: 'severity', header: 'Severity', value: (c) => c.severity ?? '', audience: 'machine' },
  { key: 'classification', header: 'Classification', value: (c) => c.classification ?? '', text: (c) => c.classification ?? '-', optional: true },
  { key: 'production', header: 'Production', value: (c) => optional(c.production), audience: 'machine' },
  { key: 'exception', header: 'Exception', value: (c) => c.exception?.id ?? '', text: (c) => c.exception?.id ?? '-', optional: true },
];

/** The exceptions in force, one line each: id, approval, expiry, the calls covered. */
const exceptionLines = (report: AuditReport): string[] =>
  (report.exceptions ?? []).map(
    (e) =>
      `${e.id}: ${e.matches}; ${e.approved ? `approved by ${e.approvedBy}, ticket ${e.ticket}` : 'NOT APPROVED'}; reason: ${e.reason ?? '-'}; expires ${e.expires ?? 'never'}; covered ${e.coveredCalls.length} call(s)${e.coveredCalls.length ? `: ${e.coveredCalls.join(', ')}` : ''}`,
  );

/** The CSV header: the decision fields of `evaluate` in its order (a unit test holds this), then the remediation and the model today. */
export const AUDIT_CSV_COLUMNS = AUDIT_COLUMNS.filter((c) => c.audience !== 'human').map((c) => c.key);

/** Every call, violations first, then by time. */
export const auditCallsTable = (report: AuditReport): Table<AuditCall> => ({
  id: 'calls',
  caption: 'Every CreateModel call, violations first',
  columns: AUDIT_COLUMNS,
  // Violations first, the most severe first among them, then by time.
  rows: [...report.calls].sort(violationsFirst((c) => c.verdict, (c) => severityRank(c.verdict, c.severity), (c) => c.eventTime, (c) => c.eventId ?? '')),
  rowClass: (c) => (c.verdict === 'violation' && c.severity === 'critical' ? 'violation sev-critical' : c.verdict),
  empty: 'No CreateModel call in the period.',
});

interface CallCounts {
  calls: number;
  failed: number;
  created: number;
  isolated: number;
  violations: number;
  exempt: number;
  fixed: number;
  quarantined: number;
}

/** Per account and region: the period's calls, most violations first. */
export function auditBreakdown(report: AuditReport): Table<Place & CallCounts> {
  const rows = tallyByPlace<AuditCall, CallCounts>(
    report.calls,
    (c) => ({ account: c.account, region: c.region }),
    (c, n) => {
      n.calls++;
      if (!c.succeeded) n.failed++;
      else n.created++;
      if (c.succeeded && c.networkIsolation === true) n.isolated++;
      if (c.verdict === 'violation') n.violations++;
      if (c.verdict === 'exempt') n.exempt++;
      if (c.remediation) n[isFix(c.remediation.how) ? 'fixed' : 'quarantined']++;
    },
    () => ({ calls: 0, failed: 0, created: 0, isolated: 0, violations: 0, exempt: 0, fixed: 0, quarantined: 0 }),
  ).sort((a, b) => b.violations - a.violations || (a.account ?? '').localeCompare(b.account ?? '') || a.region.localeCompare(b.region));
  return {
    id: 'breakdown',
    caption: 'Per account and region',
    columns: [
      { key: 'account', header: 'Account', value: (r) => r.account ?? '', text: (r) => r.account ?? '-', wrap: 'keep' },
      { key: 'region', header: 'Region', value: (r) => r.region, wrap: 'keep' },
      { key: 'createModelCalls', header: 'CreateModel calls', value: (r) => r.calls, numeric: true },
      { key: 'failedCalls', header: 'Failed', value: (r) => r.failed, numeric: true },
      { key: 'modelsCreated', header: 'Models created', value: (r) => r.created, numeric: true },
      { key: 'isolatedShare', header: 'Isolated %', value: (r) => isolatedShare(r.isolated, r.created), numeric: true },
      { key: 'violations', header: 'Violations', value: (r) => r.violations, numeric: true },
      { key: 'exemptionsUsed', header: 'Exempt', value: (r) => r.exempt, numeric: true },
      { key: 'violationsFixed', header: 'Fixed', value: (r) => r.fixed, numeric: true },
      { key: 'violationsQuarantined', header: 'Quarantined only', value: (r) => r.quarantined, numeric: true },
    ],
    rows,
    rowClass: (r) => (r.violations > 0 ? 'violation' : ''),
    empty: 'No CreateModel call in the period.',
  };
}

/** The report's weeks as the chart draws them: the exemptions used apart from the violations. */
function chartWeeks(report: AuditReport): WeekBar[] {
  const exempt = new Map<string, number>();
  for (const call of report.calls) {
    if (!call.succeeded || call.verdict !== 'exempt') continue;
    const monday = weekOf(call.eventTime);
    exempt.set(monday, (exempt.get(monday) ?? 0) + 1);
  }
  return report.weeks.map((w) => ({ week: w.week, compliant: w.compliant, violating: w.violating - (exempt.get(w.week) ?? 0), exempt: exempt.get(w.week) ?? 0 }));
}

/**
 * Who creates models, and how many without isolation: one row per account and role (an assumed
 * role's sessions are one principal: `assumed-role/DataScientist/ds-alice` is `DataScientist`) or
 * IAM user, most violations first. A team is the role it deploys with.
 */
export function auditByPrincipal(report: AuditReport): Table<{ principal: string; account: string; calls: number; created: number; isolated: number; violations: number; exempt: number }> {
  const rows = new Map<string, { principal: string; account: string; calls: number; created: number; isolated: number; violations: number; exempt: number }>();
  for (const call of report.calls) {
    const short = shortPrincipal(call.principal);
    const principal = /^assumed-role\/([^/]+)\//.exec(short)?.[1] ?? short;
    const key = `${call.account ?? ''}\u0000${principal}`;
    const row = rows.get(key) ?? { principal, account: call.account ?? '-', calls: 0, created: 0, isolated: 0, violations: 0, exempt: 0 };
    row.calls++;
    if (call.succeeded) row.created++;
    if (call.succeeded && call.networkIsolation === true) row.isolated++;
    if (call.verdict === 'violation') row.violations++;
    if (call.verdict === 'exempt') row.exempt++;
    rows.set(key, row);
  }
  return {
    id: 'by-principal',
    caption: 'Who creates models: per principal (role or user), most violations first',
    columns: [
      { key: 'principal', header: 'Principal (role or user)', value: (r) => r.principal, wrap: 'anywhere', filter: true },
      { key: 'account', header: 'Account', value: (r) => r.account, wrap: 'keep' },
      { key: 'createModelCalls', header: 'CreateModel calls', value: (r) => r.calls, numeric: true },
      { key: 'modelsCreated', header: 'Models created', value: (r) => r.created, numeric: true },
      { key: 'isolatedShare', header: 'Isolated %', value: (r) => isolatedShare(r.isolated, r.created), numeric: true },
      { key: 'violations', header: 'Violations', value: (r) => r.violations, numeric: true },
      { key: 'exemptionsUsed', header: 'Exempt', value: (r) => r.exempt, numeric: true },
    ],
    rows: [...rows.values()].sort((a, b) => b.violations - a.violations || b.calls - a.calls || a.principal.localeCompare(b.principal)),
    rowClass: (r) => (r.violations > 0 ? 'violation' : ''),
    empty: 'No CreateModel call in the period.',
  };
}

/** The KPIs as cards, in the order an auditor reads them; keys are the JSON's. */
function auditCards(report: AuditReport): KpiCard[] {
  const k = report.kpis;
  const cards: KpiCard[] = [
    { key: 'modelsCreated', label: 'Models created', value: k.modelsCreated },
    { key: 'isolatedShare', label: 'Isolated', value: k.isolatedShare, unit: '%', detail: k.isolatedShare === null ? 'no model was created' : 'of models created', tone: k.isolatedShare === 100 ? 'good' : 'neutral' },
    { key: 'violations', label: 'Violations', value: k.violations, detail: 'models created without isolation', tone: k.violations > 0 ? 'bad' : 'good' },
    {
      key: 'violatingModelsStillExisting',
      label: 'Violating models still existing',
      value: k.violatingModelsStillExisting,
      detail: k.violatingModelsStillExisting === null ? 'not looked up (offline)' : 'today',
      tone: (k.violatingModelsStillExisting ?? 0) > 0 ? 'bad' : 'neutral',
    },
    { key: 'violationsFixed', label: 'Violations fixed', value: k.violationsFixed, detail: `of ${k.violations}: deleted, or recreated with isolation` },
    {
      key: 'violationsQuarantined',
      label: 'Quarantined only',
      value: k.violationsQuarantined,
      detail: 'tagged, still running without isolation',
      tone: k.violationsQuarantined > 0 ? 'bad' : 'neutral',
    },
    { key: 'medianMinutesToRemediation', label: 'Median time to remediation', value: k.medianMinutesToRemediation, unit: ' min' },
    { key: 'worstMinutesToRemediation', label: 'Worst time to remediation', value: k.worstMinutesToRemediation, unit: ' min' },
    { key: 'exemptionsUsed', label: 'Exemptions used', value: k.exemptionsUsed },
    { key: 'approvedExceptions', label: 'Approved exceptions', value: k.approvedExceptions, detail: 'in force in the period' },
    { key: 'createModelCalls', label: 'CreateModel calls', value: k.createModelCalls },
    { key: 'failedCalls', label: 'Failed calls', value: k.failedCalls, detail: 'denied or invalid: no model' },
  ];
  // With --evidence-bucket: the scan gate's runs filed under pipeline/ in the period.
  if (k.pipelineRejections !== undefined) {
    cards.push({ key: 'pipelineRejections', label: 'Deployment pipeline rejections', value: k.pipelineRejections, detail: 'scan runs that failed the gate' });
  }
  if (k.pipelinePasses !== undefined) cards.push({ key: 'pipelinePasses', label: 'Deployment pipeline passes', value: k.pipelinePasses });
  // A KPI added to the report without a card of its own still gets one, named after its key.
  const shown = new Set(cards.map((c) => c.key));
  for (const [key, value] of Object.entries(k as Record<string, unknown>)) {
    if (!shown.has(key) && (typeof value === 'number' || value === null)) cards.push({ key, label: wordsOf(key), value });
  }
  return cards;
}

/** `violatingModelsStillExisting` reads `Violating models still existing`. */
const wordsOf = (key: string) => key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase().replace(/^./, (c) => c.toUpperCase());


const inventoryLine = (inventory: NonNullable<AuditReport['inventory']>) => {
  const s = inventory.summary as { models?: number; violations?: number; isolatedShare?: number };
  return `Latest inventory (${instantLabel(inventory.finishedAt)}, ${inventory.file}): ${s.models ?? '?'} models, ${s.isolatedShare ?? '?'}% isolated, ${s.violations ?? '?'} without isolation today.`;
};

/** Organisation-scale sources: what Athena scanned and cost; which filed report each month came from. */
function scopeExtras(scope: AuditReport['scope']): string[] {
  const lines: string[] = [];
  if (scope.athena) {
    const a = scope.athena;
    lines.push(`Athena query ${a.queryExecutionId} on ${a.table} (workgroup ${a.workgroup}): ${a.rows} rows, ${a.dataScannedBytes} bytes scanned, about $${a.costEstimateUsd.toFixed(4)}.`);
  }
  for (const m of scope.months ?? []) lines.push(m.file ? `Month ${m.month}: ${m.file} (source ${m.source ?? 'unknown'})` : `Month ${m.month}: MISSING (no report filed)`);
  return lines;
}

const scopeLines = (report: AuditReport): string[] => {
  const { scope } = report;
  return [
    ...scopeExtras(scope),
    `Source: ${scope.source}. Accounts: ${scope.accounts.join(', ') || '-'}. Regions: ${scope.regions.join(', ') || '-'}.`,
    `Read ${scope.filesRead} file(s) and ${scope.recordsRead} record(s)${scope.duplicatesDropped ? ` (${scope.duplicatesDropped} duplicates dropped)` : ''}; ${scope.filesFailed.length} file(s) could not be read. Generated ${instantLabel(report.generatedAt)}.`,
  ];
};

function statusOf(report: AuditReport): [tone: 'bad' | 'good', text: string] {
  const { scope, kpis } = report;
  if (scope.filesFailed.length > 0) return ['bad', `${scope.filesFailed.length} file(s) could not be read: the evidence of this period is incomplete.`];
  if (scope.recordsRead === 0) return ['bad', 'No CloudTrail record was read: this report proves nothing about the period.'];
  if (kpis.violations > 0) {
    return ['bad', `${kpis.violations} model(s) were created without network isolation; ${kpis.violationsFixed} fixed, ${kpis.violationsQuarantined} quarantined only (still without isolation).`];
  }
  return ['good', `No model was created without network isolation in the period (${kpis.modelsCreated} models created).`];
}

export function renderAudit(report: AuditReport, format: AuditFormat): string {
  const period = periodLabel(report.scope.from, report.scope.to);
  switch (format) {
    case 'json':
      return `${JSON.stringify({ ...report, breakdown: tableRecords(auditBreakdown(report)), byPrincipal: tableRecords(auditByPrincipal(report)) }, null, 2)}\n`;
    case 'csv':
      return tableCsv(auditCallsTable(report));
    case 'md': {
      const { scope } = report;
      return `${[
        `# SageMaker CreateModel audit: ${period}`,
        '',
        ...scopeLines(report).map(mdCell),
        ...scope.filesFailed.map((f) => `- failed: ${mdCell(f.name)}: ${mdCell(f.problem)}`),
        ...(report.inventory ? ['', mdCell(inventoryLine(report.inventory))] : []),
        '',
        `**${mdCell(statusOf(report)[1])}**`,
        '',
        '| KPI | value |',
        '| --- | ---: |',
        ...auditCards(report).map((c) => `| ${c.label} | ${kpiValueText(c.value)}${c.value !== null && c.unit ? c.unit : ''} |`),
        '',
        ...(report.isolation ? [`Isolated share: ${mdCell(describeShares(report.isolation))}.`, ''] : []),
        '## Exceptions in force',
        '',
        ...(exceptionLines(report).length ? exceptionLines(report).map((line) => `- ${mdCell(line)}`) : ['None.']),
        '',
        '## Models created per week (Monday, UTC)',
        '',
        '| week | compliant | violating or exempt |',
        '| --- | ---: | ---: |',
        ...report.weeks.map((w) => `| ${w.week} | ${w.compliant} | ${w.violating} |`),
        '',
        '## Per account and region',
        '',
        tableMarkdown(auditBreakdown(report)),
        '',
        '## Who creates models (per principal)',
        '',
        tableMarkdown(auditByPrincipal(report)),
        '',
        '## Every CreateModel call, violations first',
        '',
        tableMarkdown(auditCallsTable(report)),
      ].join('\n')}\n`;
    }
    case 'html': {
      const { scope } = report;
      const [tone, status] = statusOf(report);
      const failed = scope.filesFailed.length
        ? section('failed', 'Files that could not be read', `<ul class="problems">${scope.filesFailed.map((f) => `<li>${htmlEscape(f.name)}: ${htmlEscape(f.problem)}</li>`).join('')}</ul>`)
        : '';
      const body = [
        statusLine(tone, status),
        kpiCards(auditCards(report)),
        failed,
        report.inventory ? `<p class="meta" id="inventory">${htmlEscape(inventoryLine(report.inventory))}</p>` : '',
        section(
          'chart',
          'Models created per week',
          weeklyChart(chartWeeks(report), {
            id: 'weekly',
            title: `Models created per week (successful CreateModel calls), ${period}`,
            counts: 'models created',
            compliantLabel: 'isolated',
            violatingLabel: 'violation (not isolated)',
            exemptLabel: 'exempt (not isolated)',
            note: report.kpis.failedCalls > 0 ? `${report.kpis.failedCalls} failed call(s) created no model and are not in the chart.` : undefined,
          }),
          { together: true },
        ),
        section('per-place', 'Per account and region', tableHtml(auditBreakdown(report)), { together: true }),
        section('who', 'Who creates models (per principal)', tableHtml(auditByPrincipal(report)), { together: true }),
        report.isolation ? `<p class="meta" id="shares">${htmlEscape(describeShares(report.isolation))}.</p>` : '',
        section(
          'exceptions',
          'Exceptions in force',
          `<ul id="exceptions">${exceptionLines(report).map((line) => `<li>${htmlEscape(line)}</li>`).join('') || '<li>None.</li>'}</ul>`,
        ),
        section('every-call', 'Every CreateModel call, violations first', tableHtml(auditCallsTable(report))),
      ].join('\n');
      return htmlPage({
        title: `SageMaker CreateModel audit ${period}`,
        heading: 'SageMaker network isolation audit',
        subtitle: `Every CreateModel call from ${period} (UTC, inclusive)`,
        meta: scopeLines(report),
        body,
        footer: `sagemaker-isolation-guard audit report, schema ${report.schemaVersion}. The JSON report holds every figure of this page.`,
      });
    }
  }
}
