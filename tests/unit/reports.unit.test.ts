import { describe, expect, it } from 'vitest';
import { buildAuditReport } from '../../shared/audit/audit-report.js';
import { collectAudit } from '../../shared/audit/collect.js';
import { AUDIT_CSV_COLUMNS, renderAudit } from '../../shared/audit/render-audit.js';
import { DECISION_FIELDS } from '../../shared/model/decision.js';
import { inventoryWeeks, renderInventory } from '../../shared/reports/inventory-report.js';
import { instantLabel, periodLabel, weeksOfPeriod } from '../../shared/reports/period.js';
import { tableCsv, tableHtml, tableMarkdown, tableRecords, type Table } from '../../shared/reports/table.js';
import { weeklyChart } from '../../shared/reports/weekly-chart.js';
import { HOSTILE, novemberArchive, sweepFixture } from '../support/report-fixtures.js';

interface Row {
  name: string;
  count: number;
  seen: boolean | null;
}
const table = (rows: Row[]): Table<Row> => ({
  id: 't',
  caption: 'Things',
  columns: [
    { key: 'name', header: 'Name', value: (r) => r.name },
    { key: 'count', header: 'Count', value: (r) => r.count, numeric: true },
    { key: 'seen', header: 'Seen', value: (r) => r.seen, text: (r) => (r.seen ? 'yes' : 'no'), audience: 'human' },
    { key: 'internal', header: 'Internal', value: (r) => `id-${r.name}`, audience: 'machine' },
  ],
  rows,
  rowClass: (r) => (r.count > 1 ? 'violation' : ''),
  empty: 'Nothing <here>.',
});
const rows: Row[] = [
  { name: HOSTILE.formula, count: 2, seen: true },
  { name: 'a|b\nc <b>bold</b>', count: 1, seen: null },
];

describe('the table model: columns declared once, four renderings', () => {
  it('JSON: one object per row, keyed by machine names, values typed, human-only columns left out', () => {
    expect(tableRecords(table(rows))).toEqual([
      { name: HOSTILE.formula, count: 2, internal: `id-${HOSTILE.formula}` },
      { name: 'a|b\nc <b>bold</b>', count: 1, internal: 'id-a|b\nc <b>bold</b>' },
    ]);
  });

  it('CSV: machine names as the header, quoted per RFC 4180, formulas defused', () => {
    const lines = tableCsv(table(rows)).split('\r\n');
    expect(lines[0]).toBe('name,count,internal');
    expect(lines[1]).toBe(`"'=HYPERLINK(""http://evil.example"",""click"")",2,"id-=HYPERLINK(""http://evil.example"",""click"")"`);
    expect(lines[1]!.startsWith(`"'=`)).toBe(true);
    for (const lead of ['=', '+', '-', '@']) expect(tableCsv(table([{ name: `${lead}1+1`, count: 0, seen: null }])).split('\r\n')[1]).toMatch(new RegExp(`^'\\${lead}1\\+1,`));
    expect(lines.at(-1)).toBe('');
  });

  it('Markdown: readable headers, pipes, newlines and markup escaped, numbers right-aligned', () => {
    const md = tableMarkdown(table(rows)).split('\n');
    expect(md[0]).toBe('| Name | Count | Seen |');
    expect(md[1]).toBe('| --- | ---: | --- |');
    expect(md[3]).toBe('| a\\|b c &lt;b>bold&lt;/b> | 1 | no |');
    expect(md).toHaveLength(4);
    expect(tableMarkdown(table([{ name: '[click](http://evil.example) *x* _y_ `z`', count: 0, seen: null }])).split('\n')[2]).toBe(
      '| \\[click\\](http://evil.example) \\*x\\* \\_y\\_ \\`z\\` | 0 | no |',
    );
    expect(tableMarkdown(table([]))).toBe('Nothing &lt;here>.');
  });

  it('HTML: readable headers, every cell escaped, row classes, an empty table said in words', () => {
    const html = tableHtml(table(rows));
    expect(html).toContain('<th scope="col" data-col="name">Name</th><th scope="col" data-col="count" class="num">Count</th><th scope="col" data-col="seen">Seen</th></tr>');
    expect(html).not.toContain('Internal');
    expect(html).toContain('a|b\nc &lt;b&gt;bold&lt;/b&gt;');
    expect(html).not.toContain('<b>');
    expect(html).toMatch(/<tr class="violation"><td data-col="name" data-label="Name">=HYPERLINK\(&quot;http/);
    // Every table sorts (the page's script); only wide ones stack on a narrow screen.
    expect(html).toMatch(/^<table id="t" class="sortable">/);
    expect(tableHtml(table([]))).toBe('<p class="empty" id="t">Nothing &lt;here&gt;.</p>');
  });
});

describe('periods and weeks', () => {
  it('prints a period as the dates the user typed, the end inclusive', () => {
    expect(periodLabel('2026-11-01T00:00:00.000Z', '2026-12-01T00:00:00.000Z')).toBe('2026-11-01 to 2026-11-30');
    expect(periodLabel(new Date('2026-11-01T00:00:00Z'), new Date('2026-11-02T00:00:00Z'))).toBe('2026-11-01 to 2026-11-01');
    expect(periodLabel('2026-11-01T06:30:00Z', '2026-11-03T12:00:00Z')).toBe('2026-11-01 06:30 UTC to 2026-11-03 12:00 UTC');
  });

  it('prints an instant to the minute, and what is not a date as given (a snapshot name, say)', () => {
    expect(instantLabel('2026-11-29T19:30:59.123Z')).toBe('2026-11-29 19:30 UTC');
    expect(instantLabel('2026-10-31T06-00-00-000Z')).toBe('2026-10-31T06-00-00-000Z');
  });

  it('lists every week (Monday, UTC) a period touches, across a year end, empty ones included', () => {
    expect(weeksOfPeriod('2026-11-01T00:00:00Z', '2026-12-01T00:00:00Z')).toEqual(['2026-10-26', '2026-11-02', '2026-11-09', '2026-11-16', '2026-11-23', '2026-11-30']);
    expect(weeksOfPeriod('2026-12-28T00:00:00Z', '2027-01-12T00:00:00Z')).toEqual(['2026-12-28', '2027-01-04', '2027-01-11']);
    // The end is exclusive: a period ending at Monday midnight does not touch that Monday's week.
    expect(weeksOfPeriod('2026-11-02T00:00:00Z', '2026-11-09T00:00:00Z')).toEqual(['2026-11-02']);
    expect(weeksOfPeriod('2026-11-02T00:00:00Z', '2026-11-02T00:00:00Z')).toEqual([]);
  });
});

describe('the weekly chart', () => {
  const options = { id: 'c', title: 'Models created per week', counts: 'models created', compliantLabel: 'isolated', violatingLabel: 'not isolated' };

  it('draws a y axis with round values, one group per week, the count above each bar, 0 for an empty week', () => {
    const svg = weeklyChart(
      [
        { week: '2026-11-02', compliant: 3, violating: 4 },
        { week: '2026-11-09', compliant: 0, violating: 0 },
      ],
      options,
    );
    expect(svg.match(/<g class="week"/g)).toHaveLength(2);
    expect([...svg.matchAll(/class="tick y-tick"[^>]*>(\d+)</g)].map((m) => Number(m[1]))).toEqual([0, 2, 4, 6, 8]);
    expect([...svg.matchAll(/<text class="value"[^>]*>(\d+)</g)].map((m) => m[1])).toEqual(['7', '0']);
    expect(svg).toContain('data-week="2026-11-09" data-compliant="0" data-violating="0" data-total="0"><title>');
    expect(svg).toContain('>Models created</text>');
    expect(svg).toContain('Week starting Monday (UTC), 2026');
  });

  it('labels weeks with their year and month when the chart spans years', () => {
    const svg = weeklyChart(weeksOfPeriod('2025-12-22T00:00:00Z', '2026-01-12T00:00:00Z').map((week) => ({ week, compliant: 1, violating: 0 })), options);
    expect([...svg.matchAll(/class="tick x-tick"[^>]*>([^<]+)</g)].map((m) => m[1])).toEqual(['2025-12', '2025-12', '2026-01']);
    expect(svg).toContain('Week starting Monday (UTC), 2025 to 2026');
  });

  it('says so when there is no week to draw', () => {
    expect(weeklyChart([], options)).toContain('No week in the period.');
  });
});

describe('the audit report', () => {
  const from = new Date('2026-11-01T00:00:00Z');
  const to = new Date('2026-12-01T00:00:00Z');
  const november = async () =>
    buildAuditReport(await collectAudit(novemberArchive(), { from, to, exemptions: [], now: to }), { from, to, source: 'test', generatedAt: to }, null);

  it('has every week of the period in its JSON, empty weeks as 0 models and no isolated share (null, never 100%)', async () => {
    const report = await november();
    expect(report.weeks).toEqual([
      { week: '2026-10-26', compliant: 1, violating: 0, isolatedShare: 100 },
      { week: '2026-11-02', compliant: 2, violating: 2, isolatedShare: 50 },
      { week: '2026-11-09', compliant: 0, violating: 0, isolatedShare: null },
      { week: '2026-11-16', compliant: 1, violating: 1, isolatedShare: 50 },
      { week: '2026-11-23', compliant: 0, violating: 0, isolatedShare: null },
      { week: '2026-11-30', compliant: 0, violating: 0, isolatedShare: null },
    ]);
  });

  it('gives a period in which no model was created no isolated share (null, n/a), never 100%: as the sweep that read nothing', async () => {
    const [december, january] = [new Date('2026-12-01T00:00:00Z'), new Date('2027-01-01T00:00:00Z')];
    const report = buildAuditReport(await collectAudit(novemberArchive(), { from: december, to: january, exemptions: [], now: january }), { from: december, to: january, source: 'test', generatedAt: january }, null);
    expect(report.kpis).toMatchObject({ modelsCreated: 0, isolatedShare: null });
    expect(renderAudit(report, 'md')).toContain('| Isolated | n/a |');
    expect(renderAudit(report, 'html')).toContain('<span data-kpi="isolatedShare">n/a</span></div><div class="detail">no model was created</div>');
  });

  it('keeps the CSV columns scripts rely on: the decision fields of evaluate first, violations first', async () => {
    const report = await november();
    // The decision fields of evaluate first, in its order; the governance fields go last so older columns keep their places.
    const governance = ['severity', 'classification', 'production', 'exception'];
    const decisionFields = DECISION_FIELDS.filter((field) => !governance.includes(field));
    expect(AUDIT_CSV_COLUMNS.slice(0, decisionFields.length)).toEqual(decisionFields);
    expect(AUDIT_CSV_COLUMNS.slice(-governance.length)).toEqual(governance);
    const csv = renderAudit(report, 'csv').trimEnd().split('\r\n');
    expect(csv[0]).toBe(AUDIT_CSV_COLUMNS.join(','));
    expect(csv.slice(1).map((line) => line.match(/,(violation|exempt|compliant|not-applicable),/)?.[1])).toEqual(['violation', 'violation', 'violation', 'compliant', 'compliant', 'compliant', 'compliant', 'not-applicable']);
    expect(csv.some((line) => line.includes(`"'=HYPERLINK(`))).toBe(true);
  });

  it('sums up who creates models without isolation: per account and role (sessions merged) or user, most violations first', async () => {
    const report = await november();
    const json = JSON.parse(renderAudit(report, 'json'));
    const rows = json.byPrincipal as Array<{ principal: string; account: string; createModelCalls: number; violations: number }>;
    expect(rows.reduce((sum, r) => sum + r.createModelCalls, 0)).toBe(report.calls.length);
    expect(rows.reduce((sum, r) => sum + r.violations, 0)).toBe(report.kpis.violations);
    expect(rows[0]!.violations).toBeGreaterThan(0);
    expect(rows.map((r) => r.violations)).toEqual([...rows.map((r) => r.violations)].sort((a, b) => b - a));
    for (const row of rows) expect(row.principal).not.toMatch(/^arn:|assumed-role\//);
    expect(renderAudit(report, 'md')).toContain('## Who creates models (per principal)');
    expect(renderAudit(report, 'html')).toContain('<table id="by-principal"');
  });

  it('keeps the JSON fields and adds the per-account and region breakdown', async () => {
    const report = await november();
    const json = JSON.parse(renderAudit(report, 'json'));
    expect(Object.keys(json)).toEqual([...Object.keys(report), 'breakdown', 'byPrincipal']);
    expect(json.breakdown).toEqual([
      { account: '111122223333', region: 'eu-west-1', createModelCalls: 4, failedCalls: 0, modelsCreated: 4, isolatedShare: 50, violations: 2, exemptionsUsed: 0, violationsFixed: 1, violationsQuarantined: 0 },
      { account: '444455556666', region: 'us-east-1', createModelCalls: 4, failedCalls: 1, modelsCreated: 3, isolatedShare: 66.7, violations: 1, exemptionsUsed: 0, violationsFixed: 0, violationsQuarantined: 0 },
    ]);
  });

  it('Markdown: the period as typed, KPIs, every week, breakdown, calls with hostile names escaped', async () => {
    const md = renderAudit(await november(), 'md');
    expect(md).toMatch(/^# SageMaker CreateModel audit: 2026-11-01 to 2026-11-30\n/);
    expect(md).toContain('| Violations | 3 |');
    // Fixed (deleted, or recreated with isolation) apart from quarantined only (issue 22, item 3).
    expect(md).toContain('| Violations fixed | 1 |');
    expect(md).toContain('| Quarantined only | 0 |');
    expect(md).toContain('1 fixed, 0 quarantined only (still without isolation)');
    expect(md).toContain('| Isolated | 57.1% |');
    expect(md).toContain('| 2026-11-09 | 0 | 0 |');
    expect(md).toContain('| x&lt;script>alert(1)&lt;/script> |');
    expect(md).not.toContain('<script>');
  });
});

describe('the inventory report', () => {
  it('keeps its JSON fields and adds the weeks and the breakdown', () => {
    const result = sweepFixture();
    const json = JSON.parse(renderInventory(result, 'json'));
    expect(Object.keys(json)).toEqual(['schemaVersion', 'kind', 'startedAt', 'finishedAt', 'regions', 'models', 'summary', 'weeks', 'breakdown']);
    expect(json.models).toEqual(result.models);
    expect(json.weeks).toEqual(inventoryWeeks(result));
    expect(json.breakdown[0]).toEqual({
      account: '444455556666',
      region: 'eu-west-1',
      models: null,
      isolated: null,
      isolatedShare: null,
      violations: null,
      exempt: null,
      quarantined: null,
      fixed: null,
      error: 'AccessDenied: not authorized to perform sagemaker:ListModels',
    });
  });

  it('CSV keeps its header and puts violations first', () => {
    const csv = renderInventory(sweepFixture(), 'csv').trimEnd().split('\r\n');
    expect(csv[0]).toBe('account,region,modelName,modelArn,creationTime,networkIsolation,verdict,quarantined,action,tags,reasons,error,severity,classification,production,exception,fixed');
    expect(csv.slice(1).map((line) => line.match(/,(violation|exempt|compliant),/)?.[1])).toEqual([
      'violation',
      'violation',
      'violation',
      'exempt',
      'compliant',
      'compliant',
      'compliant',
      'compliant',
      'compliant',
    ]);
  });

  it("a sweep of this account has one row per region swept, named by the models' account: no phantom 'this account' rows", () => {
    const fixture = sweepFixture();
    const own = fixture.models.filter((m) => m.account === '111122223333');
    const result = { ...fixture, regions: [{ region: 'eu-west-1', models: 4, error: null }, { region: 'us-east-1', models: 2, error: null }, { region: 'eu-north-1', models: 0, error: null }], models: own };
    const breakdown = JSON.parse(renderInventory(result, 'json')).breakdown as Array<{ account: string; region: string; models: number }>;
    expect(breakdown.map((r) => [r.account, r.region, r.models])).toEqual([
      ['111122223333', 'eu-west-1', 4],
      ['111122223333', 'eu-north-1', 0],
      ['111122223333', 'us-east-1', 2],
    ]);
    expect(renderInventory(result, 'md')).not.toContain('this account');
  });

  it('nothing read (no credentials) is incomplete and unknown, never all-clear', () => {
    const failed = 'CredentialsProviderError: Could not load credentials from any providers';
    const result = { ...sweepFixture(), regions: [{ region: 'eu-west-1', models: 0, error: failed }, { region: 'us-east-1', models: 0, error: failed }], models: [] };
    const json = JSON.parse(renderInventory(result, 'json'));
    expect(json.summary).toMatchObject({ complete: false, violations: 0, isolatedShare: null });
    const html = renderInventory(result, 'html');
    expect(html).not.toMatch(/class="card good"/);
    expect(html).toMatch(/<div class="card bad"><div class="label">Violations found \(incomplete\)<\/div><div class="figure"><span data-kpi="violations">0<\/span><\/div><div class="detail">unknown beyond this: 2 account\/region\(s\) not read<\/div>/);
    expect(html).not.toContain('No model exists');
    expect(html).toContain('No model could be read: 2 of 2 account/region(s) failed');
    const md = renderInventory(result, 'md');
    expect(md).toContain('violations: 0 (INCOMPLETE, unknown beyond this: 2 account/region(s) not read)');
    expect(md).not.toContain('No model exists');
    // A complete sweep that found nothing is all-clear, and says so.
    const empty = renderInventory({ ...result, regions: [{ region: 'eu-west-1', models: 0, error: null }] }, 'html');
    expect(empty).toContain('No model exists in the accounts and regions swept.');
  });

  it('weeks: none for an inventory without dated models', () => {
    expect(inventoryWeeks({ ...sweepFixture(), models: [] })).toEqual([]);
  });
});

describe('extending the audit report', () => {
  it('a KPI added to the report without its own card still gets one, named after its key', async () => {
    const from = new Date('2026-11-01T00:00:00Z');
    const to = new Date('2026-12-01T00:00:00Z');
    const report = buildAuditReport(await collectAudit(novemberArchive(), { from, to, exemptions: [], now: to }), { from, to, source: 'test', generatedAt: to }, null);
    const extended = { ...report, kpis: { ...report.kpis, modelsReviewed: 4 } };
    const html = renderAudit(extended, 'html');
    expect(html).toContain('<div class="label">Models reviewed</div><div class="figure"><span data-kpi="modelsReviewed">4</span>');
    expect(renderAudit(extended, 'md')).toContain('| Models reviewed | 4 |');
  });
});
