import { createServer, type Socket } from 'node:net';
import { DescribeModelCommand } from '@aws-sdk/client-sagemaker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients } from '../../shared/aws/clients.js';
import { ENFORCE_CLI_TIMEOUTS } from '../../cli/commands/enforce.js';

/** An endpoint that accepts connections and never answers: a call to it hangs without a timeout. */
const sockets = new Set<Socket>();
const blackHole = createServer((socket) => sockets.add(socket));
let endpoint = '';

beforeAll(async () => {
  await new Promise<void>((resolve) => blackHole.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(blackHole.address() as { port: number }).port}`;
});
afterAll(() => {
  for (const socket of sockets) socket.destroy();
  blackHole.close();
});

describe('AWS client request timeouts', () => {
  it('a call to an endpoint that never answers fails after the request timeout (and its retries) instead of hanging', async () => {
    const clients = createAwsClients({ endpoint, region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' }, requestHandler: { requestTimeout: 150, connectionTimeout: 150, throwOnRequestTimeout: true } });
    const started = Date.now();
    await expect(clients.sagemakerIn('eu-west-1').send(new DescribeModelCommand({ ModelName: 'm' }))).rejects.toThrow(/timed? ?out|timeout/i);
    expect(Date.now() - started).toBeLessThan(20_000);
  }, 30_000);

  it('the enforce command line sets both limits', () => {
    expect(ENFORCE_CLI_TIMEOUTS.requestTimeout).toBeGreaterThan(0);
    expect(ENFORCE_CLI_TIMEOUTS.connectionTimeout).toBeGreaterThan(0);
    expect(ENFORCE_CLI_TIMEOUTS.throwOnRequestTimeout).toBe(true);
  });
});
