import type { Dirent } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileKind, type ScanSource } from './scan.js';

/** Folders never walked: Terraform's provider cache, dependencies, Git's own store. */
export const SKIPPED_FOLDERS = new Set(['.terraform', 'node_modules', '.git']);

const errorText = (error: unknown) => {
  const code = (error as NodeJS.ErrnoException).code;
  return `cannot read (${code ?? (error as Error).message})`;
};

async function* walk(dir: string): AsyncGenerator<string | { path: string; error: string }> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    yield { path: dir, error: errorText(error) };
    return;
  }
  entries.sort((a, b) => a.name.localeCompare(b.name));
  // A folder's files first, then its sub-folders: a folder's files come together (see ScanSource).
  // Symbolic links to folders are not followed (no loops); a linked file is read.
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if ((entry.isFile() || entry.isSymbolicLink()) && fileKind(path) !== 'other') yield path;
  }
  for (const entry of entries) {
    if (entry.isDirectory() && !SKIPPED_FOLDERS.has(entry.name)) yield* walk(join(dir, entry.name));
  }
}

/**
 * The files under each PATH (a file or a folder, walked recursively), read a few at a time, in a
 * stable order. A PATH or file that cannot be read comes out as an error, named; the walk goes on.
 */
export async function* readScanSources(paths: string[], readAhead = 16): AsyncGenerator<ScanSource> {
  async function* names(): AsyncGenerator<{ path: string; explicit: boolean } | { path: string; error: string }> {
    for (const path of paths) {
      const info = await stat(path).catch((error: unknown) => error as Error);
      if (info instanceof Error) yield { path, error: errorText(info) };
      else if (info.isDirectory()) for await (const found of walk(path)) yield typeof found === 'string' ? { path: found, explicit: false } : found;
      else yield { path, explicit: true };
    }
  }
  const pending: Array<Promise<ScanSource>> = [];
  const load = (item: { path: string; explicit: boolean } | { path: string; error: string }): Promise<ScanSource> =>
    'error' in item
      ? Promise.resolve(item)
      : readFile(item.path, 'utf8').then(
          (text) => ({ path: item.path, text, explicit: item.explicit }),
          (error: unknown) => ({ path: item.path, error: errorText(error) }),
        );
  for await (const item of names()) {
    pending.push(load(item));
    if (pending.length >= readAhead) yield await pending.shift()!;
  }
  while (pending.length > 0) yield await pending.shift()!;
}
