import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';

export type { DynamoDBClient };

/**
 * The DynamoDB calls of the step ledger (shared/enforcement/dynamodb-step-ledger.ts) and the sweep's
 * unit counter, on a table keyed by the string `id`. Items are read back as plain values.
 */

/** A ledger item as read: its status, owner, lease end (epoch seconds) and recorded result. */
export interface LedgerItem {
  status: string | null;
  owner: string | null;
  leaseUntil: number;
  result: string | null;
}

const toLedgerItem = (item: Record<string, { S?: string; N?: string }>): LedgerItem => ({
  status: item.status?.S ?? null,
  owner: item.owner?.S ?? null,
  leaseUntil: Number(item.leaseUntil?.N ?? 0),
  result: item.result?.S ?? null,
});

const isConditionFailed = (error: unknown) =>
  error instanceof ConditionalCheckFailedException || (error as Error)?.name === 'ConditionalCheckFailedException';

/**
 * Claims the step `id` for `owner` (a conditional put: the item is absent, already the owner's, or
 * in progress with its lease run out). Returns the item it replaced (undefined: none), or null
 * when the condition failed (another run holds it, or it is done). Any other failure throws.
 */
export async function claimLedgerItem(
  client: DynamoDBClient,
  tableName: string,
  claim: { id: string; owner: string; leaseUntil: number; expiresAt: number; now: number },
): Promise<LedgerItem | undefined | null> {
  try {
    const claimed = await client.send(
      new PutItemCommand({
        TableName: tableName,
        Item: {
          id: { S: claim.id },
          status: { S: 'in-progress' },
          owner: { S: claim.owner },
          leaseUntil: { N: String(claim.leaseUntil) },
          expiresAt: { N: String(claim.expiresAt) },
        },
        ConditionExpression: 'attribute_not_exists(id) OR #owner = :owner OR (#status = :running AND leaseUntil < :now)',
        ExpressionAttributeNames: { '#status': 'status', '#owner': 'owner' },
        ExpressionAttributeValues: { ':running': { S: 'in-progress' }, ':now': { N: String(claim.now) }, ':owner': { S: claim.owner } },
        ReturnValues: 'ALL_OLD',
      }),
    );
    return claimed.Attributes ? toLedgerItem(claimed.Attributes) : undefined;
  } catch (error) {
    if (isConditionFailed(error)) return null;
    throw error;
  }
}

/** The item `id` (a consistent read), undefined when there is none. */
export async function readLedgerItem(client: DynamoDBClient, tableName: string, id: string): Promise<LedgerItem | undefined> {
  const existing = await client.send(new GetItemCommand({ TableName: tableName, Key: { id: { S: id } }, ConsistentRead: true }));
  return existing.Item ? toLedgerItem(existing.Item) : undefined;
}

/** Deletes the item `id` if `owner` holds it (a failed condition is not an error: someone else's claim stays). */
export async function releaseLedgerItem(client: DynamoDBClient, tableName: string, id: string, owner: string): Promise<void> {
  await client.send(
    new DeleteItemCommand({
      TableName: tableName,
      Key: { id: { S: id } },
      ConditionExpression: '#owner = :owner',
      ExpressionAttributeNames: { '#owner': 'owner' },
      ExpressionAttributeValues: { ':owner': { S: owner } },
    }),
  );
}

/** Marks the item `id` done with its result and drops its lease (idempotent). */
export async function markLedgerItemDone(client: DynamoDBClient, tableName: string, id: string, result: string): Promise<void> {
  await client.send(
    new UpdateItemCommand({
      TableName: tableName,
      Key: { id: { S: id } },
      UpdateExpression: 'SET #status = :done, #result = :result REMOVE leaseUntil',
      ExpressionAttributeNames: { '#status': 'status', '#result': 'result' },
      ExpressionAttributeValues: { ':done': { S: 'done' }, ':result': { S: result } },
    }),
  );
}

/** Adds one to the counter `filed` of the item `id` (an atomic ADD, the item kept until `expiresAt`); returns the new count. */
export async function incrementCounter(client: DynamoDBClient, tableName: string, id: string, expiresAt: number): Promise<number> {
  const output = await client.send(
    new UpdateItemCommand({
      TableName: tableName,
      Key: { id: { S: id } },
      UpdateExpression: 'ADD filed :one SET expiresAt = if_not_exists(expiresAt, :expires)',
      ExpressionAttributeValues: { ':one': { N: '1' }, ':expires': { N: String(expiresAt) } },
      ReturnValues: 'UPDATED_NEW',
    }),
  );
  return Number(output.Attributes?.filed?.N ?? '0');
}
