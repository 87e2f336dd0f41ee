import packageJson from '../package.json' with { type: 'json' };
import { flagName, isSwitch, settingInfo } from '../shared/config.js';
import { COMMANDS, type CommandSpec } from './declarations.js';
import type { ExitCode } from './exit-codes.js';

/** Help, generated from the declarations (cli/declarations.ts) and the settings (shared/config.ts). */

const EXIT_WORDS: Record<ExitCode, string> = {
  0: 'nothing non-compliant found',
  1: 'at least one violation',
  2: 'an input, source, setting or option could not be read (wins over 1)',
  3: 'an effect (remediation or alert) failed: replay the event',
};

/** The first words of the commands: `policy` groups `policy scp` and `policy iam`. */
export const GROUPS = [...new Set(COMMANDS.map((command) => command.name.split(' ')[0]!))];

function columns(rows: Array<[string, string]>, indent = 2): string[] {
  const width = Math.min(34, Math.max(...rows.map(([left]) => left.length)) + 2);
  return rows.map(([left, right]) =>
    left.length + 2 > width ? `${' '.repeat(indent)}${left}\n${' '.repeat(indent + width)}${right}` : `${' '.repeat(indent)}${left.padEnd(width)}${right}`,
  );
}

const optionLabel = (name: string, spec: { value?: string; type?: string }) =>
  spec.value && spec.type !== 'boolean' ? `--${name} ${spec.value}` : `--${name}`;

export function overviewHelp(): string {
  const rows: Array<[string, string]> = COMMANDS.map((command) => [command.name, command.summary]);
  return [
    `isolation-guard ${packageJson.version}: every Amazon SageMaker model runs with network isolation.`,
    '',
    'Usage: isolation-guard <command> [options]',
    '',
    'Commands:',
    ...columns(rows),
    '',
    "Run 'isolation-guard <command> --help' (or 'isolation-guard help <command>') for a command's options.",
    '',
    'Exit codes:',
    ...columns(Object.entries(EXIT_WORDS).map(([code, words]) => [code, words])),
    '',
    'Settings are flags, ISOLATION_GUARD_<NAME> environment variables or keys of --config FILE (JSON);',
    'flags win, then the environment, then the file. --version prints the version.',
  ].join('\n');
}

export function commandHelp(command: CommandSpec): string {
  const options = columns([
    ...Object.entries(command.options).map(([name, spec]): [string, string] => [optionLabel(name, spec), spec.help]),
    ...(command.settings.length > 0 ? [['--config FILE', 'settings as JSON (keys are the settings\' camelCase names)'] as [string, string]] : []),
    ['--help', 'this help'],
  ]);
  const settings = command.settings.map((name): [string, string] => {
    const info = settingInfo(name);
    const type = isSwitch(name) ? 'boolean' : 'string';
    return [optionLabel(flagName(name).slice(2), { value: info.value ?? (type === 'boolean' ? undefined : 'VALUE'), type }), info.help ?? ''];
  });
  return [
    `Usage: isolation-guard ${command.name} ${command.synopsis}`.trimEnd(),
    '',
    command.summary,
    ...(command.description ? [command.description] : []),
    '',
    'Options:',
    ...options,
    ...(settings.length > 0 ? ['', 'Settings (also ISOLATION_GUARD_<NAME> or a --config key):', ...columns(settings)] : []),
    '',
    'Exit codes:',
    ...columns(Object.entries(command.exits).map(([code, words]) => [code, words])),
  ].join('\n');
}

export function groupHelp(group: string): string {
  const subcommands = COMMANDS.filter((command) => command.name.startsWith(`${group} `));
  return [
    `Usage: isolation-guard ${group} <${subcommands.map((command) => command.name.split(' ')[1]).join('|')}> [options]`,
    '',
    ...columns(subcommands.map((command) => [command.name, command.summary])),
    '',
    `Run 'isolation-guard ${group} <subcommand> --help' for its options.`,
  ].join('\n');
}
