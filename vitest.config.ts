import { defineConfig } from 'vitest/config';

/**
 * The test tiers, one file suffix each (tests/README.md); a project per tier selects its files by
 * suffix, whatever folder they are in. tests/unit/test-tiers.unit.test.ts checks that every test
 * file has exactly one of these suffixes and that each project runs exactly its tier's files.
 */
export const TIERS = { unit: '.unit.test.ts', integration: '.int.test.ts', e2e: '.e2e.test.ts' } as const;

/**
 * The integration and end-to-end tiers: one moto server per worker, reset for each file that asks
 * (instead of one started per file), and the service packaged once per run (local-aws/moto-pool.ts:
 * the first project's setup starts the pool, the other's uses it).
 */
const onLocalAws = {
  globalSetup: ['tests/support/run-tmpdir.ts', 'local-aws/moto-pool.ts'],
  // After each file: an in-process CLI call its timed-out test left running is put back.
  setupFiles: ['tests/support/in-process-guard.ts'],
  // Files share a worker's process and module cache, as the unit files do: importing the SDK
  // and the core again in a fresh process per file was 18 s of the run (docs/performance.md).
  // What a file changes in the process it puts back: the files that point AWS_ENDPOINT_URL
  // at their server use setProcessEnvironment (tests/support/process-environment.ts) and undo it in afterAll;
  // the action recorder restores the SDK's send. No file mocks modules or fakes timers.
  isolate: false,
};

export default defineConfig({
  test: {
    // Integration tests start their own moto server and package the service: give them time,
    // and keep to the machine's two cores.
    testTimeout: 30_000,
    hookTimeout: 240_000,
    pool: 'forks',
    env: {
      // The handler's JSON logs are asserted where they matter, not printed for every test.
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      POWERTOOLS_METRICS_DISABLED: 'true',
      // Node 20 is this machine's runtime; the SDK's notice about 2027 is known (see README).
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
    maxWorkers: 2,
    // Measured in docs/performance.md (section "The test suite").
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: [`tests/**/*${TIERS.unit}`],
          // One temporary directory for the run, removed at its end (tests/support/run-tmpdir.ts).
          globalSetup: ['tests/support/run-tmpdir.ts'],
          // The CLI's offline commands are unit tests too, most run in-process: the same guard.
          setupFiles: ['tests/support/in-process-guard.ts'],
          // Unit tests touch no process-wide state (no environment writes, module mocks or fake
          // timers; an in-process CLI call puts its environment back): their files share a worker's
          // module cache instead of each importing the SDK and the core again (about half of their time).
          isolate: false,
        },
      },
      { extends: true, test: { name: 'integration', include: [`tests/**/*${TIERS.integration}`], ...onLocalAws } },
      { extends: true, test: { name: 'e2e', include: [`tests/**/*${TIERS.e2e}`], ...onLocalAws } },
    ],
  },
});
