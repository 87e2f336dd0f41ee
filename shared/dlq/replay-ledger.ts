import { stacksWithOutputs, type CloudFormationClient } from '../aws/cloudformation-client.js';

/**
 * The step-ledger table of the stack whose dead-letter queue is being replayed, from the stack's
 * outputs (`DeadLetterQueueUrl` is this queue, `IdempotencyTableName` is the table), so that a
 * replay is idempotent without the user naming the table. Null when no stack outputs this queue.
 */
export async function ledgerTableOfQueue(cloudFormation: CloudFormationClient, queueUrl: string): Promise<{ table: string; stack: string } | null> {
  const wanted = queueIdentity(queueUrl);
  if (wanted === null) return null;
  for await (const stack of stacksWithOutputs(cloudFormation)) {
    const queue = stack.outputs.DeadLetterQueueUrl;
    const table = stack.outputs.IdempotencyTableName;
    if (queue && table && queueIdentity(queue) === wanted) return { table, stack: stack.name ?? '?' };
  }
  return null;
}

/** `ACCOUNT/NAME` of a queue URL: hosts differ (legacy, VPC endpoint, local) for the same queue. */
function queueIdentity(url: string): string | null {
  try {
    const [, account, name] = new URL(url).pathname.split('/');
    return account && name ? `${account}/${name}` : null;
  } catch {
    return null;
  }
}
