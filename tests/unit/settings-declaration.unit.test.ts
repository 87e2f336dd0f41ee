import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { COMMANDS } from '../../cli/declarations.js';
import { envName, homeRegion, isSwitch, settingInfo, SETTING_NAMES } from '../../shared/config.js';
import { staleSettingsTable } from '../../scripts/settings-table.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** `ISOLATION_GUARD_*` entries of serverless.yml's environment blocks: the variable and what it is set to. */
function serverlessEnvironment(): Array<{ line: number; variable: string; value: string }> {
  return readFileSync(join(ROOT, 'serverless.yml'), 'utf8')
    .split('\n')
    .flatMap((text, index) => {
      const match = /^\s+(ISOLATION_GUARD_[A-Z_]+):\s*(.*?)\s*$/.exec(text);
      return match ? [{ line: index + 1, variable: match[1]!, value: match[2]! }] : [];
    });
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)));
}

describe('each setting is declared once, in shared/config.ts', () => {
  it("the README's settings table is the one generated from the declarations (npm run docs:settings)", () => {
    expect(staleSettingsTable(README)).toBeNull();
  });

  it('a stale README table is caught, naming the line and the command that fixes it', () => {
    const stale = README.replace(/^\| `reminderDays` \| all \| `7` \|/m, '| `reminderDays` | all | `14` |');
    expect(stale).not.toBe(README);
    expect(staleSettingsTable(stale)).toMatch(/^README\.md line \d+: .*reminderDays.*; run npm run docs:settings$/);
    const removedRow = README.replace(/^\| `classes` .*\n/m, '');
    expect(staleSettingsTable(removedRow)).toMatch(/run npm run docs:settings/);
    expect(staleSettingsTable(README.replace('<!-- settings:end -->', ''))).toMatch(/markers .* are missing/);
  });

  it("serverless.yml's ISOLATION_GUARD_ variables are settings, from the stage parameter or stack resource each declares", () => {
    const entries = serverlessEnvironment();
    expect(entries.length).toBeGreaterThan(20);
    const byEnv = new Map(SETTING_NAMES.map((name) => [envName(name), name]));
    for (const { line, variable, value } of entries) {
      const name = byEnv.get(variable);
      expect(name, `serverless.yml line ${line}: ${variable} is no setting`).toBeDefined();
      const lambda = settingInfo(name!).lambda;
      const param = /^\$\{param:([A-Za-z]+)\}$/.exec(value)?.[1];
      if (param !== undefined) expect(lambda, `serverless.yml line ${line}: ${variable}`).toEqual({ param });
      else expect(lambda, `serverless.yml line ${line}: ${variable} (${value || 'a CloudFormation value'})`).toBe('stack');
    }
    // And every setting a Lambda reads is given to one.
    const given = new Set(entries.map((entry) => entry.variable));
    const declared = SETTING_NAMES.filter((name) => settingInfo(name).lambda !== undefined);
    expect(declared.filter((name) => !given.has(envName(name)))).toEqual([]);
  });

  it("the CLI's settings and their help come from the declarations: every setting a command takes has help, and a value name unless a switch", () => {
    const taken = new Set(COMMANDS.flatMap((command) => command.settings));
    expect(taken.size).toBeGreaterThan(20);
    for (const name of taken) {
      const info = settingInfo(name);
      expect(info.help, name).toBeTruthy();
      expect(info.value === undefined, name).toBe(isSwitch(name));
    }
    const sweep = COMMANDS.find((command) => command.name === 'sweep')!;
    expect(sweep.settings).toEqual(SETTING_NAMES.filter((name) => settingInfo(name).commands?.includes('sweep')));
  });
});

describe('the home region is resolved in one place', () => {
  it('the one given, else AWS_REGION, else a resource region, else us-east-1', () => {
    expect(homeRegion({ given: 'eu-west-1', env: { AWS_REGION: 'us-west-2' }, otherwise: 'ap-south-1' })).toBe('eu-west-1');
    expect(homeRegion({ given: null, env: { AWS_REGION: 'us-west-2' }, otherwise: 'ap-south-1' })).toBe('us-west-2');
    expect(homeRegion({ env: {}, otherwise: 'ap-south-1' })).toBe('ap-south-1');
    expect(homeRegion({ env: {} })).toBe('us-east-1');
  });

  it('no module of shared/, functions/ or cli/ but shared/config.ts reads AWS_REGION', () => {
    const files = ['shared', 'functions', 'cli'].flatMap(sourceFiles);
    expect(files.length).toBeGreaterThan(100);
    const reads = files.filter((file) => file !== 'shared/config.ts' && /\.AWS_REGION\b|\[\s*['"`]AWS_REGION['"`]\s*\]/.test(readFileSync(join(ROOT, file), 'utf8')));
    expect(reads).toEqual([]);
  });
});

describe("the command line's options are typed at the edge", () => {
  it("every command's schema parses exactly its declared options (--org and --workgroup fold into settings)", () => {
    for (const command of COMMANDS) {
      const schema = command.schema();
      expect(schema, command.name).toBeInstanceOf(z.ZodObject);
      const keys = Object.keys((schema as z.ZodObject).shape);
      expect(keys.filter((key) => key !== 'positionals' && !(key in command.options)), command.name).toEqual([]);
      expect(Object.keys(command.options).filter((option) => !keys.includes(option) && option !== 'org' && option !== 'workgroup'), command.name).toEqual([]);
      expect(keys.includes('positionals') || !command.positionals, command.name).toBe(true);
    }
  });
});
