import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { COMMANDS, closest } from '../../cli/main.js';
import { REPO_ROOT, runCli, runCliInProcess } from '../support/cli.js';

const version = (JSON.parse(readFileSync(`${REPO_ROOT}/package.json`, 'utf8')) as { version: string }).version;

// Help and mistakes are what `run` (cli/main.ts) prints: run in-process; --version and the bare
// command are run as the built command, as a user starts it.
describe('isolation-guard help, --version and mistakes', () => {
  it('prints the overview with every command and the exit codes', async () => {
    const { code, stdout } = await runCliInProcess(['help']);
    expect(code).toBe(0);
    for (const command of COMMANDS) expect(stdout).toContain(`  ${command.name} `);
    expect(stdout).toMatch(/Exit codes:\n\s+0 .*\n\s+1 .*\n\s+2 .*\n\s+3 /);
  });

  it('COMMAND --help and help COMMAND print that command\'s help only, with every option it accepts', async () => {
    const viaFlag = await runCliInProcess(['audit', '--help']);
    const viaHelp = await runCliInProcess(['help', 'audit']);
    expect(viaFlag.code).toBe(0);
    expect(viaFlag.stdout).toBe(viaHelp.stdout);
    expect(viaFlag.stdout).toMatch(/^Usage: isolation-guard audit --from DATE --to DATE/);
    for (const flag of ['--from DATE', '--to DATE', '--source', '--offline', '--format', '--out FILE', '--org', '--accounts', '--account-names', '--evidence-bucket', '--config FILE']) {
      expect(viaFlag.stdout).toContain(flag);
    }
    expect(viaFlag.stdout).not.toContain('Usage: isolation-guard evaluate');
    const evaluate = await runCliInProcess(['help', 'evaluate']);
    expect(evaluate.stdout).toContain('--as-of DATE');
    expect(evaluate.stdout).not.toContain('--from-dlq');
  });

  it('accepts every option its help lists (the help is generated from what the parser takes)', async () => {
    // An option that is only in the help would fail here with "unknown option".
    const { stdout } = await runCliInProcess(['policy', 'iam', '--help']);
    expect(stdout).toContain('--member-role-name NAME');
    const run = await runCliInProcess(['policy', 'iam', '--delete-mode', '--account', '123456789012', '--region', 'eu-west-1', '--partition', 'aws', '--member-role-name', 'm', '--org']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toBeTypeOf('object');
  });

  it('--version prints the package version', async () => {
    const { code, stdout } = await runCli(['--version']);
    expect(code).toBe(0);
    expect(stdout.trim()).toBe(version);
  });

  it('suggests the command or option meant, in plain words, exit 2', async () => {
    const command = await runCliInProcess(['evalute', 'x.json']);
    expect(command.code).toBe(2);
    expect(command.stderr).toContain(`unknown command "evalute" (did you mean 'evaluate'?)`);
    const option = await runCliInProcess(['audit', '--ofline']);
    expect(option.code).toBe(2);
    expect(option.stderr).toContain('audit: unknown option --ofline (did you mean --offline?)');
    expect(option.stderr).not.toMatch(/ERR_PARSE_ARGS|To specify a positional/);
    const missing = await runCliInProcess(['audit', '--from']);
    expect(missing.stderr).toContain('audit: --from needs a value');
    const positional = await runCliInProcess(['sweep', 'eu-west-1']);
    expect(positional.stderr).toContain('sweep takes no arguments, got "eu-west-1"');
  });

  it('policy alone names its subcommands (exit 2); a misspelt one is suggested', async () => {
    const alone = await runCliInProcess(['policy']);
    expect(alone.code).toBe(2);
    expect(alone.stderr).toContain('Usage: isolation-guard policy <scp|iam>');
    const typo = await runCliInProcess(['policy', 'spc']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain(`did you mean 'policy scp'?`);
  });

  it('no command prints the overview on stderr and exits 2', async () => {
    const { code, stderr, stdout } = await runCli([]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('Usage: isolation-guard <command>');
  });

  it('closest() suggests within a few edits and nothing for an unrelated word', () => {
    expect(closest('swep', ['evaluate', 'sweep', 'audit'])).toBe('sweep');
    expect(closest('aud', ['evaluate', 'sweep', 'audit'])).toBe('audit');
    expect(closest('kubernetes', ['evaluate', 'sweep', 'audit'])).toBeNull();
  });
});
