import { createServer, type IncomingHttpHeaders } from 'node:http';

export interface ScriptedResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  /** Answer only after this long (a slow Slack). */
  delayMs?: number;
  /** Read the message, then drop the connection without an answer (a reset after the post). */
  reset?: boolean;
}

export interface WebhookListener {
  url: string;
  /** Every request, in order, with its JSON body. */
  received: Array<{ body: unknown; headers: IncomingHttpHeaders }>;
  /** Responses to give, consumed in order; then 200 `ok`, as Slack answers. */
  script: ScriptedResponse[];
  close(): Promise<void>;
}

/** A local stand-in for a Slack incoming webhook, on 127.0.0.1, for tests and the demo. */
export async function startWebhookListener(script: ScriptedResponse[] = []): Promise<WebhookListener> {
  const received: WebhookListener['received'] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // keep the raw text
      }
      received.push({ body, headers: request.headers });
      const next = listener.script.shift() ?? { status: 200, body: 'ok' };
      if (next.reset) return void request.socket.destroy();
      const answer = () => {
        if (response.destroyed) return;
        response.writeHead(next.status, { 'content-type': 'text/plain', ...next.headers });
        response.end(next.body ?? '');
      };
      if (next.delayMs) setTimeout(answer, next.delayMs).unref();
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const listener: WebhookListener = {
    url: `http://127.0.0.1:${port}/services/T00000000/B00000000/SECRETxTOKENxNOTxREAL`,
    received,
    script,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return listener;
}
