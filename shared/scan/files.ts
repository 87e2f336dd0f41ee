import { closeSync, constants, existsSync, fstatSync, openSync, readdirSync, readSync, realpathSync, statSync, type Dirent, type Stats } from 'node:fs';
import { join } from 'node:path';
import { fileKind, type ScanSource } from './scan.js';
import type { TerraformFile } from './terraform-hcl.js';
import { errorText } from '../model/error-text.js';

/** Folders never walked: Terraform's provider cache, dependencies, Git's own store. */
export const SKIPPED_FOLDERS = new Set(['.terraform', 'node_modules', '.git']);

/**
 * The most a scanned file may hold (bytes): IaC files are kilobytes, plans megabytes. Larger is
 * refused, named, so a hostile or mistaken input (a symlink to /dev/zero, a 10 GB log named
 * `x.json`) cannot take the machine's memory.
 */
export const MAX_FILE_BYTES = 64 * 1024 * 1024;

function kindOf(stats: Stats): string {
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isSocket()) return 'a socket';
  return stats.isDirectory() ? 'a folder' : 'not a regular file';
}

/**
 * A regular file's text, at most `maxBytes`: symbolic links are resolved and their target checked,
 * devices, FIFOs and sockets are refused before they are opened (opening a FIFO would wait for a
 * writer, reading /dev/zero never ends). The check is repeated on the open descriptor.
 */
export function readRegularFile(path: string, maxBytes = MAX_FILE_BYTES): string {
  const stats = statSync(path);
  const target = () => {
    try {
      const real = realpathSync(path);
      return real === path ? '' : ` (a link to ${real})`;
    } catch {
      return '';
    }
  };
  if (!stats.isFile()) throw new Error(`refused: ${kindOf(stats)}${target()}; only regular files are read`);
  if (stats.size > maxBytes) throw new Error(`refused: ${stats.size} bytes${target()}, more than the ${maxBytes} read per file`);
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const opened = fstatSync(fd);
    if (!opened.isFile()) throw new Error(`refused: ${kindOf(opened)}${target()}; only regular files are read`);
    // Sized from the descriptor's stat, grown if the file holds more (a file still being written), never past the bound.
    let buffer = Buffer.allocUnsafe(Math.min(maxBytes, opened.size) + 1);
    let length = 0;
    for (;;) {
      if (length === buffer.length) {
        if (length > maxBytes) throw new Error(`refused: more than the ${maxBytes} bytes read per file${target()}`);
        const grown = Buffer.allocUnsafe(Math.min(maxBytes + 1, buffer.length * 2 + 64 * 1024));
        buffer.copy(grown, 0, 0, length);
        buffer = grown;
      }
      const read = readSync(fd, buffer, length, buffer.length - length, null);
      if (read === 0) break;
      length += read;
    }
    return buffer.toString('utf8', 0, length);
  } finally {
    closeSync(fd);
  }
}

/** A CDK app (cdk.json) is scanned through its synth output: without it there is nothing to judge, and a silent pass would be false. */
function cdkAppWithoutSynth(dir: string, entries: Dirent[]): string | null {
  if (!entries.some((entry) => entry.name === 'cdk.json' && !entry.isDirectory())) return null;
  let output = 'cdk.out';
  try {
    const config = JSON.parse(readRegularFile(join(dir, 'cdk.json'), 1024 * 1024)) as { output?: unknown };
    if (typeof config.output === 'string' && config.output !== '') output = config.output;
  } catch {
    // An unreadable cdk.json: the default output folder is looked for.
  }
  if (existsSync(join(dir, output))) return null;
  return `a CDK app without its synth output (${output}/): run \`cdk synth\` first and scan ${join(dir, output)}; the app's code is not read`;
}

// Reads are synchronous: for thousands of small files, a thread-pool round trip per open, stat,
// read and close costs more than the reads themselves (the scan is the process's only work).
function* walk(dir: string): Generator<string | { path: string; error: string }> {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    yield { path: dir, error: errorText(error, { read: true }) };
    return;
  }
  entries.sort((a, b) => a.name.localeCompare(b.name));
  const cdk = cdkAppWithoutSynth(dir, entries);
  if (cdk !== null) yield { path: join(dir, 'cdk.json'), error: cdk };
  // A folder's files first, then its sub-folders: a folder's files come together (see ScanSource).
  // Symbolic links to folders are not followed (no loops); a linked file is read once its target
  // is checked; a device or FIFO with an IaC name is refused by name, not skipped.
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (!entry.isDirectory() && fileKind(path) !== 'other') yield path;
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
      return { path, text: readRegularFile(path), explicit };
    } catch (error) {
      return { path, error: errorText(error, { read: true }) };
    }
  };
  for (const path of paths) {
    let isDirectory: boolean;
    try {
      isDirectory = statSync(path).isDirectory();
    } catch (error) {
      yield { path, error: errorText(error, { read: true }) };
      continue;
    }
    if (!isDirectory) {
      yield read(path, true);
      continue;
    }
    for (const found of walk(path)) yield typeof found === 'string' ? read(found, false) : found;
  }
}

/** A text file named on the command line (`--var-file`, a baseline) or by the code (`file("...")`), read like a scanned file. */
export function readTextFile(path: string): { text: string } | { error: string } {
  try {
    return { text: readRegularFile(path) };
  } catch (error) {
    return { error: errorText(error, { read: true }) };
  }
}

/** A module folder's configuration files (`*.tf`, `*.tf.json`), for a local module outside the scanned paths. */
export function readTerraformFolder(dir: string): { files: TerraformFile[]; problems: { path: string; error: string }[] } | { error: string } {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    return { error: errorText(error, { read: true }) };
  }
  const files: TerraformFile[] = [];
  const problems: { path: string; error: string }[] = [];
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() || fileKind(path) !== 'terraform') continue;
    const read = readTextFile(path);
    if ('error' in read) problems.push({ path, error: read.error });
    else files.push({ path, text: read.text });
  }
  return { files, problems };
}
