import { createHash } from 'node:crypto';
import { htmlText } from './cells.js';
import { TABLE_SCRIPT } from './table-script.js';

/**
 * The one HTML shell of every report: a self-contained page (no network: a Content-Security-Policy
 * forbids fetching anything, and runs no script but the page's own, named by its hash), one
 * stylesheet for screen and paper, KPI cards and sections.
 * Everything passed in as text is escaped here; only the `body` and section contents are markup.
 */

/**
 * A wide table on a narrow screen: each row a card of label and value (nothing cut, names wrap at
 * their width), the headers a row of sort buttons above.
 */
const STACKED = (t: string) =>
  `${t},${t} tbody,${t} tr,${t} td{display:block;width:100%}` +
  `${t} thead,${t} thead tr{display:flex;flex-wrap:wrap;gap:4px}${t} thead{margin-bottom:6px}${t} thead th{border-radius:4px;font-size:11.5px;padding:2px 6px}` +
  `${t} tr{border:1px solid var(--line);border-radius:6px;margin:0 0 8px}` +
  `${t} td{border:0;border-bottom:1px solid #eef0f2;display:grid;grid-template-columns:9.5em minmax(0,1fr);gap:8px;min-width:0;white-space:normal;overflow-wrap:anywhere;text-align:left}` +
  `${t} td::before{content:attr(data-label);font-weight:600;color:var(--muted)}${t} td>.badge{justify-self:start}`;

const STYLE = `:root{--ink:#1f2328;--muted:#59636e;--line:#d0d7de;--bad:#b71c1c;--bad-bg:#fdecea;--warn-bg:#fff5d6;--good:#1b5e20;--good-bg:#e8f5e9}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","DejaVu Sans",sans-serif;margin:0 auto;padding:24px;max-width:1240px;color:var(--ink);background:#fff}
h1{font-size:22px;margin:0 0 2px}
.subtitle{font-size:16px;margin:0 0 6px}
.meta{color:var(--muted);font-size:12.5px;margin:2px 0}
header,.status,.problems,.note,.card{overflow-wrap:anywhere}
.status{padding:10px 14px;border-radius:6px;font-weight:600;margin:16px 0}
.status.bad{background:var(--bad-bg);color:var(--bad)}
.status.good{background:var(--good-bg);color:var(--good)}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(160px,1fr));gap:10px;margin:16px 0}
.card{border:1px solid var(--line);border-radius:8px;padding:10px 12px;break-inside:avoid}
.card .label{font-size:12px;color:var(--muted)}
.card .figure{font-size:26px;font-weight:650;line-height:1.2}
.card .unit{font-size:14px;color:var(--muted);margin-left:2px;font-weight:400}
.card .detail{font-size:12px;color:var(--muted)}
.card.bad{border-color:#f1b3ae;background:var(--bad-bg)}
.card.bad .figure{color:var(--bad)}
.card.good .figure{color:var(--good)}
h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px;break-after:avoid}
figure{margin:0}
figcaption{color:var(--muted);margin-bottom:4px}
svg.weekly-chart{width:100%;max-width:960px;height:auto;display:block}
svg text{font-size:11px;fill:#3d444d}
svg .axis{stroke:#57606a}
svg .grid{stroke:#e6e9ec}
svg .axis-title{font-size:12px}
svg text.value{font-weight:600}
rect.compliant{fill:#2e7d32}
rect.violating{fill:#c62828}
table{border-collapse:collapse;width:100%;margin:6px 0 16px;font-size:13px}
th,td{border:1px solid var(--line);padding:4px 6px;text-align:left;vertical-align:top}
td{overflow-wrap:break-word}
td.keep{white-space:nowrap}
td.anywhere,td.prose{overflow-wrap:anywhere}
td.prose{min-width:12em}
td.anywhere{min-width:6em}
@media (min-width:1000px){td.keep-wide{white-space:nowrap}}
caption{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%)}
th{background:#f3f5f7;font-weight:600}
.num{text-align:right}
td.num{white-space:nowrap}
tr.violation td{background:var(--bad-bg)}
tr.exempt td{background:var(--warn-bg)}
tr.sev-critical td{background:#f9d3d0}
.badge{display:inline-block;padding:0 6px;border-radius:9px;font-size:11.5px;font-weight:650;line-height:18px;white-space:nowrap;color:#fff}
.badge.critical{background:#8b0000}
.badge.high{background:#c62828}
.badge.medium{background:#b26a00}
.badge.low{background:#2e7d32}
rect.exempt{fill:#e0a800}
th[aria-sort]{cursor:pointer}
th[aria-sort=ascending]::after{content:" \\25B2";font-size:9px}
th[aria-sort=descending]::after{content:" \\25BC";font-size:9px}
.filters{display:flex;flex-wrap:wrap;gap:6px;margin:4px 0;align-items:center;font-size:12.5px}
.filters input,.filters select{font:inherit;padding:2px 4px;max-width:100%}
.filters .shown{color:var(--muted)}
td a{color:inherit}
.note,.empty{color:var(--muted);font-size:12.5px}
ul.problems{color:var(--bad)}
footer{margin-top:24px;color:var(--muted);font-size:12px}
@media (max-width:900px){body{padding:16px 12px}table{font-size:12px}th,td{padding:3px 4px}td.anywhere{min-width:4em}}
@media (max-width:700px){body{padding:12px}td.keep{white-space:normal}td{overflow-wrap:anywhere}td.prose,td.anywhere{min-width:0}}
@media screen and (max-width:960px){${STACKED('table.stack')}}
@media screen and (max-width:1400px){${STACKED('table.wide')}}
@media print{
td.keep-wide{white-space:nowrap}
.filters{display:none}
th[aria-sort]::after{content:none}
h2{break-inside:avoid}
h2::after{content:"";display:block;height:120px;margin-bottom:-120px}
*{print-color-adjust:exact;-webkit-print-color-adjust:exact}
body{padding:0;max-width:none;font-size:11px}
table{font-size:10.5px}
table.wide{font-size:9px}
table.wide th,table.wide td{padding:2px 3px}
table.wide td.prose{min-width:9em}
table.wide td.anywhere{min-width:8em}
.badge{font-size:9px;line-height:13px;padding:0 4px}
svg.weekly-chart{max-width:600px}
.card{padding:6px 10px}
.card .figure{font-size:20px}
.status{padding:6px 10px;margin:10px 0}
h2{margin-top:14px}
.cards{grid-template-columns:repeat(5,1fr);gap:6px;margin:10px 0}
tr,figure,.card,.status,section.together{break-inside:avoid}
thead{display:table-header-group}
}`;

/**
 * The printed page: A4 landscape, a running header (the report and its period) and `Page N of M`
 * in the margins (CSS page-margin boxes: Chromium prints them with --print-to-pdf). The header is
 * a CSS string: every character outside a plain set is written as an escape, so no text can end it.
 */
const pageRule = (header: string) => {
  const css = header.replace(/[^A-Za-z0-9 .,:()\-]/g, (c) => `\\${c.codePointAt(0)!.toString(16)} `);
  return `@page{size:A4 landscape;margin:14mm 12mm 12mm;@top-left{content:"${css}";font:9px system-ui,sans-serif;color:#59636e}@bottom-right{content:"Page " counter(page) " of " counter(pages);font:9px system-ui,sans-serif;color:#59636e}}`;
};

/** The page's script (sorting and filtering the tables) and its hash, which the CSP names: no other script runs. */
const SCRIPT_HASH = `sha256-${createHash('sha256').update(TABLE_SCRIPT).digest('base64')}`;

/** One KPI: its key (the report JSON's name), what people read, the value, and how it reads. */
export interface KpiCard {
  key: string;
  label: string;
  value: number | null;
  unit?: string;
  /** `bad` turns the card red (a violation to act on), `good` green. */
  tone?: 'bad' | 'good' | 'neutral';
  detail?: string;
}

export const kpiValueText = (value: number | null): string => (value === null ? 'n/a' : String(value));

/** KPI cards; each value is in `[data-kpi=KEY]` exactly as the JSON has it (`n/a` for null). */
export function kpiCards(cards: readonly KpiCard[]): string {
  const card = (c: KpiCard) =>
    `<div class="card${c.tone && c.tone !== 'neutral' ? ` ${c.tone}` : ''}"><div class="label">${htmlText(c.label)}</div><div class="figure"><span data-kpi="${htmlText(c.key)}">${htmlText(kpiValueText(c.value))}</span>${c.unit && c.value !== null ? `<span class="unit">${htmlText(c.unit)}</span>` : ''}</div>${c.detail ? `<div class="detail">${htmlText(c.detail)}</div>` : ''}</div>`;
  return `<div class="cards" id="kpis">${cards.map(card).join('')}</div>`;
}

/**
 * A titled section; `content` is markup made by the report helpers. `together`: kept on one printed
 * page with its title (a chart, a short table), unless it is longer than a page.
 */
export const section = (id: string, title: string, content: string, options: { together?: boolean } = {}): string =>
  `<section id="${htmlText(id)}"${options.together ? ' class="together"' : ''}><h2>${htmlText(title)}</h2>\n${content}\n</section>`;

/** A line that says at a glance whether the evidence is clean. */
export const statusLine = (tone: 'bad' | 'good', text: string): string => `<p class="status ${tone}" id="status">${htmlText(text)}</p>`;

export interface HtmlPage {
  /** The document title (tab, PDF title, file name of a print). */
  title: string;
  heading: string;
  subtitle: string;
  /** Lines of context under the heading, as text. */
  meta: readonly string[];
  /** The page's content: markup made by kpiCards, section, tableHtml, weeklyChart. */
  body: string;
  footer: string;
}

export function htmlPage(page: HtmlPage): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${htmlText(page.title)}</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src '${SCRIPT_HASH}'">
<style>${STYLE}
${pageRule(page.title)}</style>
<script>${TABLE_SCRIPT}</script>
</head><body>
<header><h1>${htmlText(page.heading)}</h1><p class="subtitle" id="period">${htmlText(page.subtitle)}</p>
${page.meta.map((line) => `<p class="meta">${htmlText(line)}</p>`).join('\n')}</header>
<main>
${page.body}
</main>
<footer>${htmlText(page.footer)}</footer>
</body></html>
`;
}
