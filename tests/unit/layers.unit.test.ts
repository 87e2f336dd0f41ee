import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

const root = resolve(import.meta.dirname, '../..');
const depcruise = join(root, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');
const config = join(root, '.dependency-cruiser.cjs');

/** The part of depcruise's JSON output the test reads. */
const CruiseSchema = z.object({
  modules: z.array(z.object({ source: z.string(), dependencies: z.array(z.object({ resolved: z.string() })) })),
  summary: z.object({
    totalCruised: z.number(),
    violations: z.array(z.object({ rule: z.object({ name: z.string() }), from: z.string(), to: z.string() })),
  }),
});

/** Runs depcruise with the project's rules in `cwd` (its JSON output lists the violations; it exits 0 with them). */
async function cruise(cwd: string, paths: string[]): Promise<z.infer<typeof CruiseSchema>> {
  const { stdout } = await promisify(execFile)(process.execPath, [depcruise, '--config', config, '--output-type', 'json', ...paths], {
    cwd,
    maxBuffer: 64 * 1024 * 1024,
  });
  return CruiseSchema.parse(JSON.parse(stdout));
}

const listed = (violations: z.infer<typeof CruiseSchema>['summary']['violations']): string[] =>
  violations.map((violation) => `${violation.rule.name}: ${violation.from} → ${violation.to}`);

describe('layers (.dependency-cruiser.cjs)', () => {
  it('shared/, functions/ and cli/ keep every layering rule', { timeout: 90_000 }, async () => {
    const result = await cruise(root, ['shared', 'functions', 'cli']);
    expect(listed(result.summary.violations)).toEqual([]);
    // The check saw the code: imports written with `.js` resolve to the `.ts` files.
    expect(result.summary.totalCruised).toBeGreaterThan(100);
    const enforce = result.modules.find((module) => module.source === 'functions/enforce.ts');
    expect(enforce?.dependencies.map((dependency) => dependency.resolved)).toContain('shared/lambda/enforce-handler.ts');
  });

  it('fails, naming the rule and the import, when a folder cycle, an adapter in the decision core, an upward import or an AWS SDK import outside shared/aws/ appears', { timeout: 90_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'layers-'));
    try {
      const files: Record<string, string> = {
        'tsconfig.json': JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', noEmit: true } }),
        'shared/decision/decide.ts': "import { send } from '../alerts/send.js';\nexport const decide = (): string => send();\n",
        'shared/alerts/send.ts': "import { decide } from '../decision/decide.js';\nexport const send = (): string => typeof decide;\n",
        'shared/model/kind.ts': "import { run } from '../../cli/main.js';\nexport const kind = run;\n",
        'cli/main.ts': 'export const run = 1;\n',
        // An SDK client in a handler, and an SDK type (a type-only import) in a decision layer: both go through shared/aws/.
        'shared/lambda/handler.ts': "import { PublishCommand } from '@aws-sdk/client-sns';\nexport const handler = (): unknown => new PublishCommand({ Message: 'm' });\n",
        'shared/cloudtrail/parse.ts': "import type { Event } from '@aws-sdk/client-cloudtrail';\nexport const parse = (event: Event): string => event.EventId ?? '';\n",
        // Elsewhere in shared/, the SDK only through an adapter of shared/aws/ (which may import it).
        'shared/audit/read.ts': "import { GetObjectCommand } from '@aws-sdk/client-s3';\nimport { get } from '../aws/s3.js';\nexport const read = (): unknown => get(new GetObjectCommand({ Bucket: 'b', Key: 'k' }));\n",
        'shared/aws/s3.ts': "import type { GetObjectCommand } from '@aws-sdk/client-s3';\nexport const get = (command: GetObjectCommand): unknown => command.input;\n",
      };
      for (const [path, text] of Object.entries(files)) {
        await mkdir(dirname(join(dir, path)), { recursive: true });
        await writeFile(join(dir, path), text);
      }
      await copyFile(config, join(dir, '.dependency-cruiser.cjs'));
      // The SDK resolves as in the project (to node_modules/@aws-sdk/...), not as an unknown name.
      await symlink(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');

      const result = await cruise(dir, ['shared', 'cli']);

      const violations = listed(result.summary.violations);
      expect(violations).toContain('decision-core-is-pure: shared/decision/decide.ts → shared/alerts/send.ts');
      expect(violations).toContain('shared-not-to-entry-points: shared/model/kind.ts → cli/main.ts');
      expect(violations).toContain('model-is-the-bottom-layer: shared/model/kind.ts → cli/main.ts');
      expect(result.summary.violations.map((violation) => violation.rule.name)).toContain('no-folder-cycles-in-shared');
      const sdk = violations.filter((violation) => violation.startsWith('no-aws-sdk-in-handlers-or-decisions: '));
      expect(sdk).toEqual([
        expect.stringMatching(/^no-aws-sdk-in-handlers-or-decisions: shared\/cloudtrail\/parse\.ts → .*node_modules\/@aws-sdk\/client-cloudtrail\//),
        expect.stringMatching(/^no-aws-sdk-in-handlers-or-decisions: shared\/lambda\/handler\.ts → .*node_modules\/@aws-sdk\/client-sns\//),
      ]);
      expect(violations.filter((violation) => violation.startsWith('aws-sdk-only-in-shared-aws: '))).toEqual([
        expect.stringMatching(/^aws-sdk-only-in-shared-aws: shared\/audit\/read\.ts → .*node_modules\/@aws-sdk\/client-s3\//),
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
