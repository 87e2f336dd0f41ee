import type { AthenaClient } from '@aws-sdk/client-athena';
import type { AwsClients } from '../aws/clients.js';
import { ConfigurationError } from '../errors.js';
import { athenaArchive } from './athena-source.js';
import { routerFromConfig, type AccountRouter } from '../aws/accounts.js';
import type { Config } from '../config.js';
import { buildAuditReport, type AuditReport } from './audit-report.js';
import { collectAudit } from './collect.js';
import { lookupEventsArchive } from './lookup-source.js';
import { lookUpModelsNow } from './models-now.js';
import type { ArchiveFile } from './sources.js';
import { s3Archive } from './s3-archive.js';

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
  options: { regions: string[]; accounts?: string[]; router?: AccountRouter; now?: Date; athena?: AthenaClient; athenaTimeoutMs?: number },
): Promise<AuditReport> {
  if (config.auditSource.startsWith('evidence:')) {
    throw new ConfigurationError('auditSource', 'evidence:BUCKET merges filed reports (isolation-guard audit); the history Lambda files them from lookup, s3:// or athena:');
  }
  const router = options.router ?? routerFromConfig(config, clients);
  const accounts: Array<string | null> = options.accounts && options.accounts.length > 0 ? options.accounts : [null];
  const targets = accounts.flatMap((account) => options.regions.map((region) => ({ account, region })));
  let athena: ReturnType<typeof athenaArchive> | null = null;
  let files: AsyncIterable<ArchiveFile>;
  if (config.auditSource === 'lookup') files = lookupEventsArchive((target) => router.cloudTrailFor(target), targets, period);
  else if (config.auditSource.startsWith('athena:')) {
    if (!options.athena) throw new ConfigurationError('auditSource', 'an athena: source needs an Athena client');
    athena = athenaArchive(options.athena, config.auditSource, period, {
      workgroup: config.athenaWorkgroup,
      outputLocation: config.athenaOutputLocation,
      accounts: options.accounts ?? [],
      // No regions configured: every region the table projects (an organisation trail's), not only this one.
      regions: config.regions.length > 0 ? options.regions : [],
      ...(options.athenaTimeoutMs ? { poll: { timeoutMs: options.athenaTimeoutMs } } : {}),
    });
    files = athena.files;
  } else files = s3Archive(clients.s3, config.auditSource, { ...period, regions: options.regions });
  const collection = await collectAudit(files, { ...period, exemptions: config.exemptions, now: options.now ?? new Date(), priorities: config.priorities });
  const modelsNow = await lookUpModelsNow(collection.calls, (where) => router.sagemakerFor(where));
  const report = buildAuditReport(collection, { ...period, source: config.auditSource, generatedAt: options.now ?? new Date() }, modelsNow, config.exemptions);
  const athenaScope = athena?.scope();
  if (athenaScope) report.scope.athena = athenaScope;
  return report;
}
