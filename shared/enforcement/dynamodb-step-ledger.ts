import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { StepInProgressError, type StepLedger } from './step-ledger.js';

export interface DynamoDbStepLedgerOptions {
  client: DynamoDBClient;
  tableName: string;
  /** How long a claimed step may run before another delivery may take it over (a crashed run). */
  leaseSeconds?: number;
  /** How long done steps are kept (DynamoDB TTL on `expiresAt`): longer than any redelivery. */
  retentionDays?: number;
  now?: () => Date;
}

/**
 * The step ledger in DynamoDB (table key `id`, a string). A step is claimed with a conditional
 * put (free, or a lease that has run out), marked done with its result, or released on failure.
 */
export function dynamoDbStepLedger(options: DynamoDbStepLedgerOptions): StepLedger {
  const { client, tableName } = options;
  const leaseSeconds = options.leaseSeconds ?? 120;
  const retentionSeconds = (options.retentionDays ?? 7) * 86_400;
  const now = options.now ?? (() => new Date());
  const epoch = () => Math.floor(now().getTime() / 1000);

  return {
    async once(eventId, step, effect) {
      const id = `${eventId}#${step}`;
      const key = { id: { S: id } };
      try {
        await client.send(
          new PutItemCommand({
            TableName: tableName,
            Item: {
              ...key,
              status: { S: 'in-progress' },
              leaseUntil: { N: String(epoch() + leaseSeconds) },
              expiresAt: { N: String(epoch() + retentionSeconds) },
            },
            ConditionExpression: 'attribute_not_exists(id) OR (#status = :running AND leaseUntil < :now)',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':running': { S: 'in-progress' }, ':now': { N: String(epoch()) } },
          }),
        );
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException) && (error as Error).name !== 'ConditionalCheckFailedException') throw error;
        const existing = await client.send(new GetItemCommand({ TableName: tableName, Key: key, ConsistentRead: true }));
        const item = existing.Item;
        if (item?.status?.S === 'done') return { replayed: true, value: JSON.parse(item.result?.S ?? '{}') };
        throw new StepInProgressError(id);
      }

      let value;
      try {
        value = await effect();
      } catch (error) {
        // Release the claim so the retry of this event runs this step again.
        await client.send(new DeleteItemCommand({ TableName: tableName, Key: key })).catch(() => undefined);
        throw error;
      }
      await client.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: key,
          UpdateExpression: 'SET #status = :done, #result = :result REMOVE leaseUntil',
          ExpressionAttributeNames: { '#status': 'status', '#result': 'result' },
          ExpressionAttributeValues: { ':done': { S: 'done' }, ':result': { S: JSON.stringify(value) } },
        }),
      );
      return { replayed: false, value };
    },
  };
}
