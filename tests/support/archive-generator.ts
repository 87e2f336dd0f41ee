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

/** `replaced`: the AddTags of `isolation-guard:replaced-by` that `isolation-guard fix` writes once every endpoint moved. */
export function remediationRecord(how: 'deleted' | 'quarantined' | 'replaced', spec: { account: string; region: string; time: string; modelName: string }) {
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
          tags:
            how === 'replaced'
              ? [{ key: 'isolation-guard:replaced-by', value: `${spec.modelName}-isolated` }]
              : [{ key: 'isolation-guard:quarantine', value: 'network-isolation-disabled' }],
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

/**
 * Realistic trail traffic, as the audit benchmark and the fast-path test need it: records of
 * about 1.4 KB with session context and TLS details, CloudTrail's `\u003c` escapes, other
 * SageMaker calls (some named like CreateModel: CreateModelPackage, CreateModelCard), and IAM
 * calls whose policy text mentions `sagemaker:CreateModel` (decoys for a text search).
 */
export function realisticRecord(account: string, region: string, time: string, i: number): Record<string, unknown> {
  const session = {
    type: 'AssumedRole',
    principalId: `AROAEXAMPLEROLEID${i % 97}:session-${i}`,
    arn: `arn:aws:sts::${account}:assumed-role/Platform-${i % 13}/session-${i}`,
    accountId: account,
    accessKeyId: `ASIAEXAMPLE${String(i).padStart(9, '0')}`,
    sessionContext: {
      sessionIssuer: { type: 'Role', principalId: `AROAEXAMPLEROLEID${i % 97}`, arn: `arn:aws:iam::${account}:role/Platform-${i % 13}`, accountId: account, userName: `Platform-${i % 13}` },
      attributes: { creationDate: time, mfaAuthenticated: 'false' },
    },
  };
  const base = {
    eventVersion: '1.09',
    userIdentity: session,
    eventTime: time,
    awsRegion: region,
    sourceIPAddress: `203.0.113.${i % 250}`,
    userAgent: `aws-cli/2.17.${i % 50} md/awscrt#0.20.11 ua/2.0 os/linux#6.1 md/arch#x86_64 lang/python#3.11.9 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe command/<${i % 7}>`,
    requestID: randomUUID(),
    eventID: randomUUID(),
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: account,
    eventCategory: 'Management',
    tlsDetails: { tlsVersion: 'TLSv1.3', cipherSuite: 'TLS_AES_128_GCM_SHA256', clientProvidedHostHeader: `service.${region}.amazonaws.com` },
  };
  switch (i % 10) {
    case 0: // IAM: a policy that mentions CreateModel, as text (JSON-encoded in the request) and as an object
      return {
        ...base,
        eventSource: 'iam.amazonaws.com',
        eventName: 'PutRolePolicy',
        awsRegion: 'us-east-1',
        requestParameters: {
          roleName: `ml-role-${i}`,
          policyName: 'sagemaker-models',
          policyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: ['sagemaker:CreateModel'], Resource: '*', Condition: { Bool: { 'sagemaker:NetworkIsolation': 'false' } } }] }),
        },
        responseElements: null,
        additionalEventData: { actions: ['sagemaker:CreateModel', 'sagemaker:CreateModelPackage'], note: 'denies CreateModel without "NetworkIsolation"' },
      };
    case 1: // Other SageMaker calls, one of them named like CreateModel
      return {
        ...base,
        eventSource: 'sagemaker.amazonaws.com',
        eventName: i % 20 === 1 ? 'CreateModelPackage' : 'DescribeEndpoint',
        requestParameters: { endpointName: `endpoint-${i}`, modelPackageGroupName: `group-${i}` },
        responseElements: null,
        readOnly: i % 20 !== 1,
      };
    default:
      return {
        ...base,
        eventSource: i % 3 ? 'ec2.amazonaws.com' : 's3.amazonaws.com',
        eventName: i % 3 ? 'DescribeInstances' : 'GetBucketAcl',
        requestParameters: { instancesSet: { items: [{ instanceId: `i-0${(i * 7919).toString(16).padStart(16, '0')}` }] }, filterSet: { items: [{ name: 'tag:team', valueSet: { items: [{ value: `data<&>${i % 5}` }] } }] }, maxResults: 1000 },
        responseElements: null,
        readOnly: true,
      };
  }
}

/** A log file as CloudTrail writes it: compact JSON, `<`, `>` and `&` escaped as `\u003c`..., no final newline. */
export function cloudTrailLogFile(records: unknown[]): Buffer {
  const text = JSON.stringify({ Records: records }).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
  return gzipSync(Buffer.from(text));
}
