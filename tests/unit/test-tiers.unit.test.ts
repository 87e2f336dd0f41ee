import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { TIERS } from '../../vitest.config.js';

/**
 * The test tiers (tests/README.md): one file suffix each, one vitest project each. A file with no
 * tier suffix would run in no project, silently; one in the wrong tier would start moto or package
 * the service in a run meant to need neither.
 */
const root = resolve(import.meta.dirname, '../..');
type Tier = keyof typeof TIERS;

/** A test file's tier from its name, or null: the name must be `<name>.<tier>.test.ts`, with no other dot. */
export function tierOf(fileName: string): Tier | null {
  const match = /^[^.]+\.(unit|int|e2e)\.test\.ts$/.exec(fileName);
  if (!match) return null;
  return (Object.keys(TIERS) as Tier[]).find((tier) => TIERS[tier] === `.${match[1]}.test.ts`) ?? null;
}

/** Every file under tests/ (fixtures aside) whose name says it is a test: `.test.` or `.spec.`. */
function testFiles(dir = join(root, 'tests')): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'fixtures' ? [] : testFiles(path);
    return /\.(test|spec)\./.test(entry.name) ? [relative(root, path)] : [];
  });
}

const ListedSchema = z.array(z.object({ file: z.string(), projectName: z.string() }));

/** What `vitest list` says each project runs (the config as vitest reads it, not a copy of its globs). */
async function projectFiles(): Promise<Record<string, string[]>> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('VITEST')));
  const { stdout } = await promisify(execFile)(process.execPath, [join(root, 'node_modules/vitest/vitest.mjs'), 'list', '--filesOnly', '--json'], {
    cwd: root,
    env,
    maxBuffer: 16 * 1024 * 1024,
  });
  const byProject: Record<string, string[]> = {};
  for (const { file, projectName } of ListedSchema.parse(JSON.parse(stdout))) (byProject[projectName] ??= []).push(relative(root, file));
  return Object.fromEntries(Object.entries(byProject).map(([name, files]) => [name, files.sort()]));
}

/** Calls that start a local service or package the service, by the tiers that may not make them. */
const STARTS_A_SERVICE = /\b(startMoto|startWebhookListener|startFaultProxy|launchChromium)\(/;
const PACKAGES = /\b(packageService|deployPackagedStack|invokePackagedHandler)\(|'pack'/;

describe('test tiers (vitest.config.ts)', () => {
  it('reads a tier from exactly one suffix, and none from a name with no tier, two, or the old `.cli.` and `.cli.int.` forms', () => {
    expect(tierOf('scan.unit.test.ts')).toBe('unit');
    expect(tierOf('moto-harness.int.test.ts')).toBe('integration');
    expect(tierOf('package.e2e.test.ts')).toBe('e2e');
    for (const name of ['scan.test.ts', 'scan.cli.test.ts', 'enforce.cli.int.test.ts', 'x.int.unit.test.ts', 'x.unit.test.js', 'x.unit.spec.ts']) expect(tierOf(name), name).toBeNull();
  });

  it('every test file under tests/ has exactly one tier suffix', () => {
    const files = testFiles();
    expect(files.length).toBeGreaterThan(50);
    expect(files.filter((file) => tierOf(file.split('/').at(-1)!) === null)).toEqual([]);
  });

  it("each tier's project runs exactly the files with its suffix, and no file runs in two projects", { timeout: 60_000 }, async () => {
    const files = testFiles();
    const listed = await projectFiles();
    expect(Object.keys(listed).sort()).toEqual(Object.keys(TIERS).sort());
    for (const tier of Object.keys(TIERS) as Tier[]) {
      const own = files.filter((file) => tierOf(file.split('/').at(-1)!) === tier).sort();
      expect(own.length, tier).toBeGreaterThan(0);
      expect(listed[tier], tier).toEqual(own);
    }
  });

  it('a unit file starts no local AWS or other service and packages nothing; an integration file packages nothing', () => {
    const files = testFiles();
    const text = (file: string) => readFileSync(join(root, file), 'utf8');
    // This file names the calls it looks for.
    const unit = files.filter((file) => tierOf(file.split('/').at(-1)!) === 'unit' && file !== 'tests/unit/test-tiers.unit.test.ts');
    const integration = files.filter((file) => tierOf(file.split('/').at(-1)!) === 'integration');
    expect(unit.length).toBeGreaterThan(0);
    expect(integration.length).toBeGreaterThan(0);
    expect(unit.filter((file) => STARTS_A_SERVICE.test(text(file)) || PACKAGES.test(text(file)))).toEqual([]);
    expect(integration.filter((file) => PACKAGES.test(text(file)))).toEqual([]);
    // The patterns find what they look for: the end-to-end files package, the integration files start moto.
    expect(files.filter((file) => PACKAGES.test(text(file))).length).toBeGreaterThan(5);
    expect(integration.filter((file) => STARTS_A_SERVICE.test(text(file))).length).toBeGreaterThan(5);
  });

  it('the local AWS and the demo import nothing from tests/ (the demo runs without the tests)', () => {
    const sources = ['local-aws', 'scripts'].flatMap((dir) =>
      readdirSync(join(root, dir))
        .filter((name) => /\.(ts|mts|mjs)$/.test(name))
        .map((name) => `${dir}/${name}`),
    );
    expect(sources).toContain('scripts/demo.ts');
    // An import, or a file read through a URL or path relative to the module (`new URL('../tests/...')`).
    expect(sources.filter((file) => /(from |URL\(|join\([^)]*)'(\.\.\/)+tests\//.test(readFileSync(join(root, file), 'utf8')))).toEqual([]);
  });
});
