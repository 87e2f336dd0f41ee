import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';

/**
 * Builds CloudTrail log files in a trail's real key layout
 * (`AWSLogs/[o-ORG/]ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/ACCOUNT_CloudTrail_REGION_YYYYMMDDTHHmmZ_RANDOM.json.gz`),
 * with CreateModel calls among other records, for the audit's tests and benchmark. Records follow
 * our fixtures' shape (built from the API model).
 */
export interface GeneratedFile {
  key: string;
  body: Buffer;
}

export interface CallSpec {
  account: string;
  region: string;
  time: string;
  modelName: string;
  isolation?: boolean;
  errorCode?: string;
  eventId?: string;
}

export function createModelRecord(spec: CallSpec): Record<string, unknown> {
  return {
    eventVersion: '1.09',
    userIdentity: { type: 'AssumedRole', arn: `arn:aws:sts::${spec.account}:assumed-role/DataScientist/ds`, accountId: spec.account },
    eventTime: spec.time,
    eventSource: 'sagemaker.amazonaws.com',
    eventName: 'CreateModel',
    awsRegion: spec.region,
    sourceIPAddress: '198.51.100.7',
    userAgent: 'Boto3/1.35.40 AWS-SageMaker-Python-SDK/2.232.2',
    requestParameters: spec.errorCode
      ? null
      : { modelName: spec.modelName, executionRoleArn: `arn:aws:iam::${spec.account}:role/Exec`, ...(spec.isolation === undefined ? {} : { enableNetworkIsolation: spec.isolation }) },
    responseElements: spec.errorCode ? null : { modelArn: `arn:aws:sagemaker:${spec.region}:${spec.account}:model/${spec.modelName.toLowerCase()}` },
    ...(spec.errorCode ? { errorCode: spec.errorCode, errorMessage: `not authorized on resource: arn:aws:sagemaker:${spec.region}:${spec.account}:model/${spec.modelName}` } : {}),
    eventID: spec.eventId ?? randomUUID(),
    eventType: 'AwsApiCall',
    recipientAccountId: spec.account,
  };
}

export function remediationRecord(how: 'deleted' | 'quarantined', spec: { account: string; region: string; time: string; modelName: string }) {
  const base = {
    eventVersion: '1.09',
    userIdentity: { type: 'AssumedRole', arn: `arn:aws:sts::${spec.account}:assumed-role/isolation-guard-enforce/x`, accountId: spec.account },
    eventTime: spec.time,
    eventSource: 'sagemaker.amazonaws.com',
    awsRegion: spec.region,
    eventID: randomUUID(),
    eventType: 'AwsApiCall',
    recipientAccountId: spec.account,
    responseElements: null,
  };
  return how === 'deleted'
    ? { ...base, eventName: 'DeleteModel', requestParameters: { modelName: spec.modelName } }
    : {
        ...base,
        eventName: 'AddTags',
        requestParameters: {
          resourceArn: `arn:aws:sagemaker:${spec.region}:${spec.account}:model/${spec.modelName.toLowerCase()}`,
          tags: [{ key: 'isolation-guard:quarantine', value: 'network-isolation-disabled' }],
        },
      };
}

/** Unrelated traffic, as most of a trail is. */
export function noiseRecord(account: string, region: string, time: string, i: number): Record<string, unknown> {
  return {
    eventVersion: '1.08',
    userIdentity: { type: 'AssumedRole', arn: `arn:aws:sts::${account}:assumed-role/App/i-0abc`, accountId: account },
    eventTime: time,
    eventSource: 'ec2.amazonaws.com',
    eventName: 'DescribeInstances',
    awsRegion: region,
    sourceIPAddress: '10.0.0.1',
    userAgent: 'aws-sdk-go-v2/1.30.3',
    requestParameters: { instancesSet: {}, filterSet: {}, maxResults: 1000, n: i },
    responseElements: null,
    requestID: randomUUID(),
    eventID: randomUUID(),
    readOnly: true,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: account,
  };
}

/** The key a trail gives a log file holding records of `time`, under `day` (the file's folder). */
export function logFileKey(options: { prefix?: string; organization?: string; account: string; region: string; day: string; time: string }): string {
  const stamp = options.time.replace(/[-:]/g, '').slice(0, 13) + 'Z';
  const org = options.organization ? `${options.organization}/` : '';
  return `${options.prefix ?? ''}AWSLogs/${org}${options.account}/CloudTrail/${options.region}/${options.day}/${options.account}_CloudTrail_${options.region}_${stamp}_${randomUUID().slice(0, 16)}.json.gz`;
}

export const gzipRecords = (records: unknown[]): Buffer => gzipSync(Buffer.from(JSON.stringify({ Records: records })));
