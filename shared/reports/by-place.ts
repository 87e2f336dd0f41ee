import type { Verdict } from '../model/decision.js';

/** Violations first, then exemptions, then the compliant, then what does not apply: how auditors read. */
export const VERDICT_ORDER: Record<Verdict, number> = { violation: 0, exempt: 1, compliant: 2, 'not-applicable': 3 };

/** Compares by verdict (violations first), then by the keys given, in order. */
export function violationsFirst<Row>(verdict: (row: Row) => Verdict, ...keys: Array<(row: Row) => string>) {
  return (a: Row, b: Row): number => {
    const byVerdict = VERDICT_ORDER[verdict(a)] - VERDICT_ORDER[verdict(b)];
    if (byVerdict !== 0) return byVerdict;
    for (const key of keys) {
      const order = key(a).localeCompare(key(b));
      if (order !== 0) return order;
    }
    return 0;
  };
}

/** An account and region, as the breakdown tables group by them. */
export interface Place {
  account: string | null;
  region: string;
}

const placeKey = (p: Place) => `${p.account ?? ''}\u0000${p.region}`;

/**
 * Tallies items per account and region: every place in `places` gets a row (zero counts included,
 * so a region swept and found empty is shown), and places only the items name are added.
 */
export function tallyByPlace<Item, Counts extends object>(
  items: readonly Item[],
  placeOf: (item: Item) => Place,
  count: (item: Item, counts: Counts) => void,
  zero: () => Counts,
  places: readonly Place[] = [],
): Array<Place & Counts> {
  const rows = new Map<string, Place & Counts>();
  const rowOf = (place: Place) => {
    const key = placeKey(place);
    let row = rows.get(key);
    if (!row) rows.set(key, (row = { account: place.account, region: place.region, ...zero() }));
    return row;
  };
  for (const place of places) rowOf(place);
  for (const item of items) count(item, rowOf(placeOf(item)));
  return [...rows.values()];
}
