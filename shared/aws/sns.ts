import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';

export type { SNSClient };

/** Message attributes subscribers filter on (string values only). */
export type SnsAttributes = Record<string, { DataType: 'String'; StringValue: string }>;

export interface SnsMessage {
  topicArn: string;
  subject: string;
  message: string;
  /** `json`: `message` is `{"default": ..., "email": ...}`, one body per protocol. */
  structure?: 'json';
  attributes: SnsAttributes;
}

/**
 * SNS Publish. Not idempotent: the client given is made with `withoutBlindRetries`
 * (shared/aws/clients.ts), so a slow reply is not published twice by the SDK.
 */
export async function publish(client: SNSClient, message: SnsMessage): Promise<{ messageId: string }> {
  const output = await client.send(
    new PublishCommand({
      TopicArn: message.topicArn,
      Subject: message.subject,
      Message: message.message,
      ...(message.structure ? { MessageStructure: message.structure } : {}),
      MessageAttributes: message.attributes,
    }),
  );
  return { messageId: output.MessageId ?? '' };
}
