import { deleteMessage, receiveMessages, type ReceivedMessage, type SQSClient } from '../aws/sqs.js';

export type DeadLetter = ReceivedMessage;

/**
 * Every message now in the queue, page by page, until a receive comes back empty. Messages are
 * only hidden while we work (visibility timeout): one we could not replay comes back by itself.
 */
export async function* receiveDeadLetters(sqs: SQSClient, queueUrl: string, visibilitySeconds = 120): AsyncGenerator<DeadLetter> {
  for (;;) {
    const messages = await receiveMessages(sqs, queueUrl, visibilitySeconds);
    if (messages.length === 0) return;
    yield* messages;
  }
}

/** Removes a dead letter once its event has been replayed in full. */
export async function deleteDeadLetter(sqs: SQSClient, queueUrl: string, letter: DeadLetter): Promise<void> {
  await deleteMessage(sqs, queueUrl, letter.receiptHandle);
}
