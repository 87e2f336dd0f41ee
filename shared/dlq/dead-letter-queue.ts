import { DeleteMessageCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';

export interface DeadLetter {
  messageId: string;
  body: string;
  receiptHandle: string;
}

/**
 * Every message now in the queue, page by page, until a receive comes back empty. Messages are
 * only hidden while we work (visibility timeout): one we could not replay comes back by itself.
 */
export async function* receiveDeadLetters(sqs: SQSClient, queueUrl: string, visibilitySeconds = 120): AsyncGenerator<DeadLetter> {
  for (;;) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, VisibilityTimeout: visibilitySeconds }),
    );
    if (Messages.length === 0) return;
    for (const message of Messages) {
      if (!message.MessageId || !message.ReceiptHandle) continue;
      yield { messageId: message.MessageId, body: message.Body ?? '', receiptHandle: message.ReceiptHandle };
    }
  }
}

/** Removes a dead letter once its event has been replayed in full. */
export async function deleteDeadLetter(sqs: SQSClient, queueUrl: string, letter: DeadLetter): Promise<void> {
  await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: letter.receiptHandle }));
}
