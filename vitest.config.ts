import { defineConfig } from 'vitest/config';

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
    // Two projects: tests/unit, and every other test file (integration, cli, any folder added later).
    // Measured in docs/performance.md (section "The test suite").
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.ts'],
          // One temporary directory for the run, removed at its end (tests/support/run-tmpdir.ts).
          globalSetup: ['tests/support/run-tmpdir.ts'],
          // Unit tests touch no process-wide state (no environment writes, module mocks or fake
          // timers): their files share a worker's module cache instead of each importing the SDK
          // and the core again (about half of their time).
          isolate: false,
        },
      },
      {
        extends: true,
        test: {
          name: 'aws',
          include: ['tests/**/*.test.ts'],
          exclude: ['tests/unit/**'],
          // One moto server per worker, reset for each file that asks (instead of one started per file).
          globalSetup: ['tests/support/run-tmpdir.ts', 'local-aws/moto-pool.ts'],
          // After each file: an in-process CLI call its timed-out test left running is put back.
          setupFiles: ['tests/support/in-process-guard.ts'],
          // Files share a worker's process and module cache, as the unit files do: importing the SDK
          // and the core again in a fresh process per file was 18 s of the run (docs/performance.md).
          // What a file changes in the process it puts back: the three that point AWS_ENDPOINT_URL
          // at their server use setProcessEnvironment (tests/support/process-environment.ts) and undo it in afterAll;
          // the action recorder restores the SDK's send. No file mocks modules or fakes timers.
          isolate: false,
        },
      },
    ],
  },
});
