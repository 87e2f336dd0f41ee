import { parser } from '@aws-lambda-powertools/parser/middleware';
import middy from '@middy/core';
import { describe, expect, it } from 'vitest';
import { CreateModelEventSchema, eventIds, type ParsedEnforceEvent } from '../../shared/lambda/enforce-event.js';
import { createModelEvent } from '../../local-aws/cloudtrail-events.js';
import { lambdaContext } from '../../local-aws/lambda-context.js';

/** What the enforce handler's parser middleware hands the handler for `event`. */
async function parsed(event: unknown): Promise<ParsedEnforceEvent> {
  const handler = middy<ParsedEnforceEvent, ParsedEnforceEvent>()
    .use(parser({ schema: CreateModelEventSchema, safeParse: true }))
    .handler(async (received) => received);
  return handler(event as never, lambdaContext());
}

const delivered = () => createModelEvent({ modelName: 'm', account: '111122223333', region: 'eu-west-1', eventId: 'ct-1' });

describe('the enforce event through the parser middleware', () => {
  it('validates the event the rule delivers: the CloudTrail record typed, the EventBridge id kept for the logs', async () => {
    const event = delivered();
    const result = await parsed(event);
    expect(result.success).toBe(true);
    if (!result.success) return;
    expect(result.data.detail).toMatchObject({ eventName: 'CreateModel', eventID: 'ct-1', recipientAccountId: '111122223333' });
    expect(eventIds(result)).toEqual({ eventId: 'ct-1', eventBridgeId: event.id });
  });

  it('hands over the original event when it does not validate, ids still read from it', async () => {
    const event = { ...delivered(), 'detail-type': 'AWS Service Event via CloudTrail' };
    const result = await parsed(event);
    expect(result).toMatchObject({ success: false, originalEvent: event });
    expect(eventIds(result)).toEqual({ eventId: 'ct-1', eventBridgeId: event.id });
    expect(eventIds(await parsed('not an event'))).toEqual({ eventId: null, eventBridgeId: null });
  });
});
