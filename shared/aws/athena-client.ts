import { AthenaClient, GetQueryExecutionCommand, paginateGetQueryResults, StartQueryExecutionCommand, StopQueryExecutionCommand } from '@aws-sdk/client-athena';
import { clientConfig, configured } from './client-config.js';

export type { AthenaClient };

/** Athena in a region (the CLI loads this module only for `athena:` sources and `athena ddl`), from the one client configuration. */
export function createAthenaClient(region?: string): AthenaClient {
  return configured(new AthenaClient(clientConfig(region ? { region } : {})));
}

/** A query's state as GetQueryExecution tells it: SUCCEEDED, FAILED, CANCELLED, or still QUEUED/RUNNING. */
export interface QueryExecutionState {
  state: string;
  dataScannedBytes: number;
  engineMs: number;
  /** Why it failed or was cancelled, when Athena says. */
  reason: string | null;
}

/** StartQueryExecution; the query's id (undefined when Athena returned none). */
export async function startQueryExecution(
  client: AthenaClient,
  sql: string,
  settings: { workgroup: string; outputLocation: string | null; database?: string },
): Promise<string | undefined> {
  const started = await client.send(
    new StartQueryExecutionCommand({
      QueryString: sql,
      WorkGroup: settings.workgroup,
      ...(settings.database ? { QueryExecutionContext: { Database: settings.database } } : {}),
      ...(settings.outputLocation ? { ResultConfiguration: { OutputLocation: settings.outputLocation } } : {}),
    }),
  );
  return started.QueryExecutionId;
}

export async function queryExecutionState(client: AthenaClient, id: string): Promise<QueryExecutionState> {
  const { QueryExecution: execution } = await client.send(new GetQueryExecutionCommand({ QueryExecutionId: id }));
  return {
    state: execution?.Status?.State ?? 'UNKNOWN',
    dataScannedBytes: execution?.Statistics?.DataScannedInBytes ?? 0,
    engineMs: execution?.Statistics?.EngineExecutionTimeInMillis ?? 0,
    reason: execution?.Status?.StateChangeReason ?? execution?.Status?.AthenaError?.ErrorMessage ?? null,
  };
}

export async function stopQueryExecution(client: AthenaClient, id: string): Promise<void> {
  await client.send(new StopQueryExecutionCommand({ QueryExecutionId: id }));
}

/** The result pages of a finished query (GetQueryResults, every page): the column names and the rows' values. */
export async function* queryResultPages(client: AthenaClient, id: string, pageSize: number): AsyncGenerator<{ columns: string[]; rows: Array<Array<string | null>> }> {
  for await (const page of paginateGetQueryResults({ client, pageSize }, { QueryExecutionId: id })) {
    yield {
      columns: (page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? []).map((c) => c.Name ?? ''),
      rows: (page.ResultSet?.Rows ?? []).map((row) => (row.Data ?? []).map((d) => d.VarCharValue ?? null)),
    };
  }
}
