import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAuditReport } from '../../shared/audit/audit-report.js';
import { collectAudit } from '../../shared/audit/collect.js';
import { renderAudit } from '../../shared/audit/render-audit.js';
import type { ArchiveFile } from '../../shared/audit/sources.js';
import { createModelRecord, gzipRecords, remediationRecord } from '../support/archive-generator.js';
import { launchChromium } from '../support/chromium.js';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => browser?.close());

async function* filesOf(...bodies: Buffer[]): AsyncGenerator<ArchiveFile> {
  for (const [i, body] of bodies.entries()) yield { name: `f${i}`, read: async () => body };
}

describe('the HTML audit report in headless Chromium', () => {
  it('renders offline, shows the weekly chart, and its numbers match the JSON report', async () => {
    const account = '111122223333';
    const calls = [
      createModelRecord({ account, region: 'eu-west-1', time: '2026-10-05T10:00:00Z', modelName: 'a', isolation: true }),
      createModelRecord({ account, region: 'eu-west-1', time: '2026-10-06T10:00:00Z', modelName: 'x<script>alert(1)</script>' }),
      createModelRecord({ account, region: 'eu-west-1', time: '2026-10-14T10:00:00Z', modelName: 'c', isolation: false }),
      remediationRecord('deleted', { account, region: 'eu-west-1', time: '2026-10-14T10:04:00Z', modelName: 'c' }),
      createModelRecord({ account, region: 'eu-west-1', time: '2026-10-21T10:00:00Z', modelName: 'd', isolation: true }),
    ];
    const from = new Date('2026-10-01T00:00:00Z');
    const to = new Date('2026-11-01T00:00:00Z');
    const collection = await collectAudit(filesOf(gzipRecords(calls)), { from, to, exemptions: [], now: new Date() });
    const report = buildAuditReport(collection, { from, to, source: 'test', generatedAt: new Date('2026-11-22T00:00:00Z') }, null);
    const path = join(mkdtempSync(join(tmpdir(), 'audit-html-')), 'report.html');
    writeFileSync(path, renderAudit(report, 'html'));

    const page = await browser.newPage();
    const requests: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`file://${path}`);

    expect(await page.title()).toBe('SageMaker CreateModel audit 2026-10-01 to 2026-11-01');
    const kpis = await page.$$eval('[data-kpi]', (cells) => Object.fromEntries(cells.map((c) => [c.getAttribute('data-kpi'), c.textContent])));
    for (const [key, value] of Object.entries(report.kpis)) expect(kpis[key], key).toBe(value === null ? 'n/a' : String(value));
    expect(kpis.violations).toBe('2');

    const chart = page.locator('#weekly-chart');
    expect(await chart.isVisible()).toBe(true);
    const box = await chart.boundingBox();
    expect(box!.width).toBeGreaterThan(300);
    const weeks = await page.$$eval('#weekly-chart g[data-week]', (groups) =>
      groups.map((g) => ({ week: g.getAttribute('data-week'), bars: Array.from(g.querySelectorAll('rect')).map((r) => Number(r.getAttribute('height')) > 0) })),
    );
    expect(weeks.map((w) => w.week)).toEqual(report.weeks.map((w) => w.week));
    expect(await page.locator('#weekly-chart polyline.share').count()).toBe(1);

    const rows = await page.$$eval('#calls tbody tr', (trs) => trs.map((tr) => tr.querySelectorAll('td')[3]!.textContent));
    expect(rows).toEqual(report.calls.map((c) => c.modelName));
    // The hostile model name is text, not markup: no script ran, nothing was fetched.
    expect(errors).toEqual([]);
    expect(await page.locator('#calls script').count()).toBe(0);
    expect(requests.filter((url) => !url.startsWith('file://'))).toEqual([]);

    await page.screenshot({ path: join(tmpdir(), 'audit-report.png'), fullPage: true });
    await page.close();
  });
});
