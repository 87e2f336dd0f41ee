/**
 * Every SQL statement the service sends to Athena, in one readable place: the CloudTrail table
 * (AWS's documented table, with partition projection on account, region and day, organisation
 * trails included) and the audit query over it. Values reach the SQL only after validation
 * (identifiers, account ids, regions, dates are checked here), never as free text.
 *
 * Table: https://docs.aws.amazon.com/athena/latest/ug/create-cloudtrail-table-partition-projection.html
 * Projection: https://docs.aws.amazon.com/athena/latest/ug/partition-projection-supported-types.html
 */
import { QUARANTINE_TAG, REPLACED_BY_TAG } from '../model/tags.js';
import { UsageError } from '../errors.js';

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,254}$/;
const ACCOUNT = /^\d{12}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;
const ORG_ID = /^o-[a-z0-9]{10,32}$/;
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** `DATABASE.TABLE` of `athena:DATABASE.TABLE`, validated (Glue names: lower case, digits, underscore). */
export function parseAthenaTable(value: string): { database: string; table: string } {
  const match = /^([^.]+)\.([^.]+)$/.exec(value);
  if (!match || !IDENTIFIER.test(match[1]!) || !IDENTIFIER.test(match[2]!)) {
    throw new UsageError(`athena:DATABASE.TABLE: expected lower-case Glue names (letters, digits, _), got ${JSON.stringify(value)}`);
  }
  return { database: match[1]!, table: match[2]! };
}

export interface CloudTrailTableOptions {
  database: string;
  table: string;
  trailBucket: string;
  /** The trail's key prefix (before `AWSLogs/`), empty or ending in `/`. */
  prefix: string;
  /** An organisation trail's `o-...`: its layout has the organisation id before the account. */
  orgId: string | null;
  /** Account ids the projection enumerates (Athena's `enum` type needs them listed). */
  accounts: readonly string[];
  regions: readonly string[];
  /** First day of the projection's range, `YYYY/MM/DD`. */
  fromDay: string;
}

const quoted = (name: string) => `\`${name}\``;

function check(options: CloudTrailTableOptions): void {
  if (!IDENTIFIER.test(options.database)) throw new UsageError(`--database: expected a Glue name (lower-case letters, digits, _), got ${JSON.stringify(options.database)}`);
  if (!IDENTIFIER.test(options.table)) throw new UsageError(`--table: expected a Glue name (lower-case letters, digits, _), got ${JSON.stringify(options.table)}`);
  if (!BUCKET.test(options.trailBucket)) throw new UsageError(`--trail-bucket: not a bucket name: ${JSON.stringify(options.trailBucket)}`);
  if (options.prefix !== '' && (!/^[A-Za-z0-9!_.()\/-]+\/$/.test(options.prefix) || options.prefix.includes('//'))) {
    throw new UsageError(`--prefix: expected a key prefix of letters, digits and / - _ . ! ( ), got ${JSON.stringify(options.prefix)}`);
  }
  if (options.orgId !== null && !ORG_ID.test(options.orgId)) throw new UsageError(`--org-id: expected o-xxxxxxxxxx, got ${JSON.stringify(options.orgId)}`);
  if (options.accounts.length === 0) throw new UsageError('--accounts: at least one account id (or org) is needed: Athena projects only the accounts it is told');
  const badAccount = options.accounts.find((a) => !ACCOUNT.test(a));
  if (badAccount !== undefined) throw new UsageError(`--accounts: expected 12-digit account ids, got ${JSON.stringify(badAccount)}`);
  const badRegion = options.regions.find((r) => !REGION.test(r));
  if (badRegion !== undefined) throw new UsageError(`--regions: not a region: ${JSON.stringify(badRegion)}`);
  if (!/^\d{4}\/\d{2}\/\d{2}$/.test(options.fromDay)) throw new UsageError(`--from: expected a date, got ${JSON.stringify(options.fromDay)}`);
}

/**
 * CREATE EXTERNAL TABLE for a trail's archive: AWS's documented CloudTrail columns, SerDe and input
 * format, partitioned by `account`, `region` (both `enum`) and `timestamp` (`date`, `yyyy/MM/dd`,
 * one day a partition, from `fromDay` to NOW), so that a query naming days, accounts and regions
 * reads only those prefixes.
 */
export function cloudTrailTableDdl(options: CloudTrailTableOptions): string {
  check(options);
  const root = `s3://${options.trailBucket}/${options.prefix}AWSLogs/${options.orgId ? `${options.orgId}/` : ''}`;
  return `CREATE EXTERNAL TABLE IF NOT EXISTS ${quoted(options.database)}.${quoted(options.table)} (
  eventversion STRING,
  useridentity STRUCT<
    type: STRING,
    principalid: STRING,
    arn: STRING,
    accountid: STRING,
    invokedby: STRING,
    accesskeyid: STRING,
    username: STRING,
    onbehalfof: STRUCT<userid: STRING, identitystorearn: STRING>,
    sessioncontext: STRUCT<
      attributes: STRUCT<mfaauthenticated: STRING, creationdate: STRING>,
      sessionissuer: STRUCT<type: STRING, principalid: STRING, arn: STRING, accountid: STRING, username: STRING>,
      ec2roledelivery: STRING,
      webidfederationdata: STRUCT<federatedprovider: STRING, attributes: MAP<STRING, STRING>>
    >
  >,
  eventtime STRING,
  eventsource STRING,
  eventname STRING,
  awsregion STRING,
  sourceipaddress STRING,
  useragent STRING,
  errorcode STRING,
  errormessage STRING,
  requestparameters STRING,
  responseelements STRING,
  additionaleventdata STRING,
  requestid STRING,
  eventid STRING,
  readonly STRING,
  resources ARRAY<STRUCT<arn: STRING, accountid: STRING, type: STRING>>,
  eventtype STRING,
  apiversion STRING,
  recipientaccountid STRING,
  serviceeventdetails STRING,
  sharedeventid STRING,
  vpcendpointid STRING,
  vpcendpointaccountid STRING,
  eventcategory STRING,
  addendum STRUCT<reason: STRING, updatedfields: STRING, originalrequestid: STRING, originaleventid: STRING>,
  sessioncredentialfromconsole STRING,
  edgedevicedetails STRING,
  tlsdetails STRUCT<tlsversion: STRING, ciphersuite: STRING, clientprovidedhostheader: STRING>
)
PARTITIONED BY (account STRING, region STRING, \`timestamp\` STRING)
ROW FORMAT SERDE 'org.apache.hive.hcatalog.data.JsonSerDe'
STORED AS INPUTFORMAT 'com.amazon.emr.cloudtrail.CloudTrailInputFormat'
OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'
LOCATION '${root}'
TBLPROPERTIES (
  'projection.enabled' = 'true',
  'projection.account.type' = 'enum',
  'projection.account.values' = '${[...options.accounts].sort().join(',')}',
  'projection.region.type' = 'enum',
  'projection.region.values' = '${[...options.regions].sort().join(',')}',
  'projection.timestamp.type' = 'date',
  'projection.timestamp.format' = 'yyyy/MM/dd',
  'projection.timestamp.interval' = '1',
  'projection.timestamp.interval.unit' = 'DAYS',
  'projection.timestamp.range' = '${options.fromDay},NOW',
  'storage.location.template' = '${root}\${account}/CloudTrail/\${region}/\${timestamp}'
)`;
}

/** The database the table lives in (`athena ddl --create` runs this first). */
export function createDatabaseSql(database: string): string {
  if (!IDENTIFIER.test(database)) throw new UsageError(`--database: expected a Glue name (lower-case letters, digits, _), got ${JSON.stringify(database)}`);
  return `CREATE DATABASE IF NOT EXISTS ${quoted(database)}`;
}

export interface AuditQueryOptions {
  database: string;
  table: string;
  from: Date;
  to: Date;
  /** Accounts and regions to keep (partition pruning); empty: all the table projects. */
  accounts: readonly string[];
  regions: readonly string[];
}

/** `YYYY/MM/DD` of an instant's UTC day: the `timestamp` partition's format. */
const partitionDay = (at: Date) => at.toISOString().slice(0, 10).replace(/-/g, '/');
const literal = (value: string) => `'${value.replace(/'/g, "''")}'`;

/** The columns the audit reads back, in order; the rows are rebuilt into CloudTrail records from them. */
export const AUDIT_COLUMNS = [
  'eventversion',
  'eventid',
  'eventtime',
  'eventsource',
  'eventname',
  'awsregion',
  'recipientaccountid',
  'identitytype',
  'principalid',
  'principalarn',
  'principalaccountid',
  'invokedby',
  'sessionissuerarn',
  'sourceipaddress',
  'useragent',
  'errorcode',
  'errormessage',
  'requestparameters',
  'responseelements',
  'requestid',
] as const;

/**
 * The audit's one query: SageMaker's CreateModel calls of the period, plus the DeleteModel calls
 * and the AddTags calls of the quarantine and replaced-by tags (the remediations the report's KPIs measure; the
 * same days are read either way, so they cost nothing more). The `timestamp` predicate names the
 * period's days (and the day after: a log file can hold records of the day before), so Athena reads
 * only those partitions; `eventtime` then cuts the period exactly.
 */
export function auditQuery(options: AuditQueryOptions): string {
  if (!IDENTIFIER.test(options.database) || !IDENTIFIER.test(options.table)) throw new UsageError(`athena: bad table name ${options.database}.${options.table}`);
  const badAccount = options.accounts.find((a) => !ACCOUNT.test(a));
  if (badAccount !== undefined) throw new UsageError(`--accounts: expected 12-digit account ids, got ${JSON.stringify(badAccount)}`);
  const badRegion = options.regions.find((r) => !REGION.test(r));
  if (badRegion !== undefined) throw new UsageError(`--regions: not a region: ${JSON.stringify(badRegion)}`);
  const lastDay = new Date(options.to.getTime() - 1);
  lastDay.setUTCDate(lastDay.getUTCDate() + 1);
  const where = [
    `"timestamp" BETWEEN ${literal(partitionDay(options.from))} AND ${literal(partitionDay(lastDay))}`,
    ...(options.accounts.length > 0 ? [`account IN (${[...options.accounts].sort().map(literal).join(', ')})`] : []),
    ...(options.regions.length > 0 ? [`region IN (${[...options.regions].sort().map(literal).join(', ')})`] : []),
    `eventsource = 'sagemaker.amazonaws.com'`,
    `(eventname = 'CreateModel' OR eventname = 'DeleteModel' OR (eventname = 'AddTags' AND (requestparameters LIKE ${literal(`%${QUARANTINE_TAG}%`)} OR requestparameters LIKE ${literal(`%${REPLACED_BY_TAG}%`)})))`,
    `eventtime >= ${literal(options.from.toISOString().slice(0, 19) + 'Z')}`,
    `eventtime < ${literal(options.to.toISOString().slice(0, 19) + 'Z')}`,
  ];
  return `SELECT
  eventversion, eventid, eventtime, eventsource, eventname, awsregion, recipientaccountid,
  useridentity.type AS identitytype,
  useridentity.principalid AS principalid,
  useridentity.arn AS principalarn,
  useridentity.accountid AS principalaccountid,
  useridentity.invokedby AS invokedby,
  useridentity.sessioncontext.sessionissuer.arn AS sessionissuerarn,
  sourceipaddress, useragent, errorcode, errormessage, requestparameters, responseelements, requestid
FROM "${options.database}"."${options.table}"
WHERE ${where.join('\n  AND ')}
ORDER BY eventtime`;
}
