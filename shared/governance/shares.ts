import { isolatedShare } from '../model/isolated-share.js';

/**
 * The isolated share of a set of models, overall, per data classification and for production
 * ("percentage of production SageMaker models with network isolation enabled"). Pure.
 */
export interface IsolationShare {
  models: number;
  isolated: number;
  /** Percent, one decimal; null when the group holds no model. */
  isolatedShare: number | null;
}

export interface IsolationShares {
  /** Keyed by classification; models without one under `(unclassified)`. */
  byClassification: Record<string, IsolationShare>;
  production: IsolationShare;
}

export const UNCLASSIFIED = '(unclassified)';

function share(items: ReadonlyArray<{ isolated: boolean }>): IsolationShare {
  const isolated = items.filter((item) => item.isolated).length;
  return { models: items.length, isolated, isolatedShare: isolatedShare(isolated, items.length) };
}

export function isolationShares(models: ReadonlyArray<{ isolated: boolean; classification: string | null; production: boolean }>): IsolationShares {
  const groups = new Map<string, Array<{ isolated: boolean }>>();
  for (const model of models) {
    const key = model.classification ?? UNCLASSIFIED;
    const group = groups.get(key);
    if (group) group.push(model);
    else groups.set(key, [model]);
  }
  return {
    byClassification: Object.fromEntries([...groups.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([key, items]) => [key, share(items)])),
    production: share(models.filter((model) => model.production)),
  };
}

/** `phi 50% (1/2); public 100% (3/3)`: for Markdown and HTML summaries. */
export function describeShares(shares: IsolationShares): string {
  const one = (s: IsolationShare) => (s.isolatedShare === null ? 'no models' : `${s.isolatedShare}% (${s.isolated}/${s.models})`);
  const classes = Object.entries(shares.byClassification).map(([key, s]) => `${key} ${one(s)}`);
  return `isolated by classification: ${classes.length > 0 ? classes.join('; ') : 'no models'}; production: ${one(shares.production)}`;
}
