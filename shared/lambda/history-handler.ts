import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { z } from 'zod';
import { publishNotice } from '../alerts/sns-alert.js';
import { auditSource } from '../audit/audit-source.js';
import { renderAudit } from '../audit/render-audit.js';
import { lookUpModelsNow } from '../audit/models-now.js';
import { previousMonth, runAudit } from '../audit/run-audit.js';
import { resolveAccounts, routerFromConfig } from '../aws/accounts.js';
import { createAthenaClient, type AthenaClient } from '../aws/athena-client.js';
import type { AwsClients } from '../aws/clients.js';
import { fileEvidence, HTML_CONTENT, JSON_CONTENT } from '../aws/evidence-store.js';
import { auditReportKey } from '../aws/evidence-keys.js';
import { homeRegion, type Config } from '../config.js';
import { ConfigurationError, RecordValidationError } from '../errors.js';
import { toValidationError } from '../cloudtrail/extract.js';
import { logger } from './observability.js';
import { periodLabel } from '../reports/period.js';
import { dateOrDateTime, instantOf } from '../dates.js';

/** On demand: `{"from": "2026-10-01", "to": "2026-11-01"}`; a scheduled event has neither: the last month. */
const HistoryRequest = z.looseObject({
  from: dateOrDateTime().optional(),
  to: dateOrDateTime().optional(),
});

/**
 * The `history` Lambda: the audit report of a period (last month on its schedule, any period on
 * demand), filed as JSON and HTML in the evidence bucket and announced on the alert topic.
 */
export function createHistoryHandler(options: { config: Config; clients: AwsClients; now?: () => Date; athena?: AthenaClient }) {
  const { config, clients } = options;
  // Athena only for an athena: source (made once per cold start, at its first use, in the function's region).
  let athena = options.athena;
  return middy<unknown, { files: string[]; kpis: unknown }, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(async (event, context) => {
      if (!config.evidenceBucket) throw new ConfigurationError('ISOLATION_GUARD_EVIDENCE_BUCKET', 'required to file audit reports');
      if (config.auditSource.startsWith('evidence:')) {
        throw new ConfigurationError('auditSource', 'evidence:BUCKET merges filed reports (isolation-guard audit); the history Lambda files them from lookup, s3:// or athena:');
      }
      const parsed = HistoryRequest.safeParse(event ?? {});
      if (!parsed.success) throw toValidationError('(event)', parsed.error);
      const now = options.now?.() ?? new Date();
      const period =
        parsed.data.from && parsed.data.to ? { from: instantOf(parsed.data.from), to: instantOf(parsed.data.to) } : previousMonth(now);
      if (period.to <= period.from) throw new RecordValidationError('to', 'must be after from');
      const router = routerFromConfig(config, clients);
      const home = homeRegion();
      // An Athena query is stopped two minutes before the function's end, leaving time to read its rows and file the report.
      const athenaTimeoutMs = Math.max(10_000, (context?.getRemainingTimeInMillis?.() ?? 900_000) - 120_000);
      const source = await auditSource(
        config.auditSource,
        { ...period, regions: config.regions, home, athena: { workgroup: config.athenaWorkgroup, outputLocation: config.athenaOutputLocation, timeoutMs: athenaTimeoutMs } },
        {
          s3: async () => clients.s3,
          cloudTrailFor: (target) => router.cloudTrailFor(target),
          athena: async () => (athena ??= createAthenaClient()),
          accounts: () => resolveAccounts(config.accounts),
        },
      );
      const { report, problems } = await runAudit(source, {
        ...period,
        config,
        now,
        generatedAt: now,
        modelsNow: (calls) => lookUpModelsNow(calls, (where) => router.sagemakerFor(where)),
        s3: async () => clients.s3,
      });
      for (const problem of problems) logger.warn('Audit report incomplete', { setting: problem.setting, problem: problem.message });
      const files = await fileEvidence(clients.s3, config.evidenceBucket, [
        { key: auditReportKey(period, now, 'json'), body: renderAudit(report, 'json'), contentType: JSON_CONTENT },
        { key: auditReportKey(period, now, 'html'), body: renderAudit(report, 'html'), contentType: HTML_CONTENT },
      ]);
      if (config.topicArn) {
        await publishNotice(clients.sns, config.topicArn, {
          subject: `[isolation-guard] audit report ${periodLabel(period.from, period.to)}: ${report.kpis.violations} violation(s)`,
          message: JSON.stringify({ kind: 'audit-report', period: { from: period.from, to: period.to }, kpis: report.kpis, files }, null, 2),
          severity: report.kpis.violations > 0 ? 'high' : 'low',
          verdict: 'report',
        });
      }
      logger.info('Audit report filed', { files, kpis: report.kpis });
      return { files, kpis: report.kpis };
    });
}
