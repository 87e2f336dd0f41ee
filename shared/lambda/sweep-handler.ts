import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { AwsClients } from '../aws/clients.js';
import { isAllRegions, resolveRegions } from '../aws/regions.js';
import { resolveAccounts, routerFromConfig } from '../aws/accounts.js';
import { homeRegion, type Config } from '../config.js';
import { enforcementDeps, enforcementSettings, stepLedgerFor } from '../enforcement/deps.js';
import { inventorySummary } from '../reports/inventory-report.js';
import { storeInventorySnapshot } from '../sweep/snapshot-store.js';
import { sweepModels } from '../sweep/sweep.js';
import { logger, metrics } from './observability.js';
import { SweepIncompleteError } from '../sweep/errors.js';

/**
 * The `sweep` Lambda, on a schedule: sweeps the configured regions, files the inventory snapshot
 * in the evidence bucket, and fails when a region could not be read so the failure is seen.
 */
export function createSweepHandler(options: { config: Config; clients: AwsClients }) {
  const { config, clients } = options;
  // Once per cold start: the ledger remembers a sent alert whose "done" write failed, for the retry in this container.
  const ledger = stepLedgerFor(config, clients);
  return middy<unknown, { summary: ReturnType<typeof inventorySummary>; snapshot: string[] }, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics))
    .handler(async () => {
      const regions = resolveRegions(config.regions, homeRegion());
      const accounts = await resolveAccounts(config.accounts, {}, config.accountNames);
      const router = routerFromConfig(config, clients);
      const deps = enforcementDeps(config, clients, { router, ledger });
      // regions=all: each account's enabled regions (opt-in ones it has not enabled are listed as not enabled).
      const enabledRegionsOf = isAllRegions(config.regions) ? (account: string | null) => router.enabledRegionsOf(account) : undefined;
      const result = await sweepModels({ regions, accounts, reminderDays: config.reminderDays, ...(enabledRegionsOf ? { enabledRegionsOf } : {}) }, enforcementSettings(config), deps);
      const summary = inventorySummary(result);
      const snapshot = config.evidenceBucket ? await storeInventorySnapshot(clients.s3, config.evidenceBucket, result) : [];
      metrics.addMetric('ModelsSwept', MetricUnit.Count, summary.models);
      metrics.addMetric('NonIsolatedModels', MetricUnit.Count, summary.violations);
      logger.info('Sweep done', { summary, snapshot, regions: result.regions, reminders: result.reminders });
      const problems = [
        ...(summary.regionsFailed.length > 0 ? [`regions not read: ${result.regions.filter((r) => r.error).map((r) => `${r.region} (${r.error})`).join('; ')}`] : []),
        ...(summary.unreadable > 0 ? [`${summary.unreadable} model(s) not read: ${result.models.filter((m) => m.error).map((m) => `${m.modelName} (${m.error})`).join('; ')}`] : []),
        ...(summary.effectFailures.length > 0
          ? [`${summary.effectFailures.length} effect(s) failed: ${[...new Set(summary.effectFailures.map((f) => f.why))].join('; ')}`]
          : []),
      ];
      if (problems.length > 0) throw new SweepIncompleteError(problems.join('. '));
      return { summary, snapshot };
    });
}
