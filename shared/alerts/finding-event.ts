import { putEvent, type EventBridgeClient, type PutEventsRequestEntry } from '../aws/events.js';
import type { AlertInput } from '../model/outcome.js';
import { alertDocument, boundedJson } from './alert-document.js';
import { FindingDeliveryError } from './errors.js';

export const FINDING_SOURCE = 'sagemaker-isolation-guard';
export const FINDING_DETAIL_TYPE = 'SageMaker Model Network Isolation Finding';
/** PutEvents allows 256 KB per entry, source, detail type and resources included. */
const MAX_DETAIL_BYTES = 240 * 1024;

/** The finding other automation (ticketing, SOAR) subscribes to, on the configured bus. */
export function findingEvent(input: AlertInput, busName?: string): PutEventsRequestEntry {
  const time = new Date(input.decision.eventTime);
  return {
    Source: FINDING_SOURCE,
    DetailType: FINDING_DETAIL_TYPE,
    Detail: boundedJson(alertDocument(input), MAX_DETAIL_BYTES),
    Resources: input.decision.modelArn ? [input.decision.modelArn] : [],
    ...(Number.isNaN(time.getTime()) ? {} : { Time: time }),
    ...(busName ? { EventBusName: busName } : {}),
  };
}

export async function putFindingEvent(client: EventBridgeClient, entry: PutEventsRequestEntry): Promise<{ eventId: string }> {
  const result = await putEvent(client, entry);
  if (result.failed || !result.eventId) throw new FindingDeliveryError(result.errorCode ?? 'Unknown', result.errorMessage ?? 'no event id returned');
  return { eventId: result.eventId };
}
