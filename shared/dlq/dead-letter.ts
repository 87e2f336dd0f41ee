import { InputParseError } from '../errors.js';

/**
 * The original EventBridge event inside a dead-letter message. Two producers write to the queue:
 * Lambda's on-failure destination wraps the event as `requestPayload` beside `requestContext`
 * and the error; the rule target's dead-letter queue holds the event itself.
 */
export function eventFromDeadLetter(body: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (cause) {
    throw new InputParseError(`dead-letter message body is not JSON (${(cause as Error).message})`, { cause });
  }
  if (typeof value === 'object' && value !== null && 'requestContext' in value && 'requestPayload' in value) {
    return (value as { requestPayload: unknown }).requestPayload;
  }
  return value;
}
