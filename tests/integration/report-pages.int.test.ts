import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAuditReport, type AuditReport } from '../../shared/audit/audit-report.js';
import { collectAudit } from '../../shared/audit/collect.js';
import { renderAudit } from '../../shared/audit/render-audit.js';
import { renderInventory } from '../../shared/reports/inventory-report.js';
import { launchChromium } from '../support/chromium.js';
import { ORIGINAL_TMPDIR_VARIABLE } from '../support/run-tmpdir.js';
import { gzipRecords } from '../support/archive-generator.js';
import { ACCOUNT_A, ACCOUNT_B, filesOf, HOSTILE, novemberArchive, novemberAuditRecords, sweepFixture } from '../support/report-fixtures.js';

/**
 * Screenshots land here, to be looked at by a person: the test asserts what they show. Kept after
 * the run: under the system's temporary directory, not the run's (tests/support/run-tmpdir.ts).
 */
export const SHOTS = join(process.env[ORIGINAL_TMPDIR_VARIABLE] ?? tmpdir(), 'isolation-guard-report-shots');
const WIDTHS = [800, 1280] as const;

let browser: Browser;
let dir: string;
beforeAll(async () => {
  browser = await launchChromium();
  dir = mkdtempSync(join(tmpdir(), 'report-pages-'));
  mkdirSync(SHOTS, { recursive: true });
});
afterAll(async () => browser?.close());

async function novemberReport(): Promise<AuditReport> {
  // `--from 2026-11-01 --to 2026-11-30`: the CLI stores the end as the next midnight.
  const from = new Date('2026-11-01T00:00:00Z');
  const to = new Date('2026-12-01T00:00:00Z');
  const collection = await collectAudit(novemberArchive(), { from, to, exemptions: [], now: new Date('2026-11-29T00:00:00Z') });
  return buildAuditReport(collection, { from, to, source: './cloudtrail-copy', generatedAt: new Date('2026-11-29T08:00:00Z') }, null);
}

interface Opened {
  page: Page;
  errors: string[];
  requests: string[];
  dialogs: string[];
}

async function open(html: string, name: string, width: number): Promise<Opened> {
  const path = join(dir, `${name}.html`);
  writeFileSync(path, html);
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  const opened: Opened = { page, errors: [], requests: [], dialogs: [] };
  page.on('pageerror', (error) => opened.errors.push(error.message));
  page.on('request', (request) => opened.requests.push(request.url()));
  page.on('dialog', (dialog) => {
    opened.dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  await page.goto(`file://${path}`);
  return opened;
}

/** What a person sees of the page: cards, chart, tables, width. */
async function look(page: Page) {
  return page.evaluate(() => {
    const doc = document.documentElement;
    const text = (el: Element | null) => el?.textContent?.trim() ?? null;
    return {
      cards: Object.fromEntries([...document.querySelectorAll('[data-kpi]')].map((el) => [el.getAttribute('data-kpi'), el.textContent])),
      cardsVisible: [...document.querySelectorAll('.card')].every((el) => (el as HTMLElement).offsetWidth > 0) && document.querySelectorAll('.card').length,
      weeks: [...document.querySelectorAll('svg.weekly-chart g.week')].map((g) => ({
        week: g.getAttribute('data-week'),
        total: Number(g.getAttribute('data-total')),
        compliant: Number(g.getAttribute('data-compliant')),
        violating: Number(g.getAttribute('data-violating')),
        exempt: Number(g.getAttribute('data-exempt') ?? 0),
        exemptBar: g.querySelectorAll('rect.exempt').length,
        barHeight: [...g.querySelectorAll('rect')].reduce((sum, r) => sum + (r as SVGRectElement).getBoundingClientRect().height, 0),
        value: text(g.querySelector('text.value')),
      })),
      yTicks: [...document.querySelectorAll('svg.weekly-chart text.y-tick')].map((t) => Number(t.textContent)),
      axisTitles: [...document.querySelectorAll('svg.weekly-chart text.axis-title')].map((t) => t.textContent),
      chartWidth: document.querySelector('svg.weekly-chart')?.getBoundingClientRect().width ?? 0,
      caption: text(document.querySelector('figure.chart figcaption')),
      period: text(document.querySelector('#period')),
      headers: (id: string) => id,
      scrollWidth: doc.scrollWidth,
      viewport: window.innerWidth,
      widestRight: Math.max(...[...document.querySelectorAll('table, svg, .cards')].map((el) => el.getBoundingClientRect().right)),
      markup: document.querySelectorAll('body script, body img, body iframe, body [onerror]').length,
      bodyText: document.body.innerText,
    };
  });
}

const tableOf = (page: Page, id: string) =>
  page.$$eval(`#${id} tr`, (trs) => trs.map((tr) => ({ cls: tr.className, cells: [...tr.querySelectorAll('th, td')].map((c) => (c as HTMLElement).innerText) })));

/** Bars are drawn to the same scale: height per model is the same for every week that has one. */
/**
 * Nothing cut at this width (no horizontal scrolling, every table and the chart inside the window),
 * and hostile names are text: shown as typed, no element made, no script run, nothing fetched.
 */
function expectFitsAndInert(seen: Awaited<ReturnType<typeof look>>, opened: Omit<Opened, 'page'>) {
  expect(seen.scrollWidth).toBeLessThanOrEqual(seen.viewport);
  expect(seen.widestRight).toBeLessThanOrEqual(seen.viewport);
  expect(seen.bodyText).toContain(HOSTILE.script);
  expect(seen.bodyText).toContain(HOSTILE.image);
  expect(seen.markup).toBe(0);
  expect(opened.errors).toEqual([]);
  expect(opened.dialogs).toEqual([]);
  expect(opened.requests.filter((url) => !url.startsWith('file://'))).toEqual([]);
}

function expectBarsToScale(weeks: Array<{ total: number; barHeight: number }>) {
  const scales = weeks.filter((w) => w.total > 0).map((w) => w.barHeight / w.total);
  expect(scales.length).toBeGreaterThan(1);
  for (const scale of scales) expect(scale).toBeCloseTo(scales[0]!, 0);
  for (const w of weeks.filter((w) => w.total === 0)) expect(w.barHeight).toBe(0);
}

describe('the audit page in Chromium', () => {
  for (const width of WIDTHS) {
    it(`at ${width} px: KPI cards hold the JSON's values, every week has its bar, violations first, nothing cut, names inert`, async () => {
      const report = await novemberReport();
      const json = JSON.parse(renderAudit(report, 'json')) as AuditReport;
      const { page, errors, requests, dialogs } = await open(renderAudit(report, 'html'), `audit-${width}`, width);
      const seen = await look(page);

      expect(await page.title()).toBe('SageMaker CreateModel audit 2026-11-01 to 2026-11-30');
      expect(seen.period).toContain('2026-11-01 to 2026-11-30');
      // Cards: every KPI of the JSON, with its value.
      expect(Object.keys(seen.cards).sort()).toEqual(Object.keys(json.kpis).sort());
      for (const [key, value] of Object.entries(json.kpis)) expect(seen.cards[key], key).toBe(value === null ? 'n/a' : String(value));
      expect(seen.cards.violations).toBe('3');
      expect(seen.cardsVisible).toBe(12);

      // The chart: every week of November (Mondays 26 Oct to 30 Nov), empty ones drawn as 0.
      expect(seen.weeks.map((w) => w.week)).toEqual(['2026-10-26', '2026-11-02', '2026-11-09', '2026-11-16', '2026-11-23', '2026-11-30']);
      expect(seen.weeks.map((w) => w.week)).toEqual(json.weeks.map((w) => w.week));
      // Exemptions are drawn apart from violations; together they are the JSON's not-isolated count.
      expect(seen.weeks.map((w) => [w.compliant, w.violating + w.exempt])).toEqual(json.weeks.map((w) => [w.compliant, w.violating]));
      expect(seen.weeks.map((w) => w.value)).toEqual(['1', '4', '0', '2', '0', '0']);
      expectBarsToScale(seen.weeks);
      expect(seen.yTicks[0]).toBe(0);
      expect(Math.max(...seen.yTicks)).toBeGreaterThanOrEqual(3);
      expect(seen.axisTitles).toEqual(['Models created', 'Week starting Monday (UTC), 2026']);
      expect(seen.caption).toMatch(/^Models created per week \(successful CreateModel calls\)/);
      expect(seen.chartWidth).toBeGreaterThan(Math.min(width * 0.6, 700));

      // Violations first, readable headers.
      const calls = await tableOf(page, 'calls');
      expect(calls[0]!.cells).toEqual(['Time (UTC)', 'Account', 'Region', 'Model', 'Created by', 'Network isolation', 'Verdict', 'Severity', 'Reasons', 'Fix', 'Remediation']);
      expect(calls.slice(1).map((r) => r.cls)).toEqual(['violation', 'violation', 'violation', 'compliant', 'compliant', 'compliant', 'compliant', 'not-applicable']);
      expect(calls[1]!.cells.slice(0, 4)).toEqual(['2026-11-03 10:00', ACCOUNT_A, 'eu-west-1', HOSTILE.script]);
      expect(calls.find((r) => r.cells[3] === 'churn-v2')!.cells[10]).toBe('deleted after 4 min');
      // Each violation: its severity as a badge, the fix, and (for a model name AWS accepts) the console link.
      expect(calls.slice(1, 4).map((r) => r.cells[7])).toEqual(['high', 'high', 'high']);
      expect(await page.locator('#calls tbody tr.violation td[data-col=severityBadge] .badge.high').count()).toBe(3);
      for (const row of calls.slice(1, 4)) expect(row.cells[9]).toMatch(/^Delete and recreate it; /);
      expect(await page.locator('#calls td[data-col=modelName] a[href^="https://"]').first().getAttribute('href')).toMatch(/^https:\/\/[a-z0-9-]+\.console\.aws\.amazon\.com\/sagemaker\/home\?region=/);

      // Per account and region.
      const places = await tableOf(page, 'breakdown');
      expect(places.slice(1).map((r) => r.cells.slice(0, 7))).toEqual([
        [ACCOUNT_A, 'eu-west-1', '4', '0', '4', '50', '2'],
        [ACCOUNT_B, 'us-east-1', '4', '1', '3', '66.7', '1'],
      ]);

      expectFitsAndInert(seen, { errors, dialogs, requests });

      await page.screenshot({ path: join(SHOTS, `audit-${width}.png`), fullPage: true });
      await page.close();
    });
  }
});

describe('a crafted record cannot push the page wider than the window', () => {
  // (An account id is 12 digits or the record is refused, so only the region and the name can be long.)
  it('at 800 px: a 200-character region and a 300-character name still wrap', async () => {
    const original = novemberAuditRecords()[2]!;
    const crafted = {
      ...original,
      awsRegion: `eu-west-1${'x'.repeat(200)}`,
      eventID: 'crafted',
      requestParameters: { ...(original.requestParameters as Record<string, unknown>), modelName: `m${'w'.repeat(300)}` },
    };
    const from = new Date('2026-11-01T00:00:00Z');
    const to = new Date('2026-12-01T00:00:00Z');
    const collection = await collectAudit(filesOf(gzipRecords([...novemberAuditRecords(), crafted])), { from, to, exemptions: [], now: to });
    const report = buildAuditReport(collection, { from, to, source: 'crafted', generatedAt: to }, null);
    expect(report.calls.some((c) => c.region.length > 200)).toBe(true);
    const { page } = await open(renderAudit(report, 'html'), 'audit-crafted', 800);
    const seen = await look(page);
    expect(seen.scrollWidth).toBeLessThanOrEqual(seen.viewport);
    expect(seen.widestRight).toBeLessThanOrEqual(seen.viewport);
    await page.close();
  });
});

describe('the inventory page in Chromium', () => {
  for (const width of WIDTHS) {
    it(`at ${width} px: KPI cards hold the JSON's values, one bar per week created, per-place breakdown, violations first, nothing cut`, async () => {
      const result = sweepFixture();
      const json = JSON.parse(renderInventory(result, 'json')) as {
        summary: Record<string, number | string[]>;
        weeks: Array<{ week: string; compliant: number; violating: number }>;
      };
      const { page, errors, requests, dialogs } = await open(renderInventory(result, 'html'), `inventory-${width}`, width);
      const seen = await look(page);

      expect(await page.title()).toBe('SageMaker model inventory 2026-11-29');
      expect(seen.cards).toEqual({
        models: String(json.summary.models),
        isolatedShare: String(json.summary.isolatedShare),
        violations: String(json.summary.violations),
        exempt: String(json.summary.exempt),
        fixed: String(json.summary.fixed),
        quarantined: String(json.summary.quarantined),
        regionsFailed: String((json.summary.regionsFailed as string[]).length),
        unreadable: String(json.summary.unreadable),
        effectFailures: String((json.summary.effectFailures as unknown[]).length),
      });
      expect(seen.cards).toMatchObject({ models: '9', violations: '3', exempt: '1', quarantined: '1', regionsFailed: '1', isolatedShare: '55.6' });
      expect(await page.locator('#status').innerText()).toMatch(/could not be read: this inventory is incomplete/);

      // Every week from the oldest model's (21 Sep) to the sweep's (23 Nov), empty ones included.
      expect(seen.weeks).toHaveLength(10);
      expect(seen.weeks.map((w) => w.week)).toEqual(json.weeks.map((w) => w.week));
      expect(seen.weeks[0]!.week).toBe('2026-09-21');
      expect(seen.weeks.at(-1)!.week).toBe('2026-11-23');
      expect(seen.weeks.map((w) => w.total)).toEqual([1, 1, 2, 0, 1, 0, 1, 1, 1, 1]);
      expectBarsToScale(seen.weeks);
      expect(seen.axisTitles).toEqual(['Models', 'Week starting Monday (UTC), 2026']);
      expect(seen.yTicks[0]).toBe(0);

      const models = await tableOf(page, 'models');
      expect(models[0]!.cells).toEqual(['Account', 'Region', 'Model', 'Created (UTC)', 'Network isolation', 'Verdict', 'Severity', 'In quarantine', 'Action', 'Tags that matter', 'Reasons', 'Fix', 'Classification', 'Exception']);
      // Violations first, the critical one first among them, painted apart.
      expect(models.slice(1).map((r) => r.cls)).toEqual(['violation sev-critical', 'violation', 'violation', 'exempt', 'compliant', 'compliant', 'compliant', 'compliant', 'compliant']);
      expect(models[1]!.cells.slice(2, 7)).toEqual([HOSTILE.image, '2026-11-10 10:00', 'off', 'violation', 'critical']);
      const badge = page.locator('#models tbody tr').first().locator('td[data-col=severityBadge] .badge.critical');
      expect(await badge.count()).toBe(1);
      expect(await badge.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgb(139, 0, 0)');
      expect(models.find((r) => r.cells[2]!.startsWith('legacy-embeddings'))!.cells.slice(7, 9)).toEqual(['yes', 'quarantined']);
      expect(models.find((r) => r.cells[2]!.startsWith('legacy-embeddings'))!.cells[11]).toMatch(/^Delete and recreate it; Call CreateModel with EnableNetworkIsolation=true\.$/);
      expect(await page.locator('#models td[data-col=modelName] a').filter({ hasText: 'legacy-embeddings' }).getAttribute('href')).toBe(
        'https://eu-west-1.console.aws.amazon.com/sagemaker/home?region=eu-west-1#/models/legacy-embeddings-with-a-rather-long-model-name-v17',
      );
      // The exempt model has its own colour in the chart, apart from the violations.
      expect(seen.weeks.map((w) => w.exempt)).toEqual([0, 0, 0, 0, 0, 0, 1, 0, 0, 0]);
      expect(seen.weeks.map((w) => w.exemptBar)).toEqual([0, 0, 0, 0, 0, 0, 1, 0, 0, 0]);
      const fills = await page.$$eval('svg.weekly-chart .bars rect', (rects) => [...new Set(rects.map((r) => `${r.getAttribute('class')} ${getComputedStyle(r).fill}`))].sort());
      expect(fills).toEqual(['compliant rgb(46, 125, 50)', 'exempt rgb(224, 168, 0)', 'violating rgb(198, 40, 40)']);

      // Every account and region swept, the one that failed first and named.
      const places = await tableOf(page, 'breakdown');
      expect(places.slice(1).map((r) => [r.cells[0], r.cells[1], r.cells[2], r.cells[5]])).toEqual([
        [ACCOUNT_B, 'eu-west-1', '-', '-'],
        [ACCOUNT_A, 'eu-west-1', '4', '2'],
        [ACCOUNT_B, 'us-east-1', '3', '1'],
        [ACCOUNT_A, 'us-east-1', '2', '0'],
      ]);
      expect(places[1]!.cells.at(-1)).toMatch(/^FAILED: AccessDenied/);

      expectFitsAndInert(seen, { errors, dialogs, requests });

      await page.screenshot({ path: join(SHOTS, `inventory-${width}.png`), fullPage: true });
      await page.close();
    });
  }
});

describe('working in the page: sort and filter with its own script, the CSP unchanged otherwise', () => {
  it('sorts on a header click, filters by verdict and text, runs no other script, fetches nothing', async () => {
    const html = renderInventory(sweepFixture(), 'html');
    // The only script allowed is the page's own, by its hash: no 'unsafe-inline', no source to fetch from.
    const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)![1]!;
    expect(csp).toMatch(/^default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-[A-Za-z0-9+/]+=*'$/);
    const opened = await open(html, 'inventory-working', 1280);
    const { page } = opened;
    const consoleErrors: string[] = [];
    page.on('console', (message) => void (message.type() === 'error' && consoleErrors.push(message.text())));
    const names = () => page.$$eval('#models tbody tr:not([hidden]) td[data-col=modelName]', (cells) => cells.map((c) => c.textContent));
    const before = await names();
    await page.click('#models th[data-col=modelName]');
    const ascending = await names();
    expect(ascending).toEqual([...before].sort((a, b) => a!.localeCompare(b!, undefined, { numeric: true })));
    expect(await page.getAttribute('#models th[data-col=modelName]', 'aria-sort')).toBe('ascending');
    await page.click('#models th[data-col=modelName]');
    expect(await names()).toEqual([...ascending].reverse());
    // Severity sorts critical first, not alphabetically.
    await page.click('#models th[data-col=severityBadge]');
    expect((await page.$$eval('#models tbody tr td[data-col=severityBadge]', (cells) => cells.map((c) => c.textContent))).slice(0, 4)).toEqual(['critical', 'high', 'high', 'low']);
    // Filters: by verdict, by account, and by any text.
    await page.selectOption('.filters[data-for=models] select[data-col=verdict]', 'violation');
    expect(await names()).toHaveLength(3);
    expect(await page.innerText('.filters[data-for=models] .shown')).toBe('3 of 9 rows');
    await page.selectOption('.filters[data-for=models] select[data-col=account]', ACCOUNT_B);
    expect(await names()).toEqual([HOSTILE.image]);
    await page.selectOption('.filters[data-for=models] select[data-col=verdict]', '');
    await page.selectOption('.filters[data-for=models] select[data-col=account]', '');
    await page.fill('.filters[data-for=models] input[type=search]', 'legacy');
    expect(await names()).toEqual(['legacy-embeddings-with-a-rather-long-model-name-v17']);
    expect(consoleErrors).toEqual([]);
    expect(opened.errors).toEqual([]);
    expect(opened.requests.filter((url) => !url.startsWith('file://'))).toEqual([]);
    await page.close();
  });

  it('the audit says who creates models without isolation', async () => {
    const { page } = await open(renderAudit(await novemberReport(), 'html'), 'audit-who', 1280);
    const who = await tableOf(page, 'by-principal');
    expect(who[0]!.cells).toEqual(['Principal (role or user)', 'Account', 'CreateModel calls', 'Models created', 'Isolated %', 'Violations', 'Exempt']);
    expect(Number(who[1]!.cells[5])).toBeGreaterThan(0);
    await page.close();
  });
});
