import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { findChromium, htmlToPdf } from '../../cli/pdf.js';
import { renderInventory } from '../../shared/reports/inventory-report.js';
import { gzipRecords } from '../support/archive-generator.js';
import { runCliInProcess } from '../support/cli.js';
import { HOSTILE, novemberAuditRecords, sweepFixture } from '../support/report-fixtures.js';

/** The text of a PDF in its content order, as poppler's pdftotext reads it (installed with chromium by scripts/ensure-chromium.mjs). */
function pdfText(path: string): string {
  const result = spawnSync('pdftotext', ['-raw', path, '-'], { encoding: 'utf8' });
  if (result.error) throw new Error(`pdftotext is needed to read the PDF (apt-get install poppler-utils): ${result.error.message}`);
  expect(result.status).toBe(0);
  return result.stdout;
}

const squeeze = (text: string) => text.replace(/\s+/g, ' ');

let dir: string;
let source: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'report-pdf-'));
  source = join(dir, 'cloudtrail');
  spawnSync('mkdir', ['-p', source]);
  writeFileSync(join(source, '111122223333_CloudTrail_eu-west-1_20261130T0000Z_a.json.gz'), gzipRecords(novemberAuditRecords()));
});

// Run in-process: what audit and sweep decide about a PDF from flags and the environment given
// (the bundle's audit and sweep run as built in audit.unit and readme-aws.e2e).
const NOVEMBER = ['audit', '--from', '2026-11-01', '--to', '2026-11-30', '--offline'];

describe('--format pdf', () => {
  it('audit prints the HTML page to a real PDF whose text holds the period, the KPIs and the hostile names as text', async () => {
    const out = join(dir, 'audit.pdf');
    const pdf = await runCliInProcess([...NOVEMBER, '--source', source, '--format', 'pdf', '--out', out]);
    expect(pdf.stderr).not.toMatch(/internal error|at .*\.mjs|\n\s+at /);
    expect(pdf.code).toBe(1); // violations in the period
    const bytes = readFileSync(out);
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(bytes.subarray(-1024).toString('latin1')).toContain('%%EOF');

    const json = await runCliInProcess([...NOVEMBER, '--source', source, '--format', 'json']);
    const kpis = JSON.parse(json.stdout).kpis as Record<string, number | null>;
    const text = squeeze(pdfText(out));
    expect(text).toContain('SageMaker network isolation audit');
    expect(text).toContain('2026-11-01 to 2026-11-30');
    for (const [label, key] of [
      ['Models created', 'modelsCreated'],
      ['Violations', 'violations'],
      ['Exemptions used', 'exemptionsUsed'],
      ['CreateModel calls', 'createModelCalls'],
      ['Failed calls', 'failedCalls'],
    ] as const) {
      expect(text, label).toMatch(new RegExp(`${label} ${kpis[key]}\\b`));
    }
    expect(text).toMatch(new RegExp(`Isolated ${String(kpis.isolatedShare).replace('.', '\\.')} ?%`));
    expect(text).toContain('Week starting Monday (UTC)');
    // The name may wrap across lines in its narrow column: compare without the line breaks.
    expect(text.replace(/\s/g, '')).toContain(HOSTILE.script);
  }, 60_000);

  it('the inventory prints the same way: cards, chart and tables on paper', async () => {
    const out = join(dir, 'inventory.pdf');
    await htmlToPdf(renderInventory(sweepFixture(), 'html'), out, { chromium: findChromium() });
    const text = squeeze(pdfText(out));
    expect(text).toContain('SageMaker model inventory: network isolation');
    expect(text).toMatch(/Models today 9\b/);
    expect(text).toMatch(/Violations found \(incomplete\) 3\b/);
    expect(text).toMatch(/Regions not read 1\b/);
    expect(text).toContain('Every model, violations first');
    // Names may wrap in their column: compare without the line breaks.
    expect(text.replace(/\s/g, '')).toContain(HOSTILE.image.replace(/\s/g, ''));
    expect(text.replace(/\s/g, '')).toContain('legacy-embeddings-with-a-rather-long-model-name-v17');
  }, 60_000);

  it('numbers the pages, with a running header on each, and leaves no section heading at the foot of a page', async () => {
    const headings = ['Models by week created', 'Per account and region', 'Every model, violations first'];
    // Longer and longer inventories move the headings down the pages.
    for (const extra of [0, 3, 6, 9, 12]) {
      const fixture = sweepFixture();
      const fillers = Array.from({ length: extra }, (_, i) => ({ ...fixture.models[0]!, modelName: `filler-${i}`, modelArn: `${fixture.models[0]!.modelArn}-${i}` }));
      const out = join(dir, `inventory-${extra}.pdf`);
      await htmlToPdf(renderInventory({ ...fixture, models: [...fillers, ...fixture.models] }, 'html'), out, { chromium: findChromium() });
      const pages = pdfText(out).split('\f').filter((page) => page.trim() !== '');
      expect(pages.length, `${extra} more models`).toBeGreaterThan(1);
      pages.forEach((page, index) => {
        const lines = page.split('\n').map((line) => line.trim()).filter(Boolean);
        expect(lines[0], `page ${index + 1}`).toBe('SageMaker model inventory 2026-11-29');
        expect(lines, `page ${index + 1}`).toContain(`Page ${index + 1} of ${pages.length}`);
        const body = lines.filter((line) => !/^Page \d+ of \d+$/.test(line));
        expect(headings, `page ${index + 1} of the inventory with ${extra} more models ends with a heading`).not.toContain(body.at(-1));
      });
    }
  }, 120_000);

  it('without a browser: exit 2 and one sentence naming what to install, before any work is done', async () => {
    const out = join(dir, 'never.pdf');
    const given = await runCliInProcess([...NOVEMBER, '--source', source, '--format', 'pdf', '--out', out], { env: { CHROMIUM_PATH: '/nonexistent/chromium' } });
    expect(given.code).toBe(2);
    expect(given.stderr).toContain('CHROMIUM_PATH=/nonexistent/chromium is not an executable');
    expect(given.stderr).toContain('sudo apt-get install chromium');

    const none = await runCliInProcess([...NOVEMBER, '--source', source, '--format', 'pdf', '--out', out], { env: { CHROMIUM_PATH: '', PATH: '/nonexistent' } });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/--format pdf needs a Chromium-based browser .* none was found/);
    expect(none.stderr).toContain('install Chromium or Google Chrome');
    expect(none.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(existsSync(out)).toBe(false);
  });

  it('a PDF needs --out (it is not terminal text): exit 2 naming the flag', async () => {
    const result = await runCliInProcess([...NOVEMBER, '--source', source, '--format', 'pdf']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--format pdf writes a file: give --out FILE.pdf');
  });

  it('sweep checks the same before it lists, changes or alerts anything', async () => {
    // An endpoint that answers nothing: reaching AWS would fail differently.
    const offline = { AWS_ENDPOINT_URL: 'http://127.0.0.1:9', AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'x', AWS_MAX_ATTEMPTS: '1' };
    const noOut = await runCliInProcess(['sweep', '--regions', 'eu-west-1', '--format', 'pdf'], { env: offline });
    expect(noOut.code).toBe(2);
    expect(noOut.stderr).toContain('--format pdf writes a file: give --out FILE.pdf');
    const noBrowser = await runCliInProcess(['sweep', '--regions', 'eu-west-1', '--format', 'pdf', '--out', join(dir, 'sweep.pdf')], { env: { ...offline, CHROMIUM_PATH: '/nonexistent/chromium' } });
    expect(noBrowser.code).toBe(2);
    expect(noBrowser.stderr).toContain('CHROMIUM_PATH=/nonexistent/chromium is not an executable');
    expect(noBrowser.stderr).not.toMatch(/ListModels|ECONNREFUSED|could not be read/);
  });

  it('--format names pdf among its choices when given something else', async () => {
    const result = await runCliInProcess([...NOVEMBER, '--source', source, '--format', 'docx']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--format: expected one of json, csv, md, html, pdf, got "docx"');
  });
});
