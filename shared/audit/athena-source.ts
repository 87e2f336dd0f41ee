import type { AthenaClient } from '../aws/athena-client.js';
import { athenaCostEstimate, queryRows, runAthenaQuery, type AthenaQuerySettings, type PollOptions } from '../athena/query-runner.js';
import { auditQuery, parseAthenaTable } from '../athena/sql.js';
import type { ArchiveFile } from './sources.js';

/** What Athena did for an audit: goes into the report's scope. */
export interface AthenaScope {
  table: string;
  workgroup: string;
  queryExecutionId: string;
  dataScannedBytes: number;
  /** At ATHENA_USD_PER_TB, 10 MB minimum. */
  costEstimateUsd: number;
  rows: number;
}

const parseJsonColumn = (text: string | null | undefined): unknown => {
  if (text === null || text === undefined) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text; // a truncated or odd value stays a string: the decision fails closed on it
  }
};

/** A CloudTrail record rebuilt from one row of the audit query (the fields the decision and the report read). */
function recordFromRow(row: Record<string, string | null>): Record<string, unknown> {
  const identity = {
    type: row.identitytype,
    principalId: row.principalid,
    arn: row.principalarn,
    accountId: row.principalaccountid,
    invokedBy: row.invokedby,
    ...(row.sessionissuerarn ? { sessionContext: { sessionIssuer: { arn: row.sessionissuerarn } } } : {}),
  };
  return {
    eventVersion: row.eventversion,
    eventID: row.eventid,
    eventTime: row.eventtime,
    eventSource: row.eventsource,
    eventName: row.eventname,
    awsRegion: row.awsregion,
    recipientAccountId: row.recipientaccountid,
    userIdentity: identity,
    sourceIPAddress: row.sourceipaddress,
    userAgent: row.useragent,
    ...(row.errorcode ? { errorCode: row.errorcode } : {}),
    ...(row.errormessage ? { errorMessage: row.errormessage } : {}),
    requestParameters: parseJsonColumn(row.requestparameters),
    responseElements: parseJsonColumn(row.responseelements),
    requestID: row.requestid,
  };
}

/**
 * The audit's records from Athena: one query over the trail's table (`athena:DATABASE.TABLE`),
 * polled to its end, its rows paged and handed on a page at a time as archive files holding
 * `{"Records": [...]}`, so the collection, decision and report are those of every other source.
 * `scope()` tells, once the files are read, what the query scanned and cost.
 */
export function athenaArchive(
  client: AthenaClient,
  source: string,
  period: { from: Date; to: Date },
  options: AthenaQuerySettings & { accounts: readonly string[]; regions: readonly string[]; poll?: PollOptions; pageSize?: number },
): { files: AsyncIterable<ArchiveFile>; scope: () => AthenaScope | null; sql: string } {
  const tableName = source.replace(/^athena:/, '');
  const { database, table } = parseAthenaTable(tableName);
  const sql = auditQuery({ database, table, ...period, accounts: options.accounts, regions: options.regions });
  let scope: AthenaScope | null = null;
  async function* files(): AsyncGenerator<ArchiveFile> {
    const done = await runAthenaQuery(client, sql, { workgroup: options.workgroup, outputLocation: options.outputLocation, database }, options.poll);
    scope = {
      table: `${database}.${table}`,
      workgroup: options.workgroup,
      queryExecutionId: done.queryExecutionId,
      dataScannedBytes: done.dataScannedBytes,
      costEstimateUsd: athenaCostEstimate(done.dataScannedBytes),
      rows: 0,
    };
    let page = 0;
    for await (const rows of queryRows(client, done.queryExecutionId, options.pageSize)) {
      scope.rows += rows.length;
      const body = Buffer.from(JSON.stringify({ Records: rows.map(recordFromRow) }));
      yield { name: `athena:${done.queryExecutionId}:page${++page}`, read: async () => body };
    }
  }
  return { files: files(), scope: () => scope, sql };
}
