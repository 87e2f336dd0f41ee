import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IsolationGuardError } from '../../shared/errors.js';
import { errorMessage, errorText } from '../../shared/model/error-text.js';

const root = resolve(import.meta.dirname, '../..');

describe('errorText: the one formatter of an error into text', () => {
  it('writes `Name: message`, or the name alone when the message is empty or repeats it', () => {
    expect(errorText(Object.assign(new Error('The specified bucket does not exist'), { name: 'NoSuchBucket' }))).toBe('NoSuchBucket: The specified bucket does not exist');
    expect(errorText(Object.assign(new Error(''), { name: 'TimeoutError' }))).toBe('TimeoutError');
    expect(errorText(Object.assign(new Error('AccessDenied'), { name: 'AccessDenied' }))).toBe('AccessDenied');
    expect(errorText('a thrown string')).toBe('a thrown string');
  });

  it('reads a thrown object shaped like an error (an SDK mock, a structured clone from a worker) by its name and message', () => {
    expect(errorText({ name: 'ThrottlingException', message: 'Rate exceeded' })).toBe('ThrottlingException: Rate exceeded');
    expect(errorMessage({ name: 'ThrottlingException', message: 'Rate exceeded' })).toBe('Rate exceeded');
  });

  it('gives the message alone, its first line, or a file-system error as its code', () => {
    const parse = new SyntaxError('Unexpected token } in JSON\n  at line 3');
    expect(errorText(parse, { name: false })).toBe('Unexpected token } in JSON\n  at line 3');
    expect(errorText(parse, { firstLine: true })).toBe('SyntaxError: Unexpected token } in JSON');
    const missing = Object.assign(new Error("ENOENT: no such file or directory, open '/x/trail.json'"), { code: 'ENOENT' });
    expect(errorText(missing, { read: true })).toBe('cannot read (ENOENT)');
    // Not a system error (a refusal of ours, zlib's Z_DATA_ERROR): its message, which says what is wrong.
    expect(errorText(new Error('refused: a FIFO'), { read: true })).toBe('refused: a FIFO');
    expect(errorText(Object.assign(new Error('incorrect header check'), { code: 'Z_DATA_ERROR' }), { read: true })).toBe('incorrect header check');
  });
});

/** Every `.ts` file under a folder of the repository. */
function sources(folder: string): string[] {
  return readdirSync(join(root, folder), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => relative(root, join(entry.parentPath, entry.name)));
}

describe('error classes: one errors module per area', () => {
  const defined = ['shared', 'cli', 'functions'].flatMap(sources).flatMap((file) =>
    [...readFileSync(join(root, file), 'utf8').matchAll(/^(?:export )?class (\w+) extends (\w*Error)\b/gm)].map((m) => ({ file, name: m[1]!, base: m[2]! })),
  );

  it('defines every error class in an errors.ts (shared/errors.ts for the cross-cutting ones), never beside the code that throws it', () => {
    expect(defined.length).toBeGreaterThan(15);
    expect(defined.filter((d) => !d.file.endsWith('/errors.ts')).map((d) => `${d.file}: ${d.name}`)).toEqual([]);
    expect(defined.filter((d) => d.file === 'shared/errors.ts').map((d) => d.name).sort()).toEqual([
      'ConfigurationError',
      'InputParseError',
      'IsolationGuardError',
      'RecordValidationError',
      'UsageError',
    ]);
  });

  it('names each error of ours as its class (what a log, a dead-letter record and the tests read)', async () => {
    const modules = [...new Set(defined.map((d) => d.file))];
    const classes = (await Promise.all(modules.map(async (file) => Object.entries((await import(join(root, file))) as Record<string, unknown>)))).flat();
    const ours = classes.filter((entry): entry is [string, typeof IsolationGuardError] => typeof entry[1] === 'function' && entry[1].prototype instanceof IsolationGuardError);
    expect(ours.map(([name]) => name)).toEqual(expect.arrayContaining(['RecordValidationError', 'EnforcementIncompleteError', 'SlackDeliveryError', 'SweepPlanError', 'AthenaQueryError']));
    for (const [name, ErrorClass] of ours) expect(Reflect.construct(ErrorClass, ['a', 'b', 'c', 'd']).name).toBe(name);
  });
});
