import { parseArgs } from 'node:util';
import { distance as editDistance } from 'fastest-levenshtein';
import packageJson from '../package.json' with { type: 'json' };
import { flagName, isSwitch } from '../shared/config.js';
import { IsolationGuardError, UsageError } from '../shared/errors.js';
import { describeAwsError, isAwsError } from './aws-errors.js';
import { COMMANDS, type CommandSpec } from './declarations.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import { commandHelp, GROUPS, groupHelp, overviewHelp } from './help.js';
import { checkOutDestination, processIo, type CliIo } from './io.js';
import { parseOptions, POSITIONALS } from './option-schemas.js';

/**
 * Running a command line: find the command, parse its arguments (parseArgs, then the command's
 * options schema), run it, and turn typed errors into exit codes. The commands are declared in
 * cli/declarations.ts, their help is generated in cli/help.ts.
 */

export { COMMANDS, type CommandSpec, type OptionSpec } from './declarations.js';

interface Parsed {
  values: Record<string, unknown>;
  positionals: string[];
}

// ---------------------------------------------------------------------------------------------
// Suggestions for typos.

/** The closest candidate within a few edits (or one the word starts), if any. */
export function closest(word: string, candidates: string[]): string | null {
  let best: { candidate: string; distance: number } | null = null;
  for (const candidate of candidates) {
    const distance = candidate.startsWith(word) && word.length >= 3 ? 0.5 : editDistance(word, candidate);
    if (distance <= Math.max(2, Math.floor(candidate.length / 4)) && (!best || distance < best.distance)) best = { candidate, distance };
  }
  return best?.candidate ?? null;
}

// ---------------------------------------------------------------------------------------------
// Running a command line.

export function parserOptions(command: CommandSpec) {
  const options: Record<string, { type: 'string' | 'boolean'; default?: string | boolean; multiple?: boolean }> = {};
  for (const [name, spec] of Object.entries(command.options)) {
    options[name] = { type: spec.type, ...(spec.default !== undefined ? { default: spec.default } : {}), ...(spec.multiple ? { multiple: true } : {}) };
  }
  for (const name of command.settings) options[flagName(name).slice(2)] = { type: isSwitch(name) ? 'boolean' : 'string' };
  if (command.settings.length > 0) options.config = { type: 'string' };
  return options;
}

/**
 * `--reminder-days -3`: parseArgs takes `-3` for an option and says the flag "takes no value"; a
 * value option followed by a negative number gets it as its value, which the setting then refuses
 * for what it is (`expected a number of days (0 or more), got "-3"`).
 */
function negativeValues(args: string[], command: CommandSpec): string[] {
  const options = parserOptions(command);
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const next = args[i + 1];
    if (arg.startsWith('--') && !arg.includes('=') && options[arg.slice(2)]?.type === 'string' && next !== undefined && /^-\d/.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}

/** parseArgs' own messages name the internals (`ERR_PARSE_ARGS_...`, an unclosed quote): say it plainly. */
function argumentError(error: { code: string; message: string }, command: CommandSpec): UsageError {
  const known = Object.keys(parserOptions(command)).map((name) => `--${name}`);
  if (error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const option = /option '([^']+)'/i.exec(error.message)?.[1] ?? 'given';
    const suggestion = closest(option.replace(/=.*$/, ''), known);
    return new UsageError(`${command.name}: unknown option ${option}${suggestion ? ` (did you mean ${suggestion}?)` : ''}`);
  }
  if (error.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const option = /'(--?[\w-]+)/.exec(error.message)?.[1];
    return new UsageError(option ? `${command.name}: ${option} ${/argument missing/.test(error.message) ? 'needs a value' : 'takes no value'}` : `${command.name}: ${error.message}`);
  }
  if (error.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
    const argument = /argument '([^']*)'/.exec(error.message)?.[1];
    return new UsageError(`${command.name} takes no arguments${argument !== undefined ? `, got ${JSON.stringify(argument)}` : ''}`);
  }
  return new UsageError(`${command.name}: ${error.message}`);
}

const wantsHelp = (args: string[]): boolean => {
  const end = args.indexOf('--');
  return (end < 0 ? args : args.slice(0, end)).some((arg) => arg === '--help' || arg === '-h');
};

/** Finds the command an argv names: `policy scp` takes two words. Throws a UsageError with a suggestion. */
function findCommand(argv: string[]): { command: CommandSpec; rest: string[] } | { group: string } {
  const [first = '', second, ...more] = argv;
  if (GROUPS.includes(first) && !COMMANDS.some((command) => command.name === first)) {
    const sub = COMMANDS.find((command) => command.name === `${first} ${second}`);
    if (sub) return { command: sub, rest: more };
    if (second === undefined || second === '--help' || second === '-h' || second === 'help') return { group: first };
    const names = COMMANDS.filter((command) => command.name.startsWith(`${first} `)).map((command) => command.name.split(' ')[1]!);
    const suggestion = closest(second, names);
    throw new UsageError(`${first}: expected a subcommand (${names.join(' or ')}), got ${JSON.stringify(second)}${suggestion ? ` (did you mean '${first} ${suggestion}'?)` : ''}`);
  }
  const command = COMMANDS.find((candidate) => candidate.name === first);
  if (command) return { command, rest: argv.slice(1) };
  const suggestion = closest(first, GROUPS);
  throw new UsageError(`unknown command ${JSON.stringify(first)}${suggestion ? ` (did you mean '${suggestion}'?)` : ''}`);
}

/** `--region` (a home region): one AWS lists, checked before any call is made with it. */
async function checkRegionOption(values: Record<string, unknown>): Promise<void> {
  const region = values.region;
  if (typeof region !== 'string') return;
  const { isKnownRegion } = await import('../shared/aws/known-regions.js');
  if (!isKnownRegion(region)) {
    throw new UsageError(`--region: unknown region ${JSON.stringify(region)} (expected a region code of an AWS partition, such as eu-west-1)`);
  }
}

/** Runs one command line; typed errors become exit codes here and nowhere else. */
export async function run(argv: string[], io: CliIo = processIo, env: NodeJS.ProcessEnv = process.env): Promise<ExitCode> {
  const [first] = argv;
  if (first === undefined) {
    io.stderr(overviewHelp());
    return EXIT.inputError;
  }
  if (first === '--version' || first === '-v' || first === 'version') {
    io.stdout(packageJson.version);
    return EXIT.ok;
  }
  let command: CommandSpec | null = null;
  try {
    if (first === 'help' || first === '--help' || first === '-h') {
      const topic = argv.slice(1);
      if (topic.length === 0) io.stdout(overviewHelp());
      else {
        const found = findCommand(topic);
        io.stdout('group' in found ? groupHelp(found.group) : commandHelp(found.command));
      }
      return EXIT.ok;
    }
    const found = findCommand(argv);
    if ('group' in found) {
      // `policy` alone is a usage error (exit 2, on stderr); `policy --help` is help.
      if (argv.length > 1) io.stdout(groupHelp(found.group));
      else io.stderr(groupHelp(found.group));
      return argv.length > 1 ? EXIT.ok : EXIT.inputError;
    }
    command = found.command;
    if (wantsHelp(found.rest)) {
      io.stdout(commandHelp(command));
      return EXIT.ok;
    }
    let parsed: Parsed;
    try {
      parsed = parseArgs({ args: negativeValues(found.rest, command), allowPositionals: command.positionals, strict: true, options: parserOptions(command) }) as Parsed;
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) throw argumentError(error as { code: string; message: string }, command);
      throw error;
    }
    // Where the output goes is checked before any work (and any alert) is done.
    if (typeof parsed.values.out === 'string') await checkOutDestination(parsed.values.out);
    await checkRegionOption(parsed.values);
    // The command's typed options (bad values: a UsageError naming the option).
    const options = parseOptions(command.schema(), { ...parsed.values, [POSITIONALS]: parsed.positionals });
    return await command.run({ options, values: parsed.values }, io, env);
  } catch (error) {
    if (error instanceof IsolationGuardError) {
      io.stderr(`isolation-guard: ${error.message}`);
      if (error instanceof UsageError) io.stderr(`Run 'isolation-guard ${command ? `${command.name} ` : ''}--help' for usage.`);
      return EXIT.inputError;
    }
    if (isAwsError(error)) {
      // An AWS call the command could not do without (a bucket, a queue, a table, credentials).
      io.stderr(`isolation-guard: ${describeAwsError(error, env)}`);
      return EXIT.inputError;
    }
    throw error;
  }
}
