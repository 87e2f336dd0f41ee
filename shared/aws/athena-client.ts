import { AthenaClient } from '@aws-sdk/client-athena';

/** Athena in a region (the CLI loads this module only for `athena:` sources and `athena ddl`). */
export function createAthenaClient(region?: string): AthenaClient {
  return new AthenaClient({ ...(region ? { region } : {}), retryMode: 'adaptive', maxAttempts: 5 });
}
