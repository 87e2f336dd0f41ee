import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { describe, expect, it } from 'vitest';
import { snsAlert } from '../../shared/alerts/sns-alert.js';
import { CreateModelRecordSchema } from '../../shared/cloudtrail/record.js';
import { decideCreateModel } from '../../shared/decision/decide-create-model.js';
import { COMMANDS, parserOptions } from '../../cli/main.js';
import { REPO_ROOT, runCli } from '../support/cli.js';
import { describedModel, ownRecord } from '../support/fixtures.js';

// The README and docs/ are part of the product: their examples must run as written.

const DOCS = ['README.md', ...readdirSync(join(REPO_ROOT, 'docs')).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`)];
const text = (path: string) => readFileSync(join(REPO_ROOT, path), 'utf8');

/** Every `npx isolation-guard ...` command line in the shell blocks of a document (continuations joined). */
function commandLines(markdown: string): string[] {
  const blocks = [...markdown.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1]!.replace(/\\\n\s*/g, ' '));
  return blocks
    .flatMap((block) => block.split('\n'))
    .map((line) => line.replace(/#.*$/, '').trim())
    .filter((line) => line.includes('npx isolation-guard '))
    .map((line) => line.slice(line.indexOf('npx isolation-guard ') + 'npx isolation-guard '.length).split(/\s+[|>&]/)[0]!.trim());
}

/** Splits a command line into words, as a shell would for these examples (quotes removed). */
const words = (line: string): string[] => [...line.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]!);

describe('the documents\' examples', () => {
  const lines = DOCS.flatMap((path) => commandLines(text(path)).map((line) => ({ path, line })));

  it('finds the examples (the check below is not vacuous)', () => {
    expect(lines.filter(({ path }) => path === 'README.md').length).toBeGreaterThanOrEqual(8);
  });

  it('name commands and options that exist', () => {
    for (const { path, line } of lines) {
      // Placeholders (`<AlertTopicArn>`, `...`) stand for a value.
      const argv = words(line).map((word) => (word === '...' || /^<.*>$/.test(word) ? 'VALUE' : word));
      const command = COMMANDS.find((candidate) => argv.slice(0, candidate.name.split(' ').length).join(' ') === candidate.name);
      expect(command, `${path}: ${line}`).toBeDefined();
      const rest = argv.slice(command!.name.split(' ').length);
      expect(() => parseArgs({ args: rest, allowPositionals: command!.positionals, strict: true, options: parserOptions(command!) }), `${path}: ${line}`).not.toThrow();
    }
  });

  it('the offline ones run as written and do what the text says', async () => {
    const table = await runCli(['evaluate', '--format', 'table', 'samples/createmodel-events.ndjson']);
    expect(table.code).toBe(1);
    expect(table.stdout).toMatch(/^VERDICT/);
    expect(table.stdout).toContain('fraud-detector-v7');
    const scp = await runCli(['policy', 'scp', '--include-jobs']);
    expect(scp.code).toBe(0);
    expect(JSON.parse(scp.stdout)).toHaveProperty('Statement');
  });

  it('the README\'s example alert is what the code writes for that call', () => {
    const readme = text('README.md');
    const example = /```text\nSubject: (.*)\n\n([\s\S]*?)\n----- The alert as JSON/.exec(readme);
    expect(example).not.toBeNull();
    const record = CreateModelRecordSchema.parse(ownRecord('createmodel_absent_terraform.json'));
    const decided = decideCreateModel(record, { exemptions: [], now: new Date('2026-11-22T12:00:00Z') });
    // The model as the README tells it: tagged data-classification=phi, environment=prod.
    const decision = { ...decided.decision, severity: 'critical' as const, classification: 'phi', production: true };
    const context = decided.context;
    const alert = snsAlert({
      decision,
      context,
      model: describedModel({ raw: {} }),
      action: { kind: 'quarantine', status: 'done', detail: 'Tagged isolation-guard:quarantine=network-isolation-disabled.' },
      mode: 'quarantine',
      dryRun: false,
      severity: 'critical',
      accountName: 'prod-ml',
    });
    expect(example![1]).toBe(alert.subject);
    expect(example![2]!.trimEnd()).toBe(alert.email.split('----- The alert as JSON')[0]!.trimEnd());
  });
});
