import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // One moto server per worker, reset for each file that asks (instead of one started per file).
    globalSetup: ['tests/support/moto-pool.ts'],
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
  },
});
