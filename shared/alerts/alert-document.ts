import type { AlertInput } from '../model/outcome.js';
import { isIsolated, type SageMakerModel } from '../model/sagemaker-model.js';

/**
 * The alert as one JSON document: what SNS subscribers and finding-event consumers read. People
 * read it in an e-mail, machines parse it; `schemaVersion` changes when a field changes meaning.
 */
export function alertDocument(input: AlertInput): Record<string, unknown> {
  return {
    schemaVersion: 1,
    source: 'sagemaker-isolation-guard',
    ...input.decision,
    severity: input.severity,
    accountName: input.accountName ?? null,
    context: input.context,
    model: modelSection(input.model),
    action: input.action,
    mode: input.mode,
    dryRun: input.dryRun,
    // Why the alert rests on the request alone (the model could not be looked at, a malformed record); null: confirmed.
    unconfirmed: input.unconfirmed ?? null,
  };
}

/**
 * The alert's `model` section, as schemaVersion 1 has it: what DescribeModel showed, its output
 * under `description` (what is needed to recreate a deleted model with isolation on).
 */
function modelSection(model: SageMakerModel | null): Record<string, unknown> | null {
  if (model === null) return null;
  // One shape for every alert: a model that is gone (deleted, or replaced by another of its name) has every key, empty.
  if (!model.exists) return { exists: false, networkIsolation: null, tags: {}, description: null, creationTime: null };
  return { exists: true, networkIsolation: isIsolated(model), tags: model.tags, description: model.raw, creationTime: model.creationTime };
}

const TRUNCATED = '…[truncated]';

/**
 * Serialises a document within `maxBytes`: while it is too large, the longest string in it is cut
 * in half (marked as truncated). A CloudTrail record's fields (a user agent, a model description)
 * can be large; SNS and PutEvents refuse anything over 256 KB, and an alert refused is an alert lost.
 */
export function boundedJson(document: unknown, maxBytes: number, space?: number): string {
  let current = document;
  for (let round = 0; round < 64; round++) {
    const text = JSON.stringify(current, null, space);
    if (Buffer.byteLength(text) <= maxBytes) return text;
    current = shortenLongestString(current);
  }
  throw new Error(`document cannot be brought under ${maxBytes} bytes`);
}

function shortenLongestString(value: unknown): unknown {
  let longest: { length: number; path: Array<string | number> } = { length: -1, path: [] };
  const visit = (node: unknown, path: Array<string | number>) => {
    if (typeof node === 'string') {
      if (node.length > longest.length) longest = { length: node.length, path };
    } else if (Array.isArray(node)) {
      node.forEach((item, i) => visit(item, [...path, i]));
    } else if (node && typeof node === 'object') {
      for (const [key, item] of Object.entries(node)) visit(item, [...path, key]);
    }
  };
  visit(value, []);
  const copy = structuredClone(value);
  if (longest.path.length === 0) return typeof copy === 'string' ? halve(copy) : copy;
  let parent: any = copy;
  for (const key of longest.path.slice(0, -1)) parent = parent[key];
  const last = longest.path.at(-1)!;
  parent[last] = halve(parent[last] as string);
  return copy;
}

function halve(text: string): string {
  const base = text.endsWith(TRUNCATED) ? text.slice(0, -TRUNCATED.length) : text;
  return Array.from(base).slice(0, Math.floor(Array.from(base).length / 2)).join('') + TRUNCATED;
}
