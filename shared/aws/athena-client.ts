import { AthenaClient } from '@aws-sdk/client-athena';
import { clientConfig, configured } from './client-config.js';

export type { AthenaClient };

/** Athena in a region (the CLI loads this module only for `athena:` sources and `athena ddl`), from the one client configuration. */
export function createAthenaClient(region?: string): AthenaClient {
  return configured(new AthenaClient(clientConfig(region ? { region } : {})));
}
