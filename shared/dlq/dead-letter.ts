import { z } from 'zod';
import { toValidationError } from '../cloudtrail/extract.js';
import { InputParseError } from '../errors.js';
import { errorText } from '../model/error-text.js';

/** Lambda's on-failure destination record: the event as `requestPayload`, beside `requestContext` and the error. */
const LambdaDestinationRecordSchema = z.looseObject({
  requestContext: z.looseObject({ requestId: z.string().optional(), condition: z.string().optional() }),
  requestPayload: z.looseObject({}),
});

/** The event itself, as the rule target's dead-letter queue holds it: a JSON object (its own schema is the enforce event's). */
const DeadLetterEventSchema = z.looseObject({});

/**
 * The original EventBridge event inside a dead-letter message. Two producers write to the queue:
 * Lambda's on-failure destination wraps the event as `requestPayload` beside `requestContext`
 * and the error; the rule target's dead-letter queue holds the event itself. A body of neither
 * shape fails naming the field (`requestPayload: ...`).
 */
export function eventFromDeadLetter(body: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (cause) {
    throw new InputParseError(`dead-letter message body is not JSON (${errorText(cause, { name: false })})`, { cause });
  }
  if (typeof value === 'object' && value !== null && 'requestContext' in value) {
    const parsed = LambdaDestinationRecordSchema.safeParse(value);
    if (!parsed.success) throw toValidationError('body', parsed.error);
    return parsed.data.requestPayload;
  }
  const parsed = DeadLetterEventSchema.safeParse(value);
  if (!parsed.success) throw toValidationError('body', parsed.error);
  return parsed.data;
}
