import { cloudTrailTableDdl, createDatabaseSql } from '../../shared/athena/sql.js';
import { SAGEMAKER_REGIONS, resolveRegions } from '../../shared/aws/regions.js';
import { homeRegion, loadConfig } from '../../shared/config.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import type { CliIo } from '../io.js';

/**
 * `isolation-guard athena ddl`: prints (or with `--create` runs) the CREATE EXTERNAL TABLE of a
 * trail's archive with partition projection on account, region and day.
 */
/** `athena ddl`'s options, parsed by cli/declarations.ts (the trail bucket given, `from` a day). */
export interface AthenaDdlOptions {
  'trail-bucket': string;
  prefix: string;
  'org-id': string | null;
  database: string;
  table: string;
  /** The first day projected, YYYY-MM-DD. */
  from: string;
  accounts: string | null;
  /** `--org`: every active account of the organisation, with any `accounts`. */
  org: boolean;
  regions: string;
  create: boolean;
  workgroup: string | null;
  'athena-output-location': string | null;
  region: string | null;
}

export async function athenaDdlCommand(values: AthenaDdlOptions, io: CliIo, env: NodeJS.ProcessEnv): Promise<ExitCode> {
  const home = homeRegion({ given: values.region, env });
  const config = loadConfig({
    flags: {
      // --org is `--accounts org` (added to any listed accounts).
      accounts: [values.accounts, values.org ? 'org' : null].filter((entry) => entry !== null && entry !== '').join(',') || undefined,
      athenaWorkgroup: values.workgroup ?? undefined,
      athenaOutputLocation: values['athena-output-location'] ?? undefined,
    },
    env,
  });
  let accounts = config.accounts;
  if (accounts.includes('org')) {
    const { resolveAccounts } = await import('../../shared/aws/accounts.js');
    accounts = await resolveAccounts(accounts, { region: home });
  }
  const prefix = values.prefix.replace(/^\/+/, '');
  const ddl = cloudTrailTableDdl({
    database: values.database,
    table: values.table,
    trailBucket: values['trail-bucket'],
    prefix: prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`,
    orgId: values['org-id'] ?? null,
    accounts,
    regions: values.regions === 'all' ? [...SAGEMAKER_REGIONS] : resolveRegions(values.regions.split(',').map((r) => r.trim()).filter(Boolean), home),
    fromDay: values.from.replace(/-/g, '/'),
  });
  if (!values.create) {
    io.stdout(`${ddl};`);
    return EXIT.ok;
  }
  const [{ createAthenaClient }, { runAthenaQuery }] = await Promise.all([import('../../shared/aws/athena-client.js'), import('../../shared/athena/query-runner.js')]);
  const athena = createAthenaClient(home);
  // The database first (IF NOT EXISTS), then the table in it.
  await runAthenaQuery(athena, createDatabaseSql(values.database), { workgroup: config.athenaWorkgroup, outputLocation: config.athenaOutputLocation });
  const done = await runAthenaQuery(athena, ddl, { workgroup: config.athenaWorkgroup, outputLocation: config.athenaOutputLocation, database: values.database });
  io.stdout(JSON.stringify({ created: `${values.database}.${values.table}`, queryExecutionId: done.queryExecutionId, workgroup: config.athenaWorkgroup }));
  return EXIT.ok;
}
