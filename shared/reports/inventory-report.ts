import { describeShares, isolationShares } from '../governance/shares.js';
import type { InventoryEntry, SweepResult } from '../model/inventory.js';
import { tallyByPlace, violationsFirst, type Place } from './by-place.js';
import { isolatedShare } from '../model/isolated-share.js';
import { htmlText, mdCell } from './cells.js';
import { fixColumn, modelLinkHtml, severityColumn, severityRank, toolOf } from './row-guidance.js';
import { htmlPage, kpiCards, section, statusLine, type KpiCard } from './html-page.js';
import { instantLabel, weekOf, weeksOfPeriod } from './period.js';
import { tableCsv, tableHtml, tableMarkdown, tableRecords, type Column, type Table } from './table.js';
import { weeklyChart, type WeekBar } from './weekly-chart.js';

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
    isolatedShare: isolatedShare(isolated, total),
    violations: count((m) => m.verdict === 'violation' && !m.error),
    /** Models that could not be read: counted as not proven isolated. */
    unreadable: count((m) => Boolean(m.error)),
    /** Effects (action, alert, ledger) that failed, per model and step, with the cause. */
    effectFailures,
    exempt: count((m) => m.verdict === 'exempt'),
    /** Replaced by a model with isolation that serves their endpoints (`isolation-guard fix`). */
    fixed: count((m) => m.fixed === true),
    /** Quarantined and not fixed: tagged, still running without isolation. */
    quarantined: count((m) => m.quarantined && m.fixed !== true),
    regionsFailed: result.regions.filter((r) => r.error !== null).map((r) => r.region),
    /** Every account/region and every model was read: only then do the counts say all there is. */
    complete: result.regions.every((r) => r.error === null) && !result.models.some((m) => m.error),
    ...isolationShares(result.models.map((m) => ({ isolated: m.networkIsolation, classification: m.classification ?? null, production: m.production ?? false }))),
  };
}

/**
 * The models that exist today by the week they were created: every week from the oldest model's
 * to the sweep's, empty ones included. Models without a creation time are not in any week.
 */
export function inventoryWeeks(result: SweepResult): WeekBar[] {
  const dated = result.models.filter((m) => m.creationTime !== null && !Number.isNaN(Date.parse(m.creationTime)));
  if (dated.length === 0) return [];
  const oldest = dated.reduce((min, m) => (m.creationTime! < min ? m.creationTime! : min), dated[0]!.creationTime!);
  const end = new Date(Math.max(Date.parse(result.finishedAt), ...dated.map((m) => Date.parse(m.creationTime!))) + 1);
  const weeks = new Map(weeksOfPeriod(oldest, end).map((week) => [week, { week, compliant: 0, violating: 0, exempt: 0 }]));
  for (const model of dated) {
    const week = weeks.get(weekOf(model.creationTime!))!;
    if (model.networkIsolation) week.compliant++;
    else if (model.verdict === 'exempt') week.exempt++;
    else week.violating++;
  }
  return [...weeks.values()];
}

const yesNo = (value: boolean) => (value ? 'yes' : 'no');
const PAST: Record<string, string> = { quarantine: 'quarantined', recreate: 'recreated', delete: 'deleted' };
/** What the sweep did, in words: `quarantined`, `would delete (dry run)`, `quarantine FAILED`. */
function actionText({ kind, status }: InventoryEntry['action']): string {
  if (kind === 'none') return '-';
  switch (status) {
    case 'done':
      return PAST[kind] ?? kind;
    case 'would-do':
      return `would ${kind} (dry run)`;
    case 'pending':
      return `${kind} pending`;
    case 'already-done':
      return `already ${PAST[kind] ?? kind}`;
    case 'failed':
      return `${kind} FAILED`;
    default:
      return `${kind} (${status})`;
  }
}
const dateTime = (value: string | null) => (value === null ? '-' : value.slice(0, 16).replace('T', ' '));

/** The inventory's columns, declared once for CSV, JSON, Markdown and HTML. */
export const INVENTORY_COLUMNS: ReadonlyArray<Column<InventoryEntry>> = [
  { key: 'account', header: 'Account', value: (m) => m.account ?? '', text: (m) => m.account ?? 'this account', wrap: 'keep', filter: true },
  { key: 'region', header: 'Region', value: (m) => m.region, wrap: 'keep', filter: true },
  // The name links to the model's page in the console.
  { key: 'modelName', header: 'Model', value: (m) => m.modelName, wrap: 'anywhere', html: (m) => modelLinkHtml(m.modelName, m.region) },
  { key: 'modelArn', header: 'Model ARN', value: (m) => m.modelArn, audience: 'machine' },
  { key: 'creationTime', header: 'Created (UTC)', value: (m) => m.creationTime ?? '', text: (m) => dateTime(m.creationTime), wrap: 'keep-wide' },
  { key: 'networkIsolation', header: 'Network isolation', value: (m) => String(m.networkIsolation), text: (m) => (m.networkIsolation ? 'on' : 'off') },
  { key: 'verdict', header: 'Verdict', value: (m) => m.verdict, wrap: 'keep', filter: true },
  // People read the severity as a badge beside the verdict; CSV and JSON keep it in its own column (below).
  severityColumn((m) => m),
  { key: 'quarantined', header: 'In quarantine', value: (m) => String(m.quarantined), text: (m) => yesNo(m.quarantined) },
  { key: 'action', header: 'Action', value: (m) => `${m.action.kind}/${m.action.status}`, text: (m) => actionText(m.action) },
  { key: 'tags', header: 'Tags that matter', value: (m) => Object.entries(m.tags).map(([k, v]) => `${k}=${v}`).join('; '), wrap: 'anywhere' },
  { key: 'reasons', header: 'Reasons', value: (m) => m.reasons.join(' '), wrap: 'prose' },
  fixColumn((m) => ({ verdict: m.verdict, tool: toolOf({ tags: m.tags }) })),
  // The model could not be read, or an effect failed: what went wrong.
  {
    key: 'error',
    header: 'Problem',
    value: (m) => [m.error, ...Object.entries(m.failures).map(([step, why]) => `${step}: ${why}`)].filter(Boolean).join('; '),
    wrap: 'prose',
    optional: true,
  },
  // Governance (after the columns above, so theirs keep their places).
  { key: 'severity', header: 'Severity', value: (m) => m.severity ?? '', audience: 'machine' },
  { key: 'classification', header: 'Classification', value: (m) => m.classification ?? '', text: (m) => m.classification ?? '-', optional: true },
  { key: 'production', header: 'Production', value: (m) => String(m.production ?? false), audience: 'machine' },
  { key: 'exception', header: 'Exception', value: (m) => m.exception?.id ?? '', text: (m) => m.exception?.id ?? '-', optional: true },  // Fixed (`isolation-guard fix`), apart from quarantined; last, so the columns above keep their places.
  { key: 'fixed', header: 'Fixed', value: (m) => String(m.fixed === true), text: (m) => (m.fixed ? `yes: ${m.tags['isolation-guard:replaced-by']}` : '-'), wrap: 'anywhere', optional: true },
];

/** Every model, violations first, then by account, region and name. */
export const inventoryTable = (result: SweepResult): Table<InventoryEntry> => ({
  id: 'models',
  caption: 'Every model, violations first',
  columns: INVENTORY_COLUMNS,
  // Violations first, the most severe first among them.
  rows: [...result.models].sort(violationsFirst((m) => m.verdict, (m) => severityRank(m.verdict, m.severity), (m) => m.account ?? '', (m) => m.region, (m) => m.modelName)),
  rowClass: (m) => (m.verdict === 'violation' && m.severity === 'critical' ? 'violation sev-critical' : m.verdict),
  // Nothing listed because nothing could be read is not "no model".
  empty: result.regions.some((r) => r.error !== null)
    ? `No model could be read: ${result.regions.filter((r) => r.error !== null).length} of ${result.regions.length} account/region(s) failed (see the table per account and region); models there are unknown.`
    : 'No model exists in the accounts and regions swept.',
});

interface PlaceCounts {
  models: number;
  isolated: number;
  violations: number;
  exempt: number;
  quarantined: number;
  fixed: number;
}
type InventoryPlace = Place & PlaceCounts & { error: string | null };

/**
 * A sweep of "this account" lists its regions without an account, while each model's ARN names it:
 * both are the same account. When every region was swept without one and the models name a single
 * account, that is the account of every row (no phantom `this account` row beside the real one).
 */
function ownAccountOf(result: SweepResult): (account: string | null | undefined) => string | null {
  const named = new Set(result.models.map((m) => m.account).filter((a): a is string => Boolean(a)));
  const own = result.regions.every((r) => !r.account) && named.size === 1 ? [...named][0]! : null;
  return (account) => account ?? own;
}

/** Per account and region: every one swept (empty and failed ones included), most violations first. */
export function inventoryBreakdown(result: SweepResult): Table<InventoryPlace> {
  const account = ownAccountOf(result);
  const swept = result.regions.map((r) => ({ account: account(r.account), region: r.region }));
  const rows = tallyByPlace<InventoryEntry, PlaceCounts>(
    result.models,
    (m) => ({ account: account(m.account), region: m.region }),
    (m, c) => {
      c.models++;
      if (m.networkIsolation) c.isolated++;
      if (m.verdict === 'violation') c.violations++;
      if (m.verdict === 'exempt') c.exempt++;
      if (m.fixed) c.fixed++;
      else if (m.quarantined) c.quarantined++;
    },
    () => ({ models: 0, isolated: 0, violations: 0, exempt: 0, quarantined: 0, fixed: 0 }),
    swept,
  ).map((row) => ({ ...row, error: result.regions.find((r) => account(r.account) === row.account && r.region === row.region)?.error ?? null }));
  rows.sort((a, b) => Number(b.error !== null) - Number(a.error !== null) || b.violations - a.violations || (a.account ?? '').localeCompare(b.account ?? '') || a.region.localeCompare(b.region));
  return {
    id: 'breakdown',
    caption: 'Per account and region',
    columns: [
      { key: 'account', header: 'Account', value: (r) => r.account ?? '', text: (r) => r.account ?? 'this account', wrap: 'keep' },
      { key: 'region', header: 'Region', value: (r) => r.region, wrap: 'keep' },
      { key: 'models', header: 'Models', value: (r) => (r.error === null ? r.models : null), numeric: true },
      { key: 'isolated', header: 'Isolated', value: (r) => (r.error === null ? r.isolated : null), numeric: true },
      { key: 'isolatedShare', header: 'Isolated %', value: (r) => (r.error !== null ? null : isolatedShare(r.isolated, r.models)), numeric: true },
      { key: 'violations', header: 'Violations', value: (r) => (r.error === null ? r.violations : null), numeric: true },
      { key: 'exempt', header: 'Exempt', value: (r) => (r.error === null ? r.exempt : null), numeric: true },
      { key: 'fixed', header: 'Fixed', value: (r) => (r.error === null ? r.fixed : null), numeric: true },
      { key: 'quarantined', header: 'Quarantined', value: (r) => (r.error === null ? r.quarantined : null), numeric: true },
      { key: 'error', header: 'Read', value: (r) => r.error, text: (r) => (r.error === null ? 'ok' : `FAILED: ${r.error}`), wrap: 'anywhere' },
    ],
    rows,
    rowClass: (r) => (r.error !== null || r.violations > 0 ? 'violation' : ''),
    empty: 'No account or region was swept.',
  };
}

/** The isolated share as a reader sees it. */
export const isolatedShareText = (share: number | null): string => (share === null ? 'n/a (no model was read)' : `${share}%`);

/** What could not be read, in words: the reason a count is a floor, not the whole. */
function incompleteText(summary: ReturnType<typeof inventorySummary>): string {
  const parts = [summary.regionsFailed.length > 0 ? `${summary.regionsFailed.length} account/region(s) not read` : '', summary.unreadable > 0 ? `${summary.unreadable} model(s) not read` : ''];
  return `unknown beyond this: ${parts.filter(Boolean).join(', ')}`;
}

function inventoryCards(summary: ReturnType<typeof inventorySummary>): KpiCard[] {
  return [
    { key: 'models', label: 'Models today', value: summary.models },
    { key: 'isolatedShare', label: 'Isolated', value: summary.isolatedShare, unit: '%', detail: `${summary.isolated} of ${summary.models} models`, tone: summary.isolatedShare === 100 ? 'good' : 'neutral', ...(summary.isolatedShare === null ? { detail: 'no model was read' } : {}) },
    // An inventory that could not read everything is never all-clear: its count is a floor.
    summary.complete
      ? { key: 'violations', label: 'Violations (no isolation)', value: summary.violations, tone: summary.violations > 0 ? 'bad' : 'good' }
      : { key: 'violations', label: 'Violations found (incomplete)', value: summary.violations, tone: 'bad', detail: incompleteText(summary) },
    { key: 'exempt', label: 'Exempt', value: summary.exempt, detail: 'no isolation, exemption applies' },
    { key: 'fixed', label: 'Fixed', value: summary.fixed, detail: 'replaced by a model with isolation that serves its endpoints' },
    { key: 'quarantined', label: 'Quarantined', value: summary.quarantined, detail: 'tagged, still running without isolation', tone: summary.quarantined > 0 ? 'bad' : 'neutral' },
    { key: 'regionsFailed', label: 'Regions not read', value: summary.regionsFailed.length, tone: summary.regionsFailed.length > 0 ? 'bad' : 'neutral' },
    { key: 'unreadable', label: 'Models not read', value: summary.unreadable, detail: 'not proven isolated', tone: summary.unreadable > 0 ? 'bad' : 'neutral' },
    { key: 'effectFailures', label: 'Failed effects', value: summary.effectFailures.length, tone: summary.effectFailures.length > 0 ? 'bad' : 'neutral' },
  ];
}

function sweptLabel(result: SweepResult): string {
  return `Models existing on ${result.finishedAt.slice(0, 10)} (swept ${instantLabel(result.startedAt)} to ${instantLabel(result.finishedAt)})`;
}

export function renderInventory(result: SweepResult, format: ReportFormat): string {
  const summary = inventorySummary(result);
  const breakdown = inventoryBreakdown(result);
  switch (format) {
    case 'json':
      return `${JSON.stringify({ schemaVersion: 1, kind: 'sagemaker-model-inventory', ...result, summary, weeks: inventoryWeeks(result), breakdown: tableRecords(breakdown) }, null, 2)}\n`;
    case 'csv':
      return tableCsv(inventoryTable(result));
    case 'md': {
      const lines = [
        '# SageMaker model inventory: network isolation',
        '',
        `${sweptLabel(result)}; regions: ${result.regions.map((r) => `${mdCell(r.account ? `${r.account}/${r.region}` : r.region)} (${r.error ? `FAILED: ${mdCell(r.error)}` : `${r.models} models`})`).join(', ')}.`,
        '',
        `Models: ${summary.models}; isolated: ${summary.isolated} (${isolatedShareText(summary.isolatedShare)}); violations: ${summary.violations}${summary.complete ? '' : ` (INCOMPLETE, ${incompleteText(summary)})`}; not readable: ${summary.unreadable}; exempt: ${summary.exempt}; fixed: ${summary.fixed}; quarantined (still without isolation): ${summary.quarantined}; failed effects: ${summary.effectFailures.length}.`,
        '',
        `${mdCell(describeShares(summary))}.`,
        '',
        '## Per account and region',
        '',
        tableMarkdown(breakdown),
        '',
        '## Every model, violations first',
        '',
        tableMarkdown(inventoryTable(result)),
      ];
      return `${lines.join('\n')}\n`;
    }
    case 'html': {
      const weeks = inventoryWeeks(result);
      const undated = result.models.filter((m) => m.creationTime === null).length;
      const failed = result.regions.filter((r) => r.error !== null);
      const status =
        failed.length > 0
          ? statusLine('bad', `${failed.length} account/region(s) could not be read: this inventory is incomplete.`)
          : summary.unreadable > 0
            ? statusLine('bad', `${summary.unreadable} model(s) could not be read: not proven isolated, this inventory is incomplete.`)
          : summary.models === 0
            ? statusLine('bad', 'No model was read: this inventory proves nothing about isolation.')
          : summary.violations > 0
            ? statusLine('bad', `${summary.violations} model(s) run without network isolation and no exemption applies.`)
            : statusLine('good', `Every model swept runs with network isolation or is exempt (${summary.models} models).`);
      const body = [
        status,
        `<div id="summary" data-models="${summary.models}" data-violations="${summary.violations}">${kpiCards(inventoryCards(summary))}</div>`,
        `<p class="meta" id="shares">${htmlText(describeShares(summary))}.</p>`,
        section(
          'chart',
          'Models by week created',
          weeklyChart(weeks, {
            id: 'weekly-chart',
            title: 'Models existing today, by the week they were created',
            counts: 'models',
            compliantLabel: 'isolated',
            violatingLabel: 'violation (not isolated)',
            exemptLabel: 'exempt (not isolated)',
            note: undated > 0 ? `${undated} model(s) without a creation time are not in the chart.` : undefined,
          }),
          { together: true },
        ),
        section('per-place', 'Per account and region', tableHtml(breakdown), { together: true }),
        section('inventory', 'Every model, violations first', tableHtml(inventoryTable(result))),
      ].join('\n');
      return htmlPage({
        title: `SageMaker model inventory ${result.finishedAt.slice(0, 10)}`,
        heading: 'SageMaker model inventory: network isolation',
        subtitle: sweptLabel(result),
        meta: [
          `Accounts and regions swept: ${result.regions.map((r) => (r.account ? `${r.account}/${r.region}` : r.region)).join(', ') || 'none'}.`,
          'A model without network isolation can send its data anywhere; the setting cannot be changed after creation (delete and recreate).',
        ],
        body,
        footer: `sagemaker-isolation-guard inventory, schema 1. Generated ${instantLabel(result.finishedAt)}.`,
      });
    }
  }
}
