import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients, type AwsClients } from '../../shared/aws/clients.js';
import { dynamoDbStepLedger } from '../../shared/enforcement/dynamodb-step-ledger.js';
import { createLedgerTable } from '../../local-aws/local-stack.js';
import { awsClientConfig, startMoto, type MotoServer } from '../../local-aws/moto.js';
import { StepInProgressError } from '../../shared/enforcement/errors.js';

const TABLE = 'steps';
let moto: MotoServer;
let clients: AwsClients;

beforeAll(async () => {
  moto = await startMoto();
  clients = createAwsClients(awsClientConfig(moto.endpoint, 'eu-west-1'));
  await createLedgerTable(clients.dynamodb, TABLE);
});
afterAll(async () => moto?.stop());

describe('dynamoDbStepLedger on moto DynamoDB', () => {
  it('runs a step once per event across ledger instances (two Lambda containers) and replays its result', async () => {
    let runs = 0;
    const effect = async () => ({ messageId: `m${++runs}` });
    const a = dynamoDbStepLedger({ client: clients.dynamodb, tableName: TABLE });
    const b = dynamoDbStepLedger({ client: clients.dynamodb, tableName: TABLE });
    expect(await a.once('ev-1', 'sns', effect)).toEqual({ replayed: false, value: { messageId: 'm1' } });
    expect(await b.once('ev-1', 'sns', effect)).toEqual({ replayed: true, value: { messageId: 'm1' } });
    expect(runs).toBe(1);
    const item = await clients.dynamodb.send(new GetItemCommand({ TableName: TABLE, Key: { id: { S: 'ev-1#sns' } } }));
    expect(item.Item?.status?.S).toBe('done');
    expect(Number(item.Item?.expiresAt?.N)).toBeGreaterThan(Date.now() / 1000 + 6 * 86_400);
  });

  it('releases a failed step so the retry runs it', async () => {
    const ledger = dynamoDbStepLedger({ client: clients.dynamodb, tableName: TABLE });
    await expect(ledger.once('ev-2', 'slack', () => Promise.reject(new Error('Slack down')))).rejects.toThrow('Slack down');
    expect(await ledger.once('ev-2', 'slack', async () => ({ ok: true }))).toEqual({ replayed: false, value: { ok: true } });
  });

  it('refuses a step another delivery is running, and takes it over once the lease has run out', async () => {
    let clock = new Date('2026-11-22T10:00:00Z');
    const ledger = dynamoDbStepLedger({ client: clients.dynamodb, tableName: TABLE, leaseSeconds: 60, now: () => clock });
    let release!: () => void;
    const running = ledger.once('ev-3', 'action', () => new Promise<object>((resolve) => (release = () => resolve({ first: true }))));
    await new Promise((resolve) => setTimeout(resolve, 200));
    await expect(ledger.once('ev-3', 'action', async () => ({ second: true }))).rejects.toBeInstanceOf(StepInProgressError);

    // The first run "crashed" (never finishes in time); after the lease another delivery takes over.
    clock = new Date('2026-11-22T10:02:00Z');
    expect(await ledger.once('ev-3', 'action', async () => ({ second: true }))).toEqual({ replayed: false, value: { second: true } });
    release();
    await running;
  });

  it('remembers a step whose "done" write failed in the ledger that ran it (its container), not in another ledger of the same process', async () => {
    // The "done" write fails (fault injected on this client only); the claim and its reads reach moto.
    const failingDone = new DynamoDBClient({ ...awsClientConfig(moto.endpoint, 'eu-west-1'), maxAttempts: 1 });
    failingDone.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'UpdateItemCommand') throw Object.assign(new Error('injected'), { name: 'InternalServerError' });
        return next(args);
      },
      { step: 'initialize' },
    );
    let runs = 0;
    const effect = async () => ({ messageId: `m${++runs}` });
    const container = dynamoDbStepLedger({ client: failingDone, tableName: TABLE, doneRetryMs: 0 });
    const first = await container.once('ev-4', 'sns', effect);
    expect(first).toMatchObject({ replayed: false, value: { messageId: 'm1' }, unrecorded: expect.stringMatching(/could not record it as done/) });
    // The same container's retry: remembered, not run again.
    expect(await container.once('ev-4', 'sns', effect)).toEqual({ replayed: true, value: { messageId: 'm1' } });
    // Another container (a ledger of its own, even in this process) remembers nothing: the claim is held, so it is in progress.
    const other = dynamoDbStepLedger({ client: clients.dynamodb, tableName: TABLE });
    await expect(other.once('ev-4', 'sns', effect)).rejects.toBeInstanceOf(StepInProgressError);
    expect(runs).toBe(1);
    failingDone.destroy();
  });
});
