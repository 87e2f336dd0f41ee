import { PutEventsCommand, type EventBridgeClient, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';

export type { EventBridgeClient, PutEventsRequestEntry };

/**
 * EventBridge PutEvents of one entry: the entry's result (PutEvents answers 200 and says in the
 * entry whether it refused it). Not idempotent: the client is made with `withoutBlindRetries`.
 */
export async function putEvent(client: EventBridgeClient, entry: PutEventsRequestEntry): Promise<{ eventId: string | null; failed: boolean; errorCode: string | null; errorMessage: string | null }> {
  const output = await client.send(new PutEventsCommand({ Entries: [entry] }));
  const result = output.Entries?.[0];
  return {
    eventId: result?.EventId ?? null,
    failed: (output.FailedEntryCount ?? 0) > 0,
    errorCode: result?.ErrorCode ?? null,
    errorMessage: result?.ErrorMessage ?? null,
  };
}
