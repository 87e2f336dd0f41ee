import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import type { AwsClients } from '../aws/clients.js';
import { routerFromConfig } from '../aws/accounts.js';
import type { Config } from '../config.js';
import { buildAuditReport, type AuditReport } from './audit-report.js';
import { collectAudit } from './collect.js';
import { lookupEventsArchive } from './lookup-source.js';
import { lookUpModelsNow } from './models-now.js';
import type { ArchiveFile } from './sources.js';
import { s3Archive } from './sources.js';

/** The previous calendar month (UTC): what the scheduled history report covers. */
export function previousMonth(now: Date): { from: Date; to: Date } {
  const to = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  return { from, to };
}

/** An audit of a period from the configured source, with the models' state today. */
export async function runAudit(
  period: { from: Date; to: Date },
  config: Config,
  clients: AwsClients,
  options: { regions: string[]; cloudTrailFor?: (region: string) => CloudTrailClient; now?: Date },
): Promise<AuditReport> {
  const cloudtrails = new Map<string, CloudTrailClient>();
  const cloudTrailFor =
    options.cloudTrailFor ?? ((region: string) => cloudtrails.get(region) ?? cloudtrails.set(region, new CloudTrailClient({ region, retryMode: 'adaptive', maxAttempts: 8 })).get(region)!);
  const files: AsyncIterable<ArchiveFile> =
    config.auditSource === 'lookup'
      ? lookupEventsArchive(cloudTrailFor, options.regions, period)
      : s3Archive(clients.s3, config.auditSource, { ...period, regions: options.regions });
  const collection = await collectAudit(files, { ...period, exemptions: config.exemptions, now: options.now ?? new Date() });
  const router = routerFromConfig(config, clients);
  const modelsNow = await lookUpModelsNow(collection.calls, router ? (where) => router.sagemakerFor(where) : ({ region }) => clients.sagemakerIn(region));
  return buildAuditReport(collection, { ...period, source: config.auditSource, generatedAt: options.now ?? new Date() }, modelsNow);
}
