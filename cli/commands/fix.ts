import { setTimeout as sleep } from 'node:timers/promises';
import { routerFromConfig } from '../../shared/aws/accounts.js';
import { createAwsClients } from '../../shared/aws/clients.js';
import { homeRegion, type Config } from '../../shared/config.js';
import { fixModel } from '../../shared/fix/fix-model.js';
import { fixReport, fixText } from '../../shared/fix/render-fix.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { jsonLine, printable } from '../format-table.js';
import type { CliIo } from '../io.js';

export interface FixCommandOptions {
  modelName: string;
  region: string | null;
  /** The model's account (through the member role); null: the credentials' own. */
  account: string | null;
  apply: boolean;
  deleteOld: boolean;
  force: boolean;
  rollbackAlarms: string[];
  format: 'text' | 'json';
  /** How long each endpoint is waited for. */
  waitMs: number;
  config: Config;
  env: NodeJS.ProcessEnv;
}

/**
 * `isolation-guard fix MODEL`: the plan (without --apply), or the plan made (with it). Exit 0: done,
 * or nothing to do, or the plan printed; 2: no such model, a name in the way, or an IaC-managed
 * model without --force; 3: a step failed (each step says whether it was made).
 */
export async function fixCommand(options: FixCommandOptions, io: CliIo): Promise<ExitCode> {
  const region = homeRegion({ given: options.region, env: options.env });
  const clients = createAwsClients({ region });
  const router = routerFromConfig(options.config, clients, { region });
  const sagemaker = await router.sagemakerFor({ account: options.account, region });
  const result = await fixModel(sagemaker, {
    modelName: options.modelName,
    region,
    apply: options.apply,
    options: { iacTagKeys: options.config.iacTagKeys, force: options.force, deleteOld: options.deleteOld, rollbackAlarms: options.rollbackAlarms },
    wait: {
      timeoutMs: options.waitMs,
      pollMs: 30_000,
      sleep: (ms) => sleep(ms),
      now: () => Date.now(),
      // Progress goes to stderr, so stdout stays the plan (and JSON stays one document).
      progress: (line) => io.stderr(`isolation-guard: ${printable(line)}`),
    },
  });
  const report = fixReport(result, { region, account: options.account });
  if (options.format === 'json') io.stdout(jsonLine(report));
  else for (const line of fixText(report)) io.stdout(printable(line));
  switch (report.status) {
    case 'missing':
      io.stderr(`isolation-guard: model ${printable(options.modelName)}: no such model in ${region}${options.account ? ` (account ${options.account})` : ''}`);
      return EXIT.inputError;
    case 'refused':
    case 'conflict':
      io.stderr(`isolation-guard: model ${printable(options.modelName)}: ${printable(report.reason ?? '')}`);
      return EXIT.inputError;
    default:
      return report.ok === false ? EXIT.effectFailed : EXIT.ok;
  }
}
