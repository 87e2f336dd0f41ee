import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { slackWebhookSender } from '../../shared/alerts/slack-webhook.js';
import { startWebhookListener, type WebhookListener } from '../../local-aws/webhook-listener.js';
import { SlackDeliveryError } from '../../shared/alerts/errors.js';

let listener: WebhookListener | undefined;
afterEach(async () => listener?.close());

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => expect.unreachable('the send succeeded'),
    (error: unknown) => error as SlackDeliveryError,
  );

describe('slackWebhookSender against a local webhook listener (real HTTP)', () => {
  it('posts the JSON payload once when Slack answers 200', async () => {
    listener = await startWebhookListener();
    await expect(slackWebhookSender({ url: listener.url }).send({ text: 'hello' })).resolves.toEqual({ attempts: 1 });
    expect(listener.received).toEqual([expect.objectContaining({ body: { text: 'hello' } })]);
    expect(listener.received[0]!.headers['content-type']).toBe('application/json');
  });

  it('waits as long as Retry-After says on 429, then delivers', async () => {
    listener = await startWebhookListener([{ status: 429, headers: { 'Retry-After': '1' }, body: 'rate_limited' }]);
    const waits: number[] = [];
    const sender = slackWebhookSender({ url: listener.url, sleep: async (ms) => void waits.push(ms) });
    await expect(sender.send({ text: 'x' })).resolves.toEqual({ attempts: 2 });
    expect(waits).toEqual([1000]);
  });

  it.each([[{}], [{ 'Retry-After': '0' }], [{ 'Retry-After': 'soon' }]])('waits at least a second on a 429 with Retry-After %j', async (headers) => {
    listener = await startWebhookListener([{ status: 429, headers }, { status: 429, headers }]);
    const waits: number[] = [];
    const sender = slackWebhookSender({ url: listener.url, sleep: async (ms) => void waits.push(ms) });
    await expect(sender.send({ text: 'x' })).resolves.toEqual({ attempts: 3 });
    expect(waits).toEqual([1000, 1000]);
  });

  it('posts once to a webhook that answers after the timeout: no duplicate, reported as unconfirmed', async () => {
    listener = await startWebhookListener([{ status: 200, delayMs: 1500 }, { status: 200, delayMs: 1500 }]);
    const result = await slackWebhookSender({ url: listener.url, timeoutMs: 200, sleep: async () => undefined }).send({ text: 'x' });
    expect(result).toMatchObject({ attempts: 1, unconfirmed: expect.stringMatching(/did not answer within 200 ms/) });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(listener.received).toHaveLength(1);
  });

  it('posts once when the connection breaks after the post (Slack may have it): no blind retry, reported as unconfirmed', async () => {
    listener = await startWebhookListener([{ status: 200, reset: true }]);
    const result = await slackWebhookSender({ url: listener.url, sleep: async () => undefined }).send({ text: 'once' });
    expect(result).toMatchObject({ attempts: 1, unconfirmed: expect.stringMatching(/broke after the message was sent .*not posted again/) });
    expect(listener.received).toHaveLength(1);
  });

  it('refuses a plain http webhook URL (not on this machine) without sending anything', async () => {
    const error = await failure(slackWebhookSender({ url: 'http://hooks.slack.com/services/T0/B0/SECRETxTOKEN', fetch: () => expect.unreachable('fetched') }).send({ text: 'x' }));
    expect(error.message).toMatch(/must be https/);
    expect(error.message).not.toContain('SECRETxTOKEN');
  });

  it('retries 5xx with backoff and delivers', async () => {
    listener = await startWebhookListener([{ status: 500 }, { status: 502 }]);
    const waits: number[] = [];
    const sender = slackWebhookSender({ url: listener.url, sleep: async (ms) => void waits.push(ms) });
    await expect(sender.send({ text: 'x' })).resolves.toEqual({ attempts: 3 });
    expect(waits).toHaveLength(2);
    expect(listener.received).toHaveLength(3);
  });

  it('does not retry a 400: the payload or the hook is wrong', async () => {
    listener = await startWebhookListener([{ status: 400, body: 'invalid_blocks' }]);
    const error = await failure(slackWebhookSender({ url: listener.url }).send({ text: 'x' }));
    expect(error).toBeInstanceOf(SlackDeliveryError);
    expect(error).toMatchObject({ status: 400, attempts: 1, retriable: false });
    expect(listener.received).toHaveLength(1);
  });

  it('gives up within the time bound when Slack stays down', async () => {
    listener = await startWebhookListener(Array.from({ length: 50 }, () => ({ status: 503 })));
    const started = Date.now();
    const error = await failure(slackWebhookSender({ url: listener.url, maxTotalMs: 1500, maxAttempts: 50 }).send({ text: 'x' }));
    expect(Date.now() - started).toBeLessThan(3000);
    expect(error).toMatchObject({ status: 503, retriable: true });
    expect(error.attempts).toBeGreaterThan(1);
  });

  it('gives up on a 429 whose Retry-After is beyond the bound instead of sleeping through it', async () => {
    listener = await startWebhookListener([{ status: 429, headers: { 'Retry-After': '3600' } }]);
    const error = await failure(slackWebhookSender({ url: listener.url, sleep: () => expect.unreachable('slept') }).send({ text: 'x' }));
    expect(error).toMatchObject({ status: 429, attempts: 1, retriable: true });
  });

  it('reports an unreachable webhook as retriable', async () => {
    listener = await startWebhookListener();
    const { url } = listener;
    await listener.close();
    listener = undefined;
    const error = await failure(slackWebhookSender({ url, maxAttempts: 2, sleep: async () => undefined }).send({ text: 'x' }));
    expect(error).toMatchObject({ status: null, attempts: 2, retriable: true });
    expect(error.message).toMatch(/could not reach Slack \(ECONNREFUSED\)/);
  });

  it('never lets the webhook URL (a secret) into the error, however it is printed', async () => {
    listener = await startWebhookListener([{ status: 400 }]);
    const secret = new URL(listener.url).pathname;
    const refused = await failure(slackWebhookSender({ url: listener.url }).send({ text: 'x' }));
    const closed = await (async () => {
      const url = listener!.url;
      await listener!.close();
      listener = undefined;
      return failure(slackWebhookSender({ url, maxAttempts: 1 }).send({ text: 'x' }));
    })();
    for (const error of [refused, closed]) {
      for (const text of [JSON.stringify(error), String(error), error.stack ?? '', inspect(error, { depth: 10 })]) {
        expect(text).not.toContain(secret);
        expect(text).not.toContain('SECRETxTOKEN');
      }
    }
  });
});
