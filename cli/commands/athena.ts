import { cloudTrailTableDdl, createDatabaseSql } from '../../shared/athena/sql.js';
import { SAGEMAKER_REGIONS, resolveRegions } from '../../shared/aws/regions.js';
import { loadConfig } from '../../shared/config.js';
import { UsageError } from '../../shared/errors.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import type { CliIo } from '../io.js';
import { isDay } from '../../shared/dates.js';

/**
 * `isolation-guard athena ddl`: prints (or with `--create` runs) the CREATE EXTERNAL TABLE of a
 * trail's archive with partition projection on account, region and day.
 */
export async function athenaDdlCommand(parsed: Record<string, unknown>, io: CliIo, env: NodeJS.ProcessEnv): Promise<ExitCode> {
  const values = parsed as {
    'trail-bucket'?: string;
    prefix: string;
    'org-id'?: string;
    database: string;
    table: string;
    from: string;
    accounts?: string;
    org: boolean;
    regions: string;
    create: boolean;
    workgroup?: string;
    'athena-output-location'?: string;
    region?: string;
  };
  if (!values['trail-bucket']) throw new UsageError('--trail-bucket: required (the bucket the trail delivers to)');
  if (!isDay(values.from)) {
    throw new UsageError(`--from: expected YYYY-MM-DD (first day of the projection), got ${JSON.stringify(values.from)}`);
  }
  const home = values.region ?? env.AWS_REGION ?? 'us-east-1';
  const config = loadConfig({
    flags: {
      // --org is folded into --accounts by the command line (withOrg).
      accounts: values.accounts || undefined,
      athenaWorkgroup: values.workgroup,
      athenaOutputLocation: values['athena-output-location'],
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
