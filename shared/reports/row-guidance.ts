import { consoleLink, fixFor, IMMUTABLE, type CreatingTool } from '../alerts/alert-text.js';
import type { Verdict } from '../model/decision.js';
import { SEVERITIES, type Severity } from '../model/severity.js';
import { htmlText } from './cells.js';
import type { Column } from './table.js';

/**
 * What a reader of a report row needs to act: the severity as a coloured badge, the fix in the
 * words of the tool that made the model, and the model's page in the console. Shared by the audit
 * and the inventory; every value from an event or a model is escaped.
 */

/** A severity matters for a model that runs without isolation: a violation, or an exemption used. */
const rated = (verdict: Verdict) => verdict === 'violation' || verdict === 'exempt';

/** `0` for critical ... `3` for low, `9` for a row without one: sorts critical first. */
export const severityRank = (verdict: Verdict, severity: Severity | null | undefined): string =>
  rated(verdict) && severity ? String(SEVERITIES.indexOf(severity)) : '9';

/** The Severity column people read (CSV and JSON keep theirs): a coloured badge, critical first when sorted. */
export function severityColumn<Row>(of: (row: Row) => { verdict: Verdict; severity: Severity | null | undefined }): Column<Row> {
  const text = (row: Row) => {
    const { verdict, severity } = of(row);
    return rated(verdict) && severity ? severity : '-';
  };
  return {
    key: 'severityBadge',
    header: 'Severity',
    value: text,
    text,
    audience: 'human',
    wrap: 'keep',
    filter: true,
    sortKey: (row) => severityRank(of(row).verdict, of(row).severity),
    html: (row) => (text(row) === '-' ? '-' : `<span class="badge ${htmlText(text(row))}">${htmlText(text(row))}</span>`),
  };
}

/** The tool that made a model, from what a report row knows: IaC tags, or the principal's name. */
export function toolOf(hints: { tags?: Record<string, string>; principal?: string | null }): CreatingTool {
  const tags = Object.entries(hints.tags ?? {});
  if (tags.some(([key]) => key.startsWith('aws:cloudformation:'))) return 'cloudformation';
  if (tags.some(([key, value]) => /terraform/i.test(key) || /terraform/i.test(value))) return 'terraform';
  const principal = hints.principal ?? '';
  if (/terraform/i.test(principal)) return 'terraform';
  if (/cloudformation|cdk-/i.test(principal)) return 'cloudformation';
  return 'unknown';
}

/** The Fix column: for a model without isolation, the setting in its tool's words (then delete and recreate). */
export function fixColumn<Row>(of: (row: Row) => { verdict: Verdict; tool: CreatingTool }): Column<Row> {
  const text = (row: Row) => {
    const { verdict, tool } = of(row);
    return rated(verdict) ? `Delete and recreate it; ${fixFor(tool).slice(0, -IMMUTABLE.length).trim().replace(/`/g, '')}` : '-';
  };
  return { key: 'fix', header: 'Fix', value: text, text, audience: 'human', wrap: 'prose' };
}

/** A model name cell that links to the model's page in the console (when the region and name are AWS's). */
export const modelLinkHtml = (name: string | null, region: string): string => {
  const link = consoleLink(region, name);
  return link && name ? `<a href="${htmlText(link)}" rel="noreferrer">${htmlText(name)}</a>` : htmlText(name ?? '-');
};
