import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setProcessEnvironment } from './process-environment.js';

/** The system's temporary directory before the run (where the report screenshots are kept for people to look at). */
export const ORIGINAL_TMPDIR_VARIABLE = 'ISOLATION_GUARD_TEST_ORIGINAL_TMPDIR';
const RUN_TMPDIR_VARIABLE = 'ISOLATION_GUARD_TEST_RUN_TMPDIR';

/**
 * vitest global setup: one temporary directory for the run, set as TMPDIR before the workers are
 * forked, so every file, fixture copy, packaging snapshot and child process (the CLI, Chromium's
 * profile) writes under it; teardown removes it. A run leaves nothing in /tmp; before, each left
 * about twenty directories. Both projects list this setup; the first to run makes the directory.
 */
export default function setup() {
  if (process.env[RUN_TMPDIR_VARIABLE]) return;
  const original = tmpdir();
  const run = mkdtempSync(join(original, 'isolation-guard-tests-'));
  const restore = setProcessEnvironment({ [RUN_TMPDIR_VARIABLE]: run, [ORIGINAL_TMPDIR_VARIABLE]: original, TMPDIR: run, TMP: run, TEMP: run });
  return () => {
    restore();
    // rmSync does not follow symbolic links (a packaging snapshot links node_modules): it removes the link.
    rmSync(run, { recursive: true, force: true });
  };
}
