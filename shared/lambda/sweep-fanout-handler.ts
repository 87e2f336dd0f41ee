import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { AwsClients } from '../aws/clients.js';
import { resolveAccounts, routerFromConfig, type AccountRouter } from '../aws/accounts.js';
import { resolveRegions } from '../aws/regions.js';
import { homeRegion, type Config } from '../config.js';
import { enforcementDeps, enforcementSettings, stepLedgerFor } from '../enforcement/deps.js';
import type { EnforcementDeps } from '../enforcement/pipeline.js';
import { sendExpiryReminders } from '../governance/expiry-reminders.js';
import type { StepLedger } from '../enforcement/step-ledger.js';
import { ConfigurationError, RecordValidationError } from '../errors.js';
import { toValidationError } from '../cloudtrail/extract.js';
import { publishNotice } from '../alerts/sns-alert.js';
import { runIdOf } from '../aws/evidence-keys.js';
import {
  countFiledUnit,
  filePartial,
  mergeSweepRun,
  type MergeDeps,
  planUnits,
  queueSweepRun,
  runSummaryMessage,
  SweepUnitSchema,
  unmergedRuns,
  type RunSummary,
  type SweepUnit,
} from '../sweep/fanout.js';
import { sweepModels } from '../sweep/sweep.js';
import { logger, metrics } from './observability.js';
import { errorText } from '../model/error-text.js';
import { SweepUnitRetryError } from '../sweep/errors.js';

/** Receives before SQS moves a unit to the dead-letter queue (resources/sweep-fanout.yml: SweepUnitsQueue's maxReceiveCount). */
export const SWEEP_UNIT_MAX_RECEIVES = 3;

/** Denied is an answer, not a failure: the account is reported as denied and not retried. */
const isDenied = (error: string) => /AccessDenied|not authorized/i.test(error);

/** The run's summary on the alert topic, when one is configured (once per run: it is part of the merge step). */
function announcer(config: Config, clients: AwsClients) {
  if (!config.topicArn) return undefined;
  const topicArn = config.topicArn;
  return async (summary: RunSummary) => {
    await publishNotice(clients.sns, topicArn, { ...runSummaryMessage(summary), verdict: 'sweep-run' });
  };
}

/**
 * What a run's merge needs: the evidence bucket, the ledger, the run's summary message, and its
 * expiry reminders (the workers send none): the exceptions of the configuration (with the register
 * when the function loaded it), the reminders' ledger keys and the merge's clock, as the single
 * sweep uses them.
 */
function mergeDeps(config: Config, clients: AwsClients, deps: EnforcementDeps, bucket: string): MergeDeps {
  return {
    s3: clients.s3,
    bucket,
    ledger: deps.ledger,
    announce: announcer(config, clients),
    remind: (sweep) => sendExpiryReminders(config.exemptions, sweep, deps),
  };
}

interface FanOutOptions {
  config: Config;
  clients: AwsClients;
  router?: AccountRouter;
  ledger?: StepLedger;
  now?: () => Date;
}

function required(config: Config) {
  if (!config.evidenceBucket) throw new ConfigurationError('ISOLATION_GUARD_EVIDENCE_BUCKET', 'required by the fanned-out sweep (plans and partial inventories live there)');
  if (!config.sweepQueueUrl) throw new ConfigurationError('ISOLATION_GUARD_SWEEP_QUEUE_URL', 'required by the fanned-out sweep');
  return { bucket: config.evidenceBucket, queueUrl: config.sweepQueueUrl };
}

/**
 * The planner, on the sweep's schedule: merges earlier runs left unmerged (a unit dead-lettered),
 * naming what is missing, then files this run's plan and queues one unit per account and region.
 */
export function createSweepPlannerHandler(options: FanOutOptions) {
  const { config, clients } = options;
  // Once per cold start: the ledger remembers a sent run notice whose "done" write failed, for the retry in this container.
  const ledger = options.ledger ?? stepLedgerFor(config, clients);
  return middy<unknown, { runId: string; queued: number; finalised: string[] }, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(async () => {
      const { bucket, queueUrl } = required(config);
      const deps = enforcementDeps(config, clients, { ledger, ...(options.now ? { now: options.now } : {}) });
      const now = options.now?.() ?? new Date();
      const runId = runIdOf(now);
      const finalised: string[] = [];
      // A run still open an hour later will not complete by itself: merge what it has.
      for (const old of await unmergedRuns(clients.s3, bucket, runIdOf(new Date(now.getTime() - 3_600_000)))) {
        const outcome = await mergeSweepRun(mergeDeps(config, clients, deps, bucket), old, { force: true });
        if (outcome.merged) finalised.push(old);
        logger.warn('Earlier sweep run merged with missing units', { ...outcome });
      }
      const regions = resolveRegions(config.regions, homeRegion());
      const accounts = await resolveAccounts(config.accounts, {}, config.accountNames);
      const units = planUnits(runId, accounts, regions);
      const queued = await queueSweepRun({ s3: clients.s3, sqs: clients.sqs, bucket, queueUrl }, { runId, startedAt: now.toISOString(), units });
      logger.info('Sweep units queued', { ...queued, accounts: accounts.length || 1, regions: regions.length });
      return { ...queued, finalised };
    });
}

/**
 * A worker, on the units queue (one message a unit): sweeps its account and region with the same
 * rules and ledger as the single sweep (so a redelivered unit alerts and acts once), files the
 * partial inventory, and merges the run when it was the last unit. A denied account is filed as
 * such; another failure is retried, and on its last receive filed with its error before SQS
 * dead-letters it, so the run still merges and names it.
 */
export function createSweepWorkerHandler(options: FanOutOptions & { maxReceives?: number }) {
  const { config, clients } = options;
  const maxReceives = options.maxReceives ?? SWEEP_UNIT_MAX_RECEIVES;
  // Once per cold start: member-account credentials stay cached across the units a worker takes.
  const deps = enforcementDeps(config, clients, {
    router: options.router ?? routerFromConfig(config, clients),
    ...(options.ledger ? { ledger: options.ledger } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  return middy<SQSEvent, SQSBatchResponse, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics))
    .handler(async (event) => {
      const { bucket } = required(config);
      const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
      for (const record of event.Records) {
        try {
          let body: unknown;
          try {
            body = JSON.parse(record.body);
          } catch {
            throw new RecordValidationError('(message)', 'not JSON');
          }
          const parsed = SweepUnitSchema.safeParse(body);
          if (!parsed.success) throw toValidationError('(message)', parsed.error);
          const unit: SweepUnit = parsed.data;
          const result = await sweepModels(
            // No reminders from a unit: the run's merge sends them once, over every unit's models.
            { regions: [unit.region], accounts: unit.account ? [unit.account] : [], reminderDays: config.reminderDays, sendReminders: false },
            enforcementSettings(config),
            deps,
          );
          const error = result.regions.find((r) => r.error !== null)?.error ?? null;
          const lastReceive = Number(record.attributes.ApproximateReceiveCount ?? '1') >= maxReceives;
          if (error !== null && !isDenied(error) && !lastReceive) throw new SweepUnitRetryError(`${unit.account ?? 'home'}/${unit.region}: ${error}`);
          await filePartial(clients.s3, bucket, unit, result);
          metrics.addMetric('SweepUnitsDone', MetricUnit.Count, 1);
          // Only the worker whose count reaches the run's units lists the partials (no table: every worker does).
          const filed = config.idempotencyTable ? await countFiledUnit(clients.dynamodb, config.idempotencyTable, unit.runId) : unit.of;
          const merge =
            filed >= unit.of
              ? await mergeSweepRun(mergeDeps(config, clients, deps, bucket), unit.runId)
              : { runId: unit.runId, merged: false, reason: 'incomplete', filed };
          logger.info('Sweep unit done', { unit, models: result.models.length, error, merge });
          if (error !== null && !isDenied(error)) throw new SweepUnitRetryError(`${unit.account ?? 'home'}/${unit.region}: ${error} (last attempt: filed with its error, dead-lettered for replay)`);
        } catch (error) {
          logger.error('Sweep unit failed', { messageId: record.messageId, error: errorText(error) });
          batchItemFailures.push({ itemIdentifier: record.messageId });
        }
      }
      return { batchItemFailures };
    });
}
