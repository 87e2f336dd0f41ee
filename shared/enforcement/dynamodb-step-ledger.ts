import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { LedgerUnavailableError, StepInProgressError, type StepLedger } from './step-ledger.js';

/**
 * Steps whose effect ran but whose "done" write failed, kept in this process (a Lambda's retries
 * usually reach the same warm container), so a retry here does not run them again. Bounded.
 */
const doneButUnrecorded = new Map<string, string>();
const UNRECORDED_MAX = 10_000;

const describeError = (error: unknown): string => {
  const name = (error as Error)?.name ?? 'Error';
  const message = (error as Error)?.message ?? String(error);
  return message && message !== name ? `${name}: ${message}` : name;
};

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
      const memoryKey = `${tableName}\0${id}`;
      const remembered = doneButUnrecorded.get(memoryKey);
      if (remembered !== undefined) return { replayed: true, value: JSON.parse(remembered) };
      const unavailable = (error: unknown) =>
        new LedgerUnavailableError(
          (error as Error)?.name === 'ResourceNotFoundException'
            ? `the step-ledger table ${tableName} does not exist (${describeError(error)})`
            : `the step-ledger table ${tableName} cannot be used (${describeError(error)})`,
          { cause: error },
        );
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
        if (!(error instanceof ConditionalCheckFailedException) && (error as Error).name !== 'ConditionalCheckFailedException') throw unavailable(error);
        const existing = await client.send(new GetItemCommand({ TableName: tableName, Key: key, ConsistentRead: true })).catch((cause: unknown) => {
          throw unavailable(cause);
        });
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
      try {
        await client.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: key,
            UpdateExpression: 'SET #status = :done, #result = :result REMOVE leaseUntil',
            ExpressionAttributeNames: { '#status': 'status', '#result': 'result' },
            ExpressionAttributeValues: { ':done': { S: 'done' }, ':result': { S: JSON.stringify(value) } },
          }),
        );
      } catch (error) {
        // The effect happened: never report it as failed (that would run it again at once).
        // Remember it here; another container may run it again once the claim's lease runs out.
        if (doneButUnrecorded.size >= UNRECORDED_MAX) doneButUnrecorded.delete(doneButUnrecorded.keys().next().value!);
        doneButUnrecorded.set(memoryKey, JSON.stringify(value));
        return { replayed: false, value, unrecorded: `step ${step} ran but the step-ledger table ${tableName} could not record it as done (${describeError(error)})` };
      }
      return { replayed: false, value };
    },
  };
}
