import type { S3Client } from '../aws/s3.js';
import { fileEvidence, JSON_CONTENT, listEvidenceKeys, listFolders, readEvidenceText } from '../aws/evidence-store.js';
import { parseSweepRunFolder, parseSweepUnitKey, SWEEP_RUN_ID, SWEEP_RUNS_PREFIX, sweepMergedKey, sweepPlanKey, sweepUnitKey, sweepUnitsPrefix } from '../aws/evidence-keys.js';
import { sendMessageBatch, type SQSClient } from '../aws/sqs.js';
import { incrementCounter, type DynamoDBClient } from '../aws/dynamodb.js';
import { z } from 'zod';
import { type StepLedger } from '../enforcement/step-ledger.js';
import { storeInventorySnapshot } from './snapshot-store.js';
import type { ReminderOutcome, SweepResult } from '../model/inventory.js';
import { StepInProgressError } from '../enforcement/errors.js';
import { SweepPlanError } from './errors.js';

/**
 * The sweep fanned out: a planner queues one unit of work per account and region on SQS; workers
 * (a Lambda on the queue, many at once) sweep their unit under the same rules and file a partial
 * inventory; when the last partial is filed, one worker merges them into the inventory snapshot.
 * Everything a run needs is under `sweep-runs/<runId>/` in the evidence bucket (keys: shared/aws/evidence-keys.ts):
 * `plan.json` (the units), `units/<account>_<region>.json` (the partials), `merged.json` (done).
 */


/** One unit of work, as queued: a message the worker validates before acting on it. */
export const SweepUnitSchema = z.strictObject({
  kind: z.literal('sweep-unit'),
  runId: z.string().regex(SWEEP_RUN_ID, 'expected a run id like 20261129T060000Z'),
  /** null: the service's own account. */
  account: z.string().regex(/^\d{12}$/, 'expected a 12-digit account id').nullable(),
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'expected a region'),
  /** How many units the run has: a worker whose count of filed units reaches it checks for the merge. */
  of: z.number().int().positive(),
});
export type SweepUnit = z.infer<typeof SweepUnitSchema>;

const PlanSchema = z.looseObject({
  runId: z.string().regex(SWEEP_RUN_ID),
  startedAt: z.string(),
  units: z.array(z.object({ account: z.string().nullable(), region: z.string() })),
});

/** The units of a run: every account (null: this account) times every region (pure). */
export function planUnits(runId: string, accounts: readonly string[], regions: readonly string[]): SweepUnit[] {
  const owners: Array<string | null> = accounts.length > 0 ? [...new Set(accounts)] : [null];
  const regionList = [...new Set(regions)];
  const of = owners.length * regionList.length;
  return owners.flatMap((account) => regionList.map((region) => ({ kind: 'sweep-unit' as const, runId, account, region, of })));
}

// Run state lives in the evidence bucket and is written and read the way evidence is.
const putJson = (s3: S3Client, bucket: string, key: string, value: unknown) => fileEvidence(s3, bucket, [{ key, body: JSON.stringify(value), contentType: JSON_CONTENT }]);

/**
 * A run file, or null when it does not exist. S3 answers a missing key with 404 (NoSuchKey) only to
 * a caller granted s3:ListBucket on the bucket without condition; our roles list under
 * `sweep-runs/*` only (an `s3:prefix` condition, which a GetObject request does not carry), so S3
 * answers them 403 AccessDenied for a missing key. A 403 is taken as "missing" only when a listing
 * of that very key (granted under the prefix) shows no such object; a real denial still throws.
 */
async function getJson(s3: S3Client, bucket: string, key: string): Promise<unknown | null> {
  try {
    return JSON.parse(await readEvidenceText(s3, bucket, key)) as unknown;
  } catch (error) {
    const { name, $metadata } = error as { name?: string; $metadata?: { httpStatusCode?: number } };
    if (name === 'NoSuchKey' || name === 'NotFound') return null;
    if ((name === 'AccessDenied' || $metadata?.httpStatusCode === 403) && !(await listEvidenceKeys(s3, bucket, key)).includes(key)) return null;
    throw error;
  }
}

/** Files the plan, then queues its units ten a batch; a unit SQS refuses fails the planner. */
export async function queueSweepRun(
  deps: { s3: S3Client; sqs: SQSClient; bucket: string; queueUrl: string },
  plan: { runId: string; startedAt: string; units: SweepUnit[] },
): Promise<{ runId: string; queued: number }> {
  await putJson(deps.s3, deps.bucket, sweepPlanKey(plan.runId), { runId: plan.runId, startedAt: plan.startedAt, units: plan.units.map(({ account, region }) => ({ account, region })) });
  for (let i = 0; i < plan.units.length; i += 10) {
    const batch = plan.units.slice(i, i + 10);
    const failed = await sendMessageBatch(deps.sqs, deps.queueUrl, batch.map((unit, j) => ({ id: String(i + j), body: JSON.stringify(unit) })));
    if (failed.length > 0) {
      throw new SweepPlanError(`run ${plan.runId}: ${failed.length} unit(s) not queued: ${failed.map((f) => `${f.id} ${f.code}`).join(', ')}`);
    }
  }
  return { runId: plan.runId, queued: plan.units.length };
}

/** Files a worker's partial inventory (one account and region). Filing it again overwrites it: harmless. */
export async function filePartial(s3: S3Client, bucket: string, unit: SweepUnit, result: SweepResult): Promise<string> {
  const key = sweepUnitKey(unit);
  await putJson(s3, bucket, key, result);
  return key;
}

/** Merges partial inventories into one (pure): the run's start, the last finish, every region and model. */
function mergePartials(startedAt: string, partials: readonly SweepResult[], missing: ReadonlyArray<{ account: string | null; region: string }>): SweepResult {
  const finishedAt = partials.map((p) => p.finishedAt).reduce((a, b) => (a > b ? a : b), startedAt);
  return {
    startedAt,
    finishedAt,
    regions: [
      ...partials.flatMap((p) => p.regions),
      ...missing.map(({ account, region }) => ({ ...(account === null ? {} : { account }), region, models: 0, error: 'unit not done: no partial inventory was filed (see the sweep units dead-letter queue)' })),
    ].sort((a, b) => `${a.account ?? ''}/${a.region}`.localeCompare(`${b.account ?? ''}/${b.region}`)),
    models: partials.flatMap((p) => p.models).sort((a, b) => `${a.account ?? ''}/${a.region}/${a.modelName}`.localeCompare(`${b.account ?? ''}/${b.region}/${b.modelName}`)),
  };
}

export interface MergeOutcome {
  runId: string;
  merged: boolean;
  /** Why not: still waiting for units, already merged, or another worker is merging. */
  reason?: 'incomplete' | 'already-merged' | 'in-progress';
  snapshot?: string[];
  units?: number;
  missing?: Array<{ account: string | null; region: string }>;
}

/** What the run's summary message says (`runSummaryMessage`). */
export interface RunSummary {
  runId: string;
  snapshot: string[];
  models: number;
  violations: number;
  /** Units that were denied, failed or never filed: the run's evidence is incomplete for them. */
  unitsNotRead: Array<{ account: string | null; region: string; error: string }>;
}

export interface MergeDeps {
  s3: S3Client;
  bucket: string;
  ledger: StepLedger;
  /** Publishes the run's summary (once per run: it runs inside the merge step). */
  announce?: (summary: RunSummary) => Promise<void>;
  /**
   * Sends the expiry reminders over the run's merged models, naming the units not read (once per run: inside the merge step,
   * and under the reminders' own ledger keys, the single sweep's); its outcomes go in the snapshot.
   */
  remind?: (sweep: Pick<SweepResult, 'models' | 'regions'>) => Promise<ReminderOutcome[]>;
}

/**
 * Merges a run into the inventory snapshot once: when every planned unit filed its partial
 * (`force`: now, naming the missing ones). The merge is a step of the existing ledger
 * (`sweep-run:<runId>#merge`), so two workers finishing together file one snapshot, one summary
 * and one set of expiry reminders.
 */
export async function mergeSweepRun(
  deps: MergeDeps,
  runId: string,
  options: { force?: boolean } = {},
): Promise<MergeOutcome> {
  const planned = PlanSchema.safeParse(await getJson(deps.s3, deps.bucket, sweepPlanKey(runId)));
  if (!planned.success) throw new SweepPlanError(`run ${runId}: no readable plan at ${sweepPlanKey(runId)}`);
  const plan = planned.data;
  // The units filed, as their keys read back (a key that is not a unit's is no unit).
  const filed = new Set(
    (await listEvidenceKeys(deps.s3, deps.bucket, sweepUnitsPrefix(runId))).flatMap((key) => {
      const unit = parseSweepUnitKey(key);
      return unit === null || unit.runId !== runId ? [] : [sweepUnitKey(unit)];
    }),
  );
  const missing = plan.units.filter((unit) => !filed.has(sweepUnitKey({ runId, ...unit })));
  if (missing.length > 0 && !options.force) return { runId, merged: false, reason: 'incomplete', missing };
  if ((await getJson(deps.s3, deps.bucket, sweepMergedKey(runId))) !== null) return { runId, merged: false, reason: 'already-merged' };
  try {
    const { replayed, value } = await deps.ledger.once(`sweep-run:${runId}`, 'merge', async () => {
      const partials = await Promise.all(
        plan.units.filter((unit) => filed.has(sweepUnitKey({ runId, ...unit }))).map(async (unit) => (await getJson(deps.s3, deps.bucket, sweepUnitKey({ runId, ...unit }))) as SweepResult),
      );
      const result = mergePartials(plan.startedAt, partials, missing);
      // The workers do not remind: one reminder per exception, naming its models in every unit filed.
      if (deps.remind) result.reminders = await deps.remind(result);
      const snapshot = await storeInventorySnapshot(deps.s3, deps.bucket, result);
      await putJson(deps.s3, deps.bucket, sweepMergedKey(runId), { runId, snapshot, units: plan.units.length, missing });
      // One message per run (inside the ledger step): what the snapshot holds and which units it lacks.
      await deps.announce?.({
        runId,
        snapshot,
        models: result.models.length,
        violations: result.models.filter((m) => m.verdict === 'violation').length,
        unitsNotRead: result.regions.flatMap((r) => (r.error === null ? [] : [{ account: r.account ?? null, region: r.region, error: r.error }])),
      });
      return { snapshot };
    });
    if (replayed) return { runId, merged: false, reason: 'already-merged' };
    return { runId, merged: true, snapshot: value.snapshot, units: plan.units.length, missing };
  } catch (error) {
    if (error instanceof StepInProgressError) return { runId, merged: false, reason: 'in-progress' };
    throw error;
  }
}

/** Earlier runs that were never merged (a unit dead-lettered): the planner merges them, naming what is missing. */
export async function unmergedRuns(s3: S3Client, bucket: string, before: string, limit = 3): Promise<string[]> {
  const runs: string[] = [];
  for (const folder of await listFolders(s3, bucket, SWEEP_RUNS_PREFIX)) {
    const runId = parseSweepRunFolder(folder);
    if (runId !== null && runId < before) runs.push(runId);
  }
  const recent = runs.sort().slice(-limit);
  const open = await Promise.all(recent.map(async (runId) => ((await getJson(s3, bucket, sweepMergedKey(runId))) === null ? runId : null)));
  return open.filter((runId): runId is string => runId !== null);
}

/**
 * Counts a filed unit in the ledger table (`sweep-run:<runId>#filed`, an atomic ADD) and returns
 * the count, so that only the worker that reaches the run's number of units lists the partials:
 * one listing per run instead of one per unit. A redelivered unit counts twice; harmless, since
 * the merge itself checks the partials and runs once.
 */
export async function countFiledUnit(dynamodb: DynamoDBClient, tableName: string, runId: string, retentionDays = 7): Promise<number> {
  return incrementCounter(dynamodb, tableName, `sweep-run:${runId}#filed`, Math.floor(Date.now() / 1000) + retentionDays * 86_400);
}

/** The SNS message of a merged run: subject and body (JSON), severity high when a unit was not read. */
export function runSummaryMessage(summary: RunSummary) {
  const incomplete = summary.unitsNotRead.length > 0;
  return {
    subject: `[isolation-guard] sweep ${summary.runId}: ${summary.models} models, ${summary.violations} without isolation${incomplete ? `, ${summary.unitsNotRead.length} account/region unit(s) NOT read` : ''}`,
    message: JSON.stringify({ kind: 'sweep-run', ...summary }, null, 2),
    severity: incomplete || summary.violations > 0 ? 'high' : 'low',
  };
}
