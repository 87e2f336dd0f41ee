/**
 * moto's Athena runs no SQL: the rows a query returns are queued through moto's API
 * (`/moto-api/static/athena/query-results`, taken in order by the next queries), and query states
 * are stepped with its state manager. These helpers build the rows Athena would return for the
 * audit query from CloudTrail records, as Athena's JSON SerDe would read them from the trail's
 * files: strings, JSON columns (requestparameters, responseelements) as JSON text, nested
 * identity fields flattened as the query's SELECT names them, and the header row first.
 */
import { AUDIT_COLUMNS as COLUMNS } from '../shared/athena/sql.js';
import { MOTO_ACCOUNT } from './moto.js';

const text = (value: unknown): string | null => (value === null || value === undefined ? null : typeof value === 'string' ? value : JSON.stringify(value));

export function athenaRowsFromRecords(records: Array<Record<string, unknown>>) {
  const datum = (value: string | null) => (value === null ? {} : { VarCharValue: value });
  const header = { Data: COLUMNS.map((name) => ({ VarCharValue: name })) };
  const rows = records.map((r) => {
    const identity = (r.userIdentity ?? {}) as Record<string, unknown>;
    const session = (identity.sessionContext ?? {}) as { sessionIssuer?: { arn?: string } };
    const values: Record<string, string | null> = {
      eventversion: text(r.eventVersion),
      eventid: text(r.eventID),
      eventtime: text(r.eventTime),
      eventsource: text(r.eventSource),
      eventname: text(r.eventName),
      awsregion: text(r.awsRegion),
      recipientaccountid: text(r.recipientAccountId),
      identitytype: text(identity.type),
      principalid: text(identity.principalId),
      principalarn: text(identity.arn),
      principalaccountid: text(identity.accountId),
      invokedby: text(identity.invokedBy),
      sessionissuerarn: text(session.sessionIssuer?.arn),
      sourceipaddress: text(r.sourceIPAddress),
      useragent: text(r.userAgent),
      errorcode: text(r.errorCode),
      errormessage: text(r.errorMessage),
      requestparameters: text(r.requestParameters),
      responseelements: text(r.responseElements),
      requestid: text(r.requestID),
    };
    return { Data: COLUMNS.map((name) => datum(values[name] ?? null)) };
  });
  return { rows: [header, ...rows], column_info: COLUMNS.map((name) => ({ Name: name, Label: name, Type: 'varchar', Nullable: 'UNKNOWN', CaseSensitive: true })) };
}

/** Queues the results of the next queries (one entry a query). */
export async function injectAthenaResults(endpoint: string, results: Array<ReturnType<typeof athenaRowsFromRecords>>, region = 'us-east-1', account = MOTO_ACCOUNT) {
  const response = await fetch(`${endpoint}/moto-api/static/athena/query-results`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ account_id: account, region, results }),
  });
  if (response.status !== 201) throw new Error(`moto refused the Athena results: HTTP ${response.status}`);
}

/** Queries move QUEUED → RUNNING → SUCCEEDED one step every `times` GetQueryExecution calls; null: at once. */
export async function athenaProgression(endpoint: string, times: number | null) {
  const response = await fetch(`${endpoint}/moto-api/state-manager/${times === null ? 'unset-transition' : 'set-transition'}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(times === null ? { model_name: 'athena::execution' } : { model_name: 'athena::execution', transition: { progression: 'manual', times } }),
  });
  if (!response.ok) throw new Error(`moto state manager: HTTP ${response.status}`);
}
