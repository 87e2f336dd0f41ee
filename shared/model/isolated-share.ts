/**
 * The isolated share: the percent of models with network isolation, one decimal. The one
 * computation behind every report (the inventory's summary and rows, the audit's KPI, weeks and
 * rows, the shares per classification and for production).
 *
 * An empty set has no share: null, shown as `n/a`, never 100% (a sweep that read nothing, a week or
 * a period in which no model was created, must not read as "all isolated"; README "Failure modes": "a sweep that read nothing shows no isolated share, never 100%").
 */
export const isolatedShare = (isolated: number, total: number): number | null => (total === 0 ? null : Math.round((isolated / total) * 1000) / 10);
