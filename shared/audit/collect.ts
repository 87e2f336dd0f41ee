import { QUARANTINE_TAG } from '../actions/quarantine.js';
import { decodeInput } from '../cloudtrail/decode.js';
import { extractRecords } from '../cloudtrail/extract.js';
import { decideCreateModel } from '../decision/decide-create-model.js';
import type { DecidedCreateModel } from '../decision/decision.js';
import type { Exemption } from '../decision/exemptions.js';
import type { PrioritySettings } from '../decision/priorities.js';
import { findModelArn } from '../decision/model-arn.js';
import { createParsePool, type ParsedFile, type ParsePool } from './parse-pool.js';
import type { ArchiveFile } from './sources.js';

export interface AuditCollection {
  calls: DecidedCreateModel[];
  /** First remediation seen per model (`region/name`, lower-case): DeleteModel, or AddTags of the quarantine tag. */
  remediations: Map<string, { at: string; how: 'deleted' | 'quarantined' }>;
  filesRead: number;
  filesFailed: Array<{ name: string; problem: string }>;
  recordsRead: number;
  duplicatesDropped: number;
  accounts: Set<string>;
  regions: Set<string>;
}

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
  const inPeriod = (time: unknown) => {
    const t = typeof time === 'string' ? Date.parse(time) : Number.NaN;
    return t >= from && t < to;
  };
  const firstTime = (id: unknown) => {
    if (typeof id !== 'string') return true;
    if (seen.has(id)) {
      collection.duplicatesDropped++;
      return false;
    }
    seen.add(id);
    return true;
  };

  const pool = createParsePool();
  try {
    for await (const { file, parsed } of parseAhead(files, pool, 6)) {
      const problems: string[] = [];
      try {
        const result = await parsed;
        let values: Array<{ value: unknown }>;
        if ('whole' in result) {
          const decoded = decodeInput(result.whole);
          problems.push(...decoded.errors.map((e) => e.message));
          values = decoded.values;
        } else {
          // The worker kept the SageMaker records; the others were read and count as read.
          collection.recordsRead += result.count - result.records.length;
          values = [{ value: { Records: result.records } }];
        }
        for (const { value } of values) {
          for (const item of extractRecords(value)) {
            collection.recordsRead++;
            if (item.kind === 'invalid') {
              problems.push(item.error.message);
            } else if (item.kind === 'create-model') {
              if (!inPeriod(item.record.eventTime) || !firstTime(item.record.eventID)) continue;
              // An exemption is judged at the call's time: the audit says whether the call was covered when it was made.
              const at = new Date(item.record.eventTime);
              const decided = decideCreateModel(item.record, {
                exemptions: options.exemptions,
                now: Number.isNaN(at.getTime()) ? options.now : at,
                priorities: options.priorities,
              });
              collection.calls.push(decided);
              if (decided.decision.account) collection.accounts.add(decided.decision.account);
              collection.regions.add(decided.decision.region);
            } else if (item.record && item.record.eventSource === 'sagemaker.amazonaws.com' && !item.record.errorCode) {
              noteRemediation(collection, item.record, firstTime);
            }
          }
        }
        collection.filesRead++;
      } catch (error) {
        problems.push(error instanceof Error ? error.message : String(error));
      }
      if (problems.length > 0) collection.filesFailed.push({ name: file.name, problem: problems.slice(0, 3).join('; ') });
      options.onFile?.(collection);
    }
  } finally {
    await pool.close();
  }
  return collection;
}

/**
 * Reads files and hands them to the parse pool up to `depth` ahead of the one being collected, so
 * reading, inflating and parsing overlap; results come back in file order. Memory stays bounded by
 * `depth` files in flight.
 */
async function* parseAhead(files: AsyncIterable<ArchiveFile>, pool: ParsePool, depth: number): AsyncGenerator<{ file: ArchiveFile; parsed: Promise<ParsedFile> }> {
  const queue: Array<{ file: ArchiveFile; parsed: Promise<ParsedFile> }> = [];
  for await (const file of files) {
    const parsed = file.read().then((bytes) => pool.parse(bytes));
    parsed.catch(() => undefined); // awaited in turn; no unhandled rejection meanwhile
    queue.push({ file, parsed });
    if (queue.length >= depth) yield queue.shift()!;
  }
  while (queue.length > 0) yield queue.shift()!;
}

function noteRemediation(collection: AuditCollection, record: Record<string, unknown>, firstTime: (id: unknown) => boolean) {
  const request = (record.requestParameters ?? {}) as Record<string, unknown>;
  const region = typeof record.awsRegion === 'string' ? record.awsRegion : '';
  const at = typeof record.eventTime === 'string' ? record.eventTime : '';
  let name: string | null = null;
  let how: 'deleted' | 'quarantined' | null = null;
  if (record.eventName === 'DeleteModel' && typeof request.modelName === 'string') {
    name = request.modelName;
    how = 'deleted';
  } else if (record.eventName === 'AddTags' && Array.isArray(request.tags)) {
    const tagged = request.tags.some((t) => typeof t === 'object' && t !== null && ((t as { key?: unknown }).key ?? (t as { Key?: unknown }).Key) === QUARANTINE_TAG);
    name = tagged ? (findModelArn(typeof request.resourceArn === 'string' ? request.resourceArn : null)?.modelName ?? null) : null;
    how = tagged ? 'quarantined' : null;
  }
  if (!name || !how || !at || !firstTime(record.eventID)) return;
  const key = modelKey(region, name);
  const known = collection.remediations.get(key);
  if (!known || known.at > at) collection.remediations.set(key, { at, how });
}

export const remediationKey = modelKey;
