import { Client } from '@smithy/core/client';

/**
 * Records every AWS action the code calls, as IAM names it (`ssm:GetParameters`, not the
 * `GetParametersCommand` a test sees), with the resource it was called on. moto does not enforce
 * IAM, so a call that the deployed role would deny (the Slack webhook read by @middy/ssm with
 * GetParameters while the role granted GetParameter) passes every local test: the recorder lets a
 * test compare what the code did with what the packaged role and `policy iam` grant.
 *
 * It is an SDK middleware, added to every client on its first `send` (clients made inside the code
 * under test included: @middy/ssm's, the router's STS clients), so nothing needs wiring.
 */
export interface RecordedAction {
  /** IAM action, e.g. `sagemaker:DescribeModel`. */
  action: string;
  /** The ARN the call acted on, or `*` for actions without resource-level permission. */
  resource: string;
  region: string;
  /** s3:ListBucket: the key prefix listed (the `s3:prefix` condition key); absent when none was given. */
  prefix?: string;
  /** The account whose credentials made the call: a member account's, through its role (AssumeRole). */
  caller: string;
  /**
   * The request's condition keys that IAM evaluates and the call itself says: `sagemaker:NetworkIsolation`
   * of a CreateModel, `aws:RequestTag/KEY` and `aws:TagKeys` of a call that tags, `iam:PassedToService`
   * of the implicit PassRole.
   */
  context?: Record<string, string | string[]>;
}

/**
 * What IAM also authorises for one call, though the SDK sends no request for it: a Create* call that
 * passes an execution role needs `iam:PassRole` on it (to SageMaker), and one that tags what it creates
 * needs `sagemaker:AddTags` on it, with the same request tags.
 */
function implicitActions(record: RecordedAction, input: any): RecordedAction[] {
  const implied: RecordedAction[] = [];
  if (record.action.startsWith('sagemaker:Create') && typeof input.ExecutionRoleArn === 'string') {
    implied.push({ ...record, action: 'iam:PassRole', resource: input.ExecutionRoleArn, context: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } });
  }
  if (record.action.startsWith('sagemaker:Create') && Array.isArray(input.Tags) && input.Tags.length > 0) {
    implied.push({ ...record, action: 'sagemaker:AddTags' });
  }
  return implied;
}

/** The condition keys a request carries (see RecordedAction.context). */
function requestContext(action: string, input: any): Record<string, string | string[]> | undefined {
  const context: Record<string, string | string[]> = {};
  if (action === 'sagemaker:CreateModel' && typeof input.EnableNetworkIsolation === 'boolean') context['sagemaker:NetworkIsolation'] = String(input.EnableNetworkIsolation);
  const tags: { Key?: string; Value?: string }[] = action.startsWith('sagemaker:') && Array.isArray(input.Tags) ? input.Tags : [];
  for (const tag of tags) if (typeof tag.Key === 'string') context[`aws:RequestTag/${tag.Key}`] = String(tag.Value ?? '');
  if (tags.length > 0) context['aws:TagKeys'] = tags.map((t) => String(t.Key));
  return Object.keys(context).length > 0 ? context : undefined;
}

/** Access keys that AssumeRole handed out, with the account of the role assumed (as moto scopes them). */
const assumedKeys = new Map<string, string>();

const SERVICE_PREFIX: Record<string, string> = {
  SageMakerClient: 'sagemaker',
  SNSClient: 'sns',
  EventBridgeClient: 'events',
  DynamoDBClient: 'dynamodb',
  SQSClient: 'sqs',
  S3Client: 's3',
  SSMClient: 'ssm',
  STSClient: 'sts',
  OrganizationsClient: 'organizations',
  CloudTrailClient: 'cloudtrail',
  AccountClient: 'account',
  AthenaClient: 'athena',
};

/** Athena authorises a query's later calls on the workgroup it ran in: the query id's workgroup, as StartQueryExecution answered. */
const queryWorkgroups = new Map<string, string>();

/** Commands whose IAM action has another name. */
const IAM_ACTION: Record<string, string> = {
  's3:ListObjectsV2': 's3:ListBucket',
  's3:ListObjects': 's3:ListBucket',
  's3:HeadObject': 's3:GetObject',
  's3:HeadBucket': 's3:ListBucket',
  // SQS's batch calls are authorised as their single actions (IAM has no *Batch action).
  'sqs:SendMessageBatch': 'sqs:SendMessage',
  'sqs:DeleteMessageBatch': 'sqs:DeleteMessage',
  'sqs:ChangeMessageVisibilityBatch': 'sqs:ChangeMessageVisibility',
};

/** Actions that take no resource-level permission. */
const NO_RESOURCE = new Set(['sagemaker:ListModels', 'sagemaker:ListEndpoints', 'sagemaker:ListEndpointConfigs', 'cloudtrail:LookupEvents', 'organizations:ListAccounts', 'sts:GetCallerIdentity']);

const queueArn = (url: string, region: string): string => {
  const [, account, name] = new URL(url).pathname.split('/');
  return `arn:aws:sqs:${region}:${account}:${name}`;
};

/** The resource of one call, from its input, as the IAM policy reference names it. */
function resourceOf(action: string, input: Record<string, any>, region: string, account: string): string {
  if (NO_RESOURCE.has(action)) return '*';
  const [service] = action.split(':');
  switch (service) {
    case 'athena':
      return `arn:aws:athena:${region}:${account}:workgroup/${input.WorkGroup ?? queryWorkgroups.get(String(input.QueryExecutionId)) ?? 'primary'}`;
    case 'sagemaker': {
      const arn = input.ResourceArn ?? input.ModelArn;
      if (typeof arn === 'string' && arn.startsWith('arn:')) return arn;
      // An endpoint's calls (UpdateEndpoint names its new config too: the endpoint is the resource), then a config's.
      if (typeof input.EndpointName === 'string') return `arn:aws:sagemaker:${region}:${account}:endpoint/${input.EndpointName.toLowerCase()}`;
      if (typeof input.EndpointConfigName === 'string') return `arn:aws:sagemaker:${region}:${account}:endpoint-config/${input.EndpointConfigName.toLowerCase()}`;
      // AWS writes model names lower-case in ARNs.
      return `arn:aws:sagemaker:${region}:${account}:model/${String(input.ModelName ?? '').toLowerCase()}`;
    }
    case 'sns':
      return String(input.TopicArn ?? input.TargetArn);
    case 'events': {
      const bus = String(input.Entries?.[0]?.EventBusName ?? input.EventBusName ?? 'default');
      return bus.startsWith('arn:') ? bus : `arn:aws:events:${region}:${account}:event-bus/${bus}`;
    }
    case 'dynamodb':
      return `arn:aws:dynamodb:${region}:${account}:table/${input.TableName}`;
    case 'sqs':
      return queueArn(String(input.QueueUrl), region);
    case 's3':
      return input.Key === undefined ? `arn:aws:s3:::${input.Bucket}` : `arn:aws:s3:::${input.Bucket}/${input.Key}`;
    case 'ssm': {
      // One call may read several parameters; the recorder keeps the first (the service reads one).
      const name = String(input.Names?.[0] ?? input.Name ?? '');
      return `arn:aws:ssm:${region}:${account}:parameter/${name.replace(/^\//, '')}`;
    }
    case 'sts':
      return String(input.RoleArn ?? '*');
    case 'account':
      // The calling account's own (a member account's, through its role: its credentials' account).
      return `arn:aws:account::${input.AccountId ?? account}:account`;
    default:
      return '*';
  }
}

export interface ActionRecorder {
  readonly calls: RecordedAction[];
  /** Distinct `action resource` pairs. */
  distinct(): RecordedAction[];
  clear(): void;
  stop(): void;
}

let active: ActionRecorder[] = [];
let installed = false;
const instrumented = new WeakSet<object>();

function install(account: string): void {
  if (installed) return;
  installed = true;
  const originalSend = Client.prototype.send;
  Client.prototype.send = function patchedSend(this: any, ...args: any[]) {
    if (!instrumented.has(this)) {
      instrumented.add(this);
      this.middlewareStack.add(
        (next: any, context: any) => async (callArgs: any) => {
          const prefix = SERVICE_PREFIX[String(context.clientName)];
          if (prefix && active.length > 0) {
            const command = String(context.commandName).replace(/Command$/, '');
            const named = `${prefix}:${command}`;
            const action = IAM_ACTION[named] ?? named;
            const region = typeof this.config.region === 'function' ? await this.config.region() : String(this.config.region);
            const input = callArgs.input ?? {};
            const identity = typeof this.config.credentials === 'function' ? await this.config.credentials().catch(() => null) : null;
            const caller = assumedKeys.get(identity?.accessKeyId) ?? account;
            const record: RecordedAction = { action, resource: resourceOf(action, input, region, caller), region, caller };
            if (action === 's3:ListBucket' && typeof input.Prefix === 'string') record.prefix = input.Prefix;
            const requestKeys = requestContext(action, input);
            if (requestKeys) record.context = requestKeys;
            for (const recorder of active) recorder.calls.push(record, ...implicitActions(record, input));
            const output = await next(callArgs);
            const key = output?.output?.Credentials?.AccessKeyId;
            if (action === 'sts:AssumeRole' && key) assumedKeys.set(key, String(input.RoleArn).split(':')[4]!);
            const queryId = output?.output?.QueryExecutionId;
            if (action === 'athena:StartQueryExecution' && queryId) queryWorkgroups.set(queryId, input.WorkGroup ?? 'primary');
            return output;
          }
          return next(callArgs);
        },
        { step: 'initialize', name: 'isolationGuardActionRecorder', priority: 'high' },
      );
    }
    return (originalSend as any).apply(this, args);
  } as typeof Client.prototype.send;
}

/** Starts recording every AWS call made in this process (clients made before or after). */
export function recordAwsActions(options: { account?: string } = {}): ActionRecorder {
  install(options.account ?? '123456789012');
  const recorder: ActionRecorder = {
    calls: [],
    distinct() {
      const seen = new Map<string, RecordedAction>();
      for (const call of recorder.calls) seen.set(`${call.caller} ${call.action} ${call.resource} ${call.prefix ?? ''}`, call);
      return [...seen.values()].sort((a, b) => `${a.action} ${a.resource}`.localeCompare(`${b.action} ${b.resource}`));
    },
    clear() {
      recorder.calls.length = 0;
    },
    stop() {
      active = active.filter((r) => r !== recorder);
    },
  };
  active.push(recorder);
  return recorder;
}
