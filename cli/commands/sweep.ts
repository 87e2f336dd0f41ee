import { hintForErrorText } from '../aws-errors.js';
import { createAwsClients } from '../../shared/aws/clients.js';
import { resourceRegions } from '../../shared/aws/resource-regions.js';
import { isAllRegions, resolveRegions } from '../../shared/aws/regions.js';
import { resolveAccounts, routerFromConfig } from '../../shared/aws/accounts.js';
import { homeRegion, type Config } from '../../shared/config.js';
import { enforcementDeps, enforcementSettings } from '../../shared/enforcement/deps.js';
import { inventorySummary, renderInventory } from '../../shared/reports/inventory-report.js';
import { sweepModels } from '../../shared/sweep/sweep.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { printable } from '../format-table.js';
import type { CliIo } from '../io.js';
import { reportOutput, writeReport, type CliReportFormat } from '../pdf.js';
import { warnIfNobodyIsTold } from '../warnings.js';
import { progressBar } from '../progress.js';

export interface SweepCommandOptions {
  config: Config;
  format: CliReportFormat;
  out: string | null;
  region: string | null;
  concurrency: number;
  /** The environment the command was run with (AWS_REGION, CHROMIUM_PATH, PATH). */
  env: NodeJS.ProcessEnv;
}

/**
 * `isolation-guard sweep`: every model in the regions, decided and sent through the enforcement
 * pipeline, with the inventory as a report. Exit 0: all compliant or exempt; 1: violations;
 * 2: a region or a model could not be read (the others are still reported); 3: an effect (action,
 * alert, ledger) failed, with the count and the causes on stderr.
 */
export async function sweepCommand(options: SweepCommandOptions, io: CliIo): Promise<ExitCode> {
  const output = reportOutput(options.format, options.out, options.env);
  const home = homeRegion({ given: options.region, env: options.env });
  const clients = createAwsClients({ region: home, regions: resourceRegions({ topicArn: options.config.topicArn, table: options.config.idempotencyTable }, options.region) });
  warnIfNobodyIsTold(options.config, io);
  const router = routerFromConfig(options.config, clients, { region: home });
  const deps = enforcementDeps(options.config, clients, { router });
  const regions = resolveRegions(options.config.regions, home);
  const accounts = await resolveAccounts(options.config.accounts, { region: home }, options.config.accountNames);
  const bar = progressBar();
  const result = await sweepModels(
    {
      regions,
      accounts,
      concurrency: options.concurrency,
      reminderDays: options.config.reminderDays,
      onProgress: (p) => bar.update(p.region, p.done, p.total),
      ...(isAllRegions(options.config.regions) ? { enabledRegionsOf: (account: string | null) => router.enabledRegionsOf(account) } : {}),
    },
    enforcementSettings(options.config),
    deps,
  );
  bar.finish();
  await writeReport(output, (format) => renderInventory(result, format), io);

  const summary = inventorySummary(result);
  // One line per cause: no credentials fails every region alike (32 with --regions all), said once with its hint.
  const byCause = new Map<string, typeof result.regions>();
  for (const region of result.regions) if (region.error) byCause.set(region.error, [...(byCause.get(region.error) ?? []), region]);
  for (const [cause, failed] of byCause) {
    const where = failed.map((r) => (r.account ? `${r.account}/${r.region}` : r.region));
    const hint = hintForErrorText(cause, options.env);
    const places = failed.length === 1 ? (failed[0]!.account ? `account ${failed[0]!.account} region ${failed[0]!.region}` : `region ${failed[0]!.region}`) : `${failed.length} regions (${where.slice(0, 4).join(', ')}${where.length > 4 ? ', ...' : ''})`;
    io.stderr(`isolation-guard: ${places} could not be read: ${printable(cause)}${hint ? `; ${hint}` : ''}`);
  }
  for (const reminder of result.reminders ?? []) {
    const said = reminder.status === 'failed' ? `reminder failed: ${printable(reminder.error ?? '')}` : `reminder ${reminder.status}`;
    io.stderr(`isolation-guard: exception ${printable(reminder.id)} expires ${reminder.expires} (${reminder.daysLeft} day(s) left): ${said}`);
  }
  for (const model of result.models) {
    if (model.error) io.stderr(`isolation-guard: model ${printable(model.modelName)} in ${model.region} could not be read: ${printable(model.error)}`);
  }
  io.stderr(
    `isolation-guard: ${summary.models} models in ${regions.length} region(s): ${summary.violations} violation(s), ${summary.exempt} exempt, ${summary.fixed} fixed, ${summary.quarantined} quarantined` +
      (summary.unreadable > 0 ? `, ${summary.unreadable} not readable (not proven isolated)` : ''),
  );
  if (summary.effectFailures.length > 0) {
    // The causes, each once (one missing table fails every model's steps alike).
    const causes = [...new Set(summary.effectFailures.map((f) => f.why))];
    io.stderr(`isolation-guard: ${summary.effectFailures.length} effect(s) failed on ${new Set(summary.effectFailures.map((f) => f.model)).size} model(s); run the sweep again once fixed:`);
    for (const cause of causes) io.stderr(`isolation-guard:   ${printable(cause)}`);
  }
  // 2 (something could not be read) wins over 3 (an effect failed), which wins over 1 (violations).
  if (summary.regionsFailed.length > 0 || summary.unreadable > 0) return EXIT.inputError;
  if (summary.effectFailures.length > 0) return EXIT.effectFailed;
  return summary.violations > 0 ? EXIT.violation : EXIT.ok;
}
