import { parseArgs } from 'node:util';
import { loadConfig, type SettingName } from '../shared/config.js';
import { IsolationGuardError, UsageError } from '../shared/errors.js';
import { evaluateCommand } from './commands/evaluate.js';
import { readConfigFile } from './config-file.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import { processIo, type CliIo } from './io.js';

const USAGE = `Usage: isolation-guard <command> [options]

Commands:
  evaluate [PATH|-]...   Decide every SageMaker CreateModel call recorded in CloudTrail files
                         (records, EventBridge events, log files {"Records":[...]}, JSON arrays,
                         NDJSON, gzip of any of those). Reads stdin when no PATH is given.
      --format json|table              one JSON line per call (default) or a readable table
      --config FILE                    settings as JSON (same names as the Lambda's environment)
      --exempt-tag-keys LIST           KEY or KEY=VALUE globs, each optionally |YYYY-MM-DD (expiry)
      --exempt-model-name-patterns LIST
      --exempt-principal-patterns LIST
      --as-of DATE                     judge exemption expiry at this instant (default: now)

Exit codes: 0 no violation, 1 at least one violation, 2 an input or setting could not be read.
Settings also come from ISOLATION_GUARD_* environment variables (flags win over them).`;

const EXEMPTION_FLAGS = ['exemptTagKeys', 'exemptModelNamePatterns', 'exemptPrincipalPatterns'] as const satisfies SettingName[];

async function evaluateMain(args: string[], io: CliIo, env: NodeJS.ProcessEnv): Promise<ExitCode> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      format: { type: 'string', default: 'json' },
      config: { type: 'string' },
      'exempt-tag-keys': { type: 'string' },
      'exempt-model-name-patterns': { type: 'string' },
      'exempt-principal-patterns': { type: 'string' },
      'as-of': { type: 'string' },
    },
  });
  if (values.format !== 'json' && values.format !== 'table') {
    throw new UsageError(`--format: expected json or table, got ${JSON.stringify(values.format)}`);
  }
  const now = values['as-of'] === undefined ? new Date() : new Date(values['as-of']);
  if (Number.isNaN(now.getTime())) throw new UsageError(`--as-of: not a date: ${JSON.stringify(values['as-of'])}`);
  const flags: Partial<Record<SettingName, unknown>> = {};
  for (const name of EXEMPTION_FLAGS) flags[name] = values[flagKey(name)];
  const config = loadConfig({ flags, env, file: values.config ? await readConfigFile(values.config) : undefined });
  return evaluateCommand({ inputs: positionals, format: values.format, exemptions: config.exemptions, now }, io);
}

// `exemptTagKeys` → `exempt-tag-keys`, the key parseArgs uses.
const flagKey = (name: SettingName) =>
  name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase() as 'exempt-tag-keys' | 'exempt-model-name-patterns' | 'exempt-principal-patterns';

/** Runs one command line; typed errors become exit codes here and nowhere else. */
export async function run(argv: string[], io: CliIo = processIo, env: NodeJS.ProcessEnv = process.env): Promise<ExitCode> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'evaluate':
        return await evaluateMain(rest, io, env);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.stdout(USAGE);
        return command === undefined ? EXIT.inputError : EXIT.ok;
      default:
        throw new UsageError(`unknown command ${JSON.stringify(command)}`);
    }
  } catch (error) {
    // parseArgs throws TypeErrors with a code for unknown or malformed flags.
    const isArgError = typeof (error as { code?: unknown }).code === 'string' && String((error as { code: string }).code).startsWith('ERR_PARSE_ARGS');
    if (error instanceof IsolationGuardError || isArgError) {
      io.stderr(`isolation-guard: ${(error as Error).message}`);
      if (error instanceof UsageError || isArgError) io.stderr(`Run 'isolation-guard help' for usage.`);
      return EXIT.inputError;
    }
    throw error;
  }
}
