import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients } from '../../shared/aws/clients.js';
import { REPO_ROOT, runCli } from '../support/cli.js';
import { createModel } from '../../local-aws/local-stack.js';
import { awsClientConfig, motoEnvironment, startMoto, type MotoServer } from '../../local-aws/moto.js';

// The README's quick-start commands that talk to AWS, run exactly as written against the local
// AWS (the patched moto, as "Try it by hand on the local AWS" says).

let moto: MotoServer;
beforeAll(async () => {
  moto = await startMoto();
});
afterAll(async () => moto?.stop());

/** The quick start's shell lines that start with `npx isolation-guard <command>`, as words. */
function quickStart(command: string): string[] {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const quick = readme.slice(readme.indexOf('## Quick start'), readme.indexOf('\n## ', readme.indexOf('## Quick start') + 1));
  const line = quick.split('\n').find((l) => l.startsWith(`npx isolation-guard ${command} `));
  if (!line) throw new Error(`no 'npx isolation-guard ${command}' line in the README's quick start`);
  return line.replace(/#.*$/, '').trim().split(/\s+/).slice(2);
}

describe("the README's quick start against the local AWS", () => {
  it('the sweep example writes the HTML inventory of both regions and exits 1 on a violation', async () => {
    const args = quickStart('sweep');
    expect(args).toContain('--out');
    const out = join(REPO_ROOT, args[args.indexOf('--out') + 1]!);
    rmSync(out, { force: true });
    try {
      const clients = createAwsClients(awsClientConfig(moto.endpoint, 'eu-west-1'));
      await createModel(clients, 'eu-west-1', 'readme-open');
      await createModel(clients, 'eu-west-1', 'readme-isolated', true);
      const run = await runCli(args, { env: motoEnvironment(moto.endpoint, 'eu-west-1') });
      expect(run.stderr).toMatch(/2 models in 2 region\(s\): 1 violation\(s\)/);
      expect(run.code).toBe(1);
      expect(existsSync(out)).toBe(true);
      const html = readFileSync(out, 'utf8');
      expect(html).toContain('readme-open');
      expect(html).toContain('us-east-1');
    } finally {
      rmSync(out, { force: true });
    }
  });

  it('the evaluate example reads the sample and exits 1 on its violations', async () => {
    const run = await runCli(quickStart('evaluate'));
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^VERDICT/);
  });
});
