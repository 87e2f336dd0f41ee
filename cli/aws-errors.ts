import type { AwsErrorContext } from '../shared/aws/error-context.js';
import { errorText } from '../shared/model/error-text.js';

/**
 * AWS failures in one plain sentence: which call failed, on what, why, and what to check. The CLI
 * prints this instead of a stack trace (exit 2: a source, queue, table or credentials the command
 * needs could not be used).
 */
type AwsLikeError = Error & AwsErrorContext & { $metadata?: { httpStatusCode?: number }; code?: string; Code?: string };

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'ECONNRESET', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH']);

export function isAwsError(error: unknown): error is AwsLikeError {
  if (!(error instanceof Error)) return false;
  const candidate = error as AwsLikeError;
  return (
    candidate.$metadata !== undefined ||
    candidate.$operation !== undefined ||
    candidate.name === 'CredentialsProviderError' ||
    candidate.name === 'TimeoutError' ||
    (typeof candidate.code === 'string' && NETWORK_CODES.has(candidate.code))
  );
}

function hint(error: AwsLikeError, env: NodeJS.ProcessEnv): string {
  const name = error.name;
  const status = error.$metadata?.httpStatusCode;
  const endpoint = env.AWS_ENDPOINT_URL;
  if (name === 'CredentialsProviderError') return 'no AWS credentials were found: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY';
  if (/^(NoSuchBucket)$/.test(name)) return 'check the bucket name and that it is in this account';
  if (/AccessDenied|Unauthorized|AuthorizationError|Forbidden/i.test(name) || status === 403) {
    return "the credentials in use may not make this call: 'isolation-guard policy iam' prints what each command needs";
  }
  if (/NonExistentQueue|QueueDoesNotExist/.test(name)) return 'check the queue URL (the stack output DeadLetterQueueUrl) and its region';
  if (name === 'ResourceNotFoundException') return 'check the name and the region (the idempotency table: the stack output IdempotencyTableName)';
  if (name === 'NotFound' || name === 'NotFoundException') return 'check the ARN and its region (the alert topic: the stack output AlertTopicArn)';
  if (/InvalidClientTokenId|UnrecognizedClient|ExpiredToken|InvalidAccessKeyId|SignatureDoesNotMatch/.test(name)) {
    return 'the credentials are not valid or have expired';
  }
  if (name === 'TimeoutError' || error.code === 'ETIMEDOUT') return 'the call timed out: check the network and the region';
  if (typeof error.code === 'string' && NETWORK_CODES.has(error.code)) {
    return `the endpoint cannot be reached${endpoint ? ` (AWS_ENDPOINT_URL=${endpoint})` : ''}: check the region and the network`;
  }
  // A page of HTML where AWS's JSON was expected: an endpoint (a local stand-in) without this call.
  if (status === 404 || status === 501 || name === 'SyntaxError' || /UnknownOperation|NotImplemented|InvalidAction/.test(name)) {
    return endpoint ? `the endpoint ${endpoint} does not seem to implement this call` : 'the call is not known to the endpoint: check the region';
  }
  if (/Throttl|TooManyRequests|SlowDown/.test(name)) return 'AWS throttled the calls beyond the retries: try again later';
  return 'check the name, the region and the credentials';
}

/**
 * `S3 ListObjectsV2 on bucket my-trail failed: NoSuchBucket (The specified bucket does not exist); check ...`.
 * `env` is the command's environment (its AWS_ENDPOINT_URL is named in the hint).
 */
export function describeAwsError(error: AwsLikeError, env: NodeJS.ProcessEnv): string {
  const call = [error.$service, error.$operation].filter(Boolean).join(' ') || 'an AWS call';
  const on = error.$resource ? ` on ${error.$resource}` : '';
  const message = errorText(error, { name: false, firstLine: true });
  const why =
    error.name === 'SyntaxError'
      ? 'the answer was not in the format AWS uses'
      : error.name && message && message !== error.name
        ? `${error.name} (${message})`
        : error.name || message || 'unknown error';
  return `${call}${on} failed: ${why}; ${hint(error, env)}.`;
}

/**
 * The hint for an error known only by its text (`CredentialsProviderError: Could not load ...`, as a
 * sweep's report keeps a region's error), or null when the text names no AWS error.
 */
export function hintForErrorText(text: string, env: NodeJS.ProcessEnv): string | null {
  const name = /^([A-Za-z]+(Error|Exception|Denied|NotFound|Throttling)?)\b/.exec(text)?.[1];
  if (!name) return null;
  const error = Object.assign(new Error(text.slice(name.length).replace(/^:\s*/, '')), { name }) as AwsLikeError;
  return hint(error, env);
}
