import { paginateLookupEvents, type CloudTrailClient } from '@aws-sdk/client-cloudtrail';

export type { CloudTrailClient };

/**
 * CreateModel events of a period from CloudTrail LookupEvents (the last 90 days), page by page (50
 * events a page, the API's most): each page's records (the events' full CloudTrail records, parsed
 * JSON) and whether another page follows. The next page is asked for only when the consumer
 * asks for it, so a consumer that waits between pages spaces the calls.
 */
export async function* lookupCreateModelPages(client: CloudTrailClient, period: { from: Date; to: Date }): AsyncGenerator<{ records: unknown[]; more: boolean }> {
  const outputs = paginateLookupEvents(
    { client, pageSize: 50 },
    { LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'CreateModel' }], StartTime: period.from, EndTime: period.to },
  );
  for await (const output of outputs) {
    // Each event carries the full record as a JSON string: parsed, never pattern-matched.
    const records = (output.Events ?? []).flatMap((event) => (event.CloudTrailEvent ? [JSON.parse(event.CloudTrailEvent) as unknown] : []));
    yield { records, more: Boolean(output.NextToken) };
  }
}
