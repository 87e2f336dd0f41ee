import { QUARANTINE_TAG, REPLACED_BY_TAG } from '../model/tags.js';
import { readFiles } from '../cloudtrail/read-files.js';
import { decideCreateModel } from '../decision/decide-create-model.js';
import type { DecidedCreateModel } from '../model/decision.js';
import type { Exemption } from '../decision/exemptions.js';
import type { PrioritySettings } from '../decision/priorities.js';
import { findModelArn } from '../decision/model-arn.js';
import type { ArchiveFile } from './sources.js';

export interface AuditCollection {
  calls: DecidedCreateModel[];
  /**
   * The remediation per model (`region/name`, lower-case): its first fix (DeleteModel, or the AddTags
   * of `isolation-guard:replaced-by` that `fix` writes once every endpoint serves an isolated
   * replacement), else its first quarantine (AddTags of the quarantine tag: still without isolation).
   */
  remediations: Map<string, { at: string; how: RemediationHow }>;
  filesRead: number;
  filesFailed: Array<{ name: string; problem: string }>;
  recordsRead: number;
  duplicatesDropped: number;
  accounts: Set<string>;
  regions: Set<string>;
}

/** Fixed: deleted, or replaced by a model with isolation that serves its endpoints. Quarantined: tagged, still running without isolation. */
export type RemediationHow = 'deleted' | 'replaced' | 'quarantined';
export const isFix = (how: RemediationHow): boolean => how !== 'quarantined';

/** The calls an audit reads: CreateModel, and the remediations that follow it (DeleteModel, AddTags of the quarantine or replaced-by tag). */
export const AUDITED_CALLS = ['CreateModel', 'DeleteModel', 'AddTags'] as const;

const modelKey = (region: string, name: string) => `${region}/${name.toLowerCase()}`;

/**
 * Reads every file of an archive, one at a time, and keeps the CreateModel calls of the period
 * (by `eventTime`, deduplicated on `eventID`: a record can be delivered in two files), decided
 * with the core, plus the remediations (DeleteModel, AddTags of the quarantine tag) that followed.
 * A file that cannot be read is named, and the rest is still read.
 */
export async function collectAudit(
  files: AsyncIterable<ArchiveFile>,
  options: {
    from: Date;
    to: Date;
    exemptions: readonly Exemption[];
    now: Date;
    onFile?: (collection: AuditCollection) => void;
    /** Classification and environment tags (request tags); defaults when absent. */
    priorities?: PrioritySettings;
  },
): Promise<AuditCollection> {
  const collection: AuditCollection = {
    calls: [],
    remediations: new Map(),
    filesRead: 0,
    filesFailed: [],
    recordsRead: 0,
    duplicatesDropped: 0,
    accounts: new Set(),
    regions: new Set(),
  };
  const seen = new Set<string>();
  const from = options.from.getTime();
  const to = options.to.getTime();
  const firstTime = (id: unknown) => {
    if (typeof id !== 'string') return true;
    if (seen.has(id)) {
      collection.duplicatesDropped++;
      return false;
    }
    seen.add(id);
    return true;
  };

  for await (const { file, items } of readFiles(files, { words: AUDITED_CALLS })) {
    const problems: string[] = [];
    const recordsBefore = collection.recordsRead;
    for await (const item of items) {
      if (item.kind === 'problem') {
        problems.push(item.message);
      } else if (item.kind === 'counted') {
        // Records of a file the fast path proved to hold no audited call: read, and nothing to keep.
        collection.recordsRead += item.count;
      } else if (item.kind === 'create-model') {
        collection.recordsRead++;
        const time = Date.parse(item.record.eventTime);
        if (!(time >= from && time < to) || !firstTime(item.record.eventID)) continue;
        // An exemption is judged at the call's time: the audit says whether the call was covered when it was made.
        const decided = decideCreateModel(item.record, {
          exemptions: options.exemptions,
          now: new Date(time),
          priorities: options.priorities,
        });
        collection.calls.push(decided);
        if (decided.decision.account) collection.accounts.add(decided.decision.account);
        collection.regions.add(decided.decision.region);
      } else {
        collection.recordsRead++;
        if (item.record && item.record.eventSource === 'sagemaker.amazonaws.com' && !item.record.errorCode) noteRemediation(collection, item.record, firstTime);
      }
    }
    if (problems.length > 0) collection.filesFailed.push({ name: file.name, problem: problems.slice(0, 3).join('; ') });
    // A file with a bad record among good ones was read (and is named as failed too); one with nothing readable was not.
    if (problems.length === 0 || collection.recordsRead > recordsBefore) collection.filesRead++;
    options.onFile?.(collection);
  }
  return collection;
}

function noteRemediation(collection: AuditCollection, record: Record<string, unknown>, firstTime: (id: unknown) => boolean) {
  const request = (record.requestParameters ?? {}) as Record<string, unknown>;
  const region = typeof record.awsRegion === 'string' ? record.awsRegion : '';
  const at = typeof record.eventTime === 'string' ? record.eventTime : '';
  let name: string | null = null;
  let how: RemediationHow | null = null;
  if (record.eventName === 'DeleteModel' && typeof request.modelName === 'string') {
    name = request.modelName;
    how = 'deleted';
  } else if (record.eventName === 'AddTags' && Array.isArray(request.tags)) {
    const keys = request.tags.map((t) => (typeof t === 'object' && t !== null ? ((t as { key?: unknown }).key ?? (t as { Key?: unknown }).Key) : null));
    how = keys.includes(REPLACED_BY_TAG) ? 'replaced' : keys.includes(QUARANTINE_TAG) ? 'quarantined' : null;
    name = how ? (findModelArn(typeof request.resourceArn === 'string' ? request.resourceArn : null)?.modelName ?? null) : null;
  }
  if (!name || !how || !at || !firstTime(record.eventID)) return;
  const key = modelKey(region, name);
  const known = collection.remediations.get(key);
  // A fix wins over a quarantine (the model no longer runs without isolation); else the first.
  if (!known || (isFix(how) && !isFix(known.how)) || (isFix(how) === isFix(known.how) && known.at > at)) collection.remediations.set(key, { at, how });
}

export const remediationKey = modelKey;
