import { DeleteMessageCommand, ReceiveMessageCommand, SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';

export type { SQSClient };

/** A received message: what SQS delivered and the handle that deletes it. */
export interface ReceivedMessage {
  messageId: string;
  body: string;
  receiptHandle: string;
}

/** One ReceiveMessage (up to ten messages, a short wait); messages are hidden for `visibilitySeconds`. */
export async function receiveMessages(sqs: SQSClient, queueUrl: string, visibilitySeconds: number): Promise<ReceivedMessage[]> {
  const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, VisibilityTimeout: visibilitySeconds }));
  return Messages.flatMap((message) =>
    message.MessageId && message.ReceiptHandle ? [{ messageId: message.MessageId, body: message.Body ?? '', receiptHandle: message.ReceiptHandle }] : [],
  );
}

export async function deleteMessage(sqs: SQSClient, queueUrl: string, receiptHandle: string): Promise<void> {
  await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: receiptHandle }));
}

/** SendMessageBatch of up to ten messages: the entries SQS refused (its id and code), empty when none. */
export async function sendMessageBatch(sqs: SQSClient, queueUrl: string, entries: ReadonlyArray<{ id: string; body: string }>): Promise<Array<{ id: string; code: string }>> {
  const sent = await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries.map(({ id, body }) => ({ Id: id, MessageBody: body })) }));
  return (sent.Failed ?? []).map((failed) => ({ id: failed.Id ?? '?', code: failed.Code ?? '?' }));
}
