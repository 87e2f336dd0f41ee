import { htmlText } from './cells.js';

/** One week of a chart: its Monday and how many of each kind. */
export interface WeekBar {
  week: string;
  compliant: number;
  /** Not isolated and no exemption applies. */
  violating: number;
  /** Not isolated under an exemption: drawn apart from the violations (absent: counted in `violating`). */
  exempt?: number;
}

export interface WeeklyChartOptions {
  id: string;
  /** The caption above the chart, saying what a bar counts. */
  title: string;
  /** What the y axis counts, plural: `models created`, `models`. */
  counts: string;
  compliantLabel: string;
  violatingLabel: string;
  /** The exempt series' legend; the series is drawn when the weeks carry `exempt`. */
  exemptLabel?: string;
  /** A line under the chart (what is left out, where the numbers come from). */
  note?: string;
}

const WIDTH = 760;
const HEIGHT = 300;
const MARGIN = { left: 56, right: 16, top: 40, bottom: 58 };

/** A round step for about four gridlines: 1, 2, 5, 10, 20, 50... */
function tickStep(max: number): number {
  const rough = Math.max(1, max / 4);
  const power = 10 ** Math.floor(Math.log10(rough));
  return [1, 2, 5, 10].map((m) => m * power).find((step) => step >= rough) ?? 10 * power;
}

const f1 = (n: number) => n.toFixed(1);

/**
 * Weekly stacked bars (compliant below, violating above, exempt on top in a colour of its own) as inline SVG: a y axis with its values,
 * a bar slot for every week given (empty weeks show 0), the count above each bar when it fits,
 * the weeks' Mondays on the x axis. Pure: the same weeks give the same picture.
 */
export function weeklyChart(weeks: readonly WeekBar[], options: WeeklyChartOptions): string {
  const id = htmlText(options.id);
  if (weeks.length === 0) return `<figure class="chart" id="${id}"><figcaption>${htmlText(options.title)}</figcaption><p class="empty">No week in the period.</p></figure>`;
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const baseline = MARGIN.top + plotHeight;
  const max = Math.max(0, ...weeks.map((w) => w.compliant + w.violating + (w.exempt ?? 0)));
  const withExempt = weeks.some((w) => w.exempt !== undefined);
  const step = tickStep(max);
  const top = Math.max(step, Math.ceil(max / step) * step);
  const y = (n: number) => baseline - (n / top) * plotHeight;
  const slot = plotWidth / weeks.length;
  const bar = Math.max(1, Math.min(slot * 0.7, 44));
  const showValues = slot >= 16;
  // Within one year a tick reads `11-02`; across years `2025-11`, so no tick is ambiguous.
  const multiYear = weeks[0]!.week.slice(0, 4) !== weeks[weeks.length - 1]!.week.slice(0, 4);
  const labelEvery = Math.ceil((multiYear ? 60 : 44) / slot);
  const tick = (week: string) => (multiYear ? week.slice(0, 7) : week.slice(5));

  const grid: string[] = [];
  for (let value = 0; value <= top; value += step) {
    grid.push(
      `<line class="grid" x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${f1(y(value))}" y2="${f1(y(value))}"/><text class="tick y-tick" x="${MARGIN.left - 6}" y="${f1(y(value) + 4)}" text-anchor="end">${value}</text>`,
    );
  }
  const bars = weeks.map((w, i) => {
    const exempt = w.exempt ?? 0;
    const total = w.compliant + w.violating + exempt;
    const x = MARGIN.left + i * slot + (slot - bar) / 2;
    const centre = f1(MARGIN.left + i * slot + slot / 2);
    const week = htmlText(w.week);
    const rect = (cls: string, from: number, count: number) =>
      count > 0 ? `<rect class="${cls}" x="${f1(x)}" y="${f1(y(from + count))}" width="${f1(bar)}" height="${f1(y(from) - y(from + count))}"/>` : '';
    const value = showValues ? `<text class="value" x="${centre}" y="${f1(y(total) - 4)}" text-anchor="middle">${total}</text>` : '';
    const label = i % labelEvery === 0 ? `<text class="tick x-tick" x="${centre}" y="${baseline + 16}" text-anchor="middle">${tick(week)}</text>` : '';
    const exemptTitle = withExempt ? `, ${exempt} ${htmlText(options.exemptLabel ?? 'exempt')}` : '';
    return `<g class="week" data-week="${week}" data-compliant="${w.compliant}" data-violating="${w.violating}"${withExempt ? ` data-exempt="${exempt}"` : ''} data-total="${total}"><title>Week of ${week}: ${total} ${htmlText(options.counts)} (${w.compliant} ${htmlText(options.compliantLabel)}, ${w.violating} ${htmlText(options.violatingLabel)}${exemptTitle})</title>${rect('compliant', 0, w.compliant)}${rect('violating', w.compliant, w.violating)}${rect('exempt', w.compliant + w.violating, exempt)}${value}${label}</g>`;
  });
  const years = [...new Set([weeks[0]!.week.slice(0, 4), weeks[weeks.length - 1]!.week.slice(0, 4)])].join(' to ');
  const countsTitle = options.counts.charAt(0).toUpperCase() + options.counts.slice(1);
  return `<figure class="chart" id="${id}"><figcaption>${htmlText(options.title)}</figcaption>
<svg class="weekly-chart" role="img" aria-label="${htmlText(options.title)}" viewBox="0 0 ${WIDTH} ${HEIGHT}" preserveAspectRatio="xMinYMin meet">
<g class="legend"><rect class="compliant" x="${MARGIN.left}" y="10" width="12" height="12"/><text x="${MARGIN.left + 18}" y="20">${htmlText(options.compliantLabel)}</text><rect class="violating" x="${MARGIN.left + 150}" y="10" width="12" height="12"/><text x="${MARGIN.left + 168}" y="20">${htmlText(options.violatingLabel)}</text>${withExempt ? `<rect class="exempt" x="${MARGIN.left + 300}" y="10" width="12" height="12"/><text x="${MARGIN.left + 318}" y="20">${htmlText(options.exemptLabel ?? 'exempt')}</text>` : ''}</g>
<g class="y-axis">${grid.join('')}<line class="axis" x1="${MARGIN.left}" x2="${MARGIN.left}" y1="${MARGIN.top}" y2="${baseline}"/><text class="axis-title" transform="translate(14 ${f1(MARGIN.top + plotHeight / 2)}) rotate(-90)" text-anchor="middle">${htmlText(countsTitle)}</text></g>
<g class="bars">${bars.join('')}</g>
<g class="x-axis"><line class="axis" x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${baseline}" y2="${baseline}"/><text class="axis-title" x="${f1(MARGIN.left + plotWidth / 2)}" y="${HEIGHT - 10}" text-anchor="middle">Week starting Monday (UTC), ${htmlText(years)}</text></g>
</svg>${options.note ? `<p class="note">${htmlText(options.note)}</p>` : ''}</figure>`;
}
