import { readdirSync, readFileSync, statSync, type Dirent } from 'node:fs';
import { join } from 'node:path';
import { fileKind, type ScanSource } from './scan.js';

/** Folders never walked: Terraform's provider cache, dependencies, Git's own store. */
export const SKIPPED_FOLDERS = new Set(['.terraform', 'node_modules', '.git']);

const errorText = (error: unknown) => {
  const code = (error as NodeJS.ErrnoException).code;
  return `cannot read (${code ?? (error as Error).message})`;
};

// Reads are synchronous: for thousands of small files, a thread-pool round trip per open, stat,
// read and close costs more than the reads themselves (the scan is the process's only work).
function* walk(dir: string): Generator<string | { path: string; error: string }> {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
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
 * The files under each PATH (a file or a folder, walked recursively), in a stable order: a folder's
 * files, then its sub-folders. A PATH or file that cannot be read comes out as an error, named; the
 * walk goes on.
 */
export async function* readScanSources(paths: string[]): AsyncGenerator<ScanSource> {
  const read = (path: string, explicit: boolean): ScanSource => {
    try {
      return { path, text: readFileSync(path, 'utf8'), explicit };
    } catch (error) {
      return { path, error: errorText(error) };
    }
  };
  for (const path of paths) {
    let isDirectory: boolean;
    try {
      isDirectory = statSync(path).isDirectory();
    } catch (error) {
      yield { path, error: errorText(error) };
      continue;
    }
    if (!isDirectory) {
      yield read(path, true);
      continue;
    }
    for (const found of walk(path)) yield typeof found === 'string' ? read(found, false) : found;
  }
}
