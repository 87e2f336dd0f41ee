import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A small fault-injecting proxy in front of the local AWS (moto). Clients are pointed at it instead
 * of moto; each request is forwarded unchanged unless a fault is set for its operation: latency,
 * an HTTP error (429 throttling, 500), AccessDenied, or a hang (the request is never answered, so
 * the client's own timeout must end it). Operations are named as the API names them
 * (`DescribeModel`, `PutItem`, `Publish`, `GetParameters`), read from `X-Amz-Target` (JSON
 * protocols), the `Action` of a query-protocol body (SNS), or the method and path (S3).
 */
export interface Fault {
  /** Delay before forwarding (or before the injected answer). */
  latencyMs?: number;
  /** Answer with this HTTP status and the service's error for it (429: throttling; 5xx: internal error). */
  status?: number;
  /** Answer AccessDenied (HTTP 400 for JSON protocols, 403 otherwise). */
  accessDenied?: boolean;
  /**
   * Forward at once, then hold the answer this long: the service has done the request, the client
   * hears of it late (a slow reply, which a client timeout turns into a retry of a request already done).
   */
  answerLatencyMs?: number;
  /** Never answer. */
  hang?: boolean;
  /** Only requests whose body contains this text (e.g. one model's name). */
  bodyIncludes?: string;
  /** Only the first N matching requests (then the fault is spent). */
  times?: number;
}

export interface FaultProxy {
  endpoint: string;
  /** Sets (or, with null, clears) the fault of an operation. */
  fault(operation: string, fault: Fault | null): void;
  clearFaults(): void;
  /** Requests seen per operation (forwarded or faulted). */
  calls: Map<string, number>;
  close(): Promise<void>;
}

function operationOf(req: IncomingMessage, body: string): string {
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string') return target.split('.').pop()!;
  const action = /(?:^|&)Action=([A-Za-z]+)/.exec(body);
  if (action) return action[1]!;
  // S3 (path-style): /bucket or /bucket/key
  const url = new URL(req.url ?? '/', 'http://proxy');
  const [, , ...key] = url.pathname.split('/');
  const hasKey = key.join('/') !== '';
  if (req.method === 'PUT') return hasKey ? 'PutObject' : 'CreateBucket';
  if (req.method === 'GET') return hasKey ? 'GetObject' : url.searchParams.get('list-type') === '2' ? 'ListObjectsV2' : 'ListObjects';
  if (req.method === 'HEAD') return hasKey ? 'HeadObject' : 'HeadBucket';
  if (req.method === 'DELETE') return hasKey ? 'DeleteObject' : 'DeleteBucket';
  return `${req.method} ${url.pathname}`;
}

function injectedError(req: IncomingMessage, fault: Fault): { status: number; headers: Record<string, string>; body: string } {
  const json = typeof req.headers['x-amz-target'] === 'string';
  const code = fault.accessDenied
    ? 'AccessDeniedException'
    : fault.status === 429
      ? 'ThrottlingException'
      : (fault.status ?? 500) >= 500
        ? 'InternalFailure'
        : 'ValidationException';
  const message = fault.accessDenied ? 'User is not authorized to perform this action (injected by the fault proxy)' : `injected HTTP ${fault.status}`;
  const status = fault.accessDenied ? (json ? 400 : 403) : (fault.status ?? 500);
  if (json) {
    return {
      status,
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': code, 'x-amzn-requestid': 'fault-proxy' },
      body: JSON.stringify({ __type: code, message }),
    };
  }
  const xmlCode = fault.accessDenied ? 'AccessDenied' : code === 'ThrottlingException' ? 'Throttling' : code;
  return {
    status,
    headers: { 'content-type': 'text/xml', 'x-amzn-requestid': 'fault-proxy' },
    body: `<ErrorResponse><Error><Type>Sender</Type><Code>${xmlCode}</Code><Message>${message}</Message></Error><RequestId>fault-proxy</RequestId></ErrorResponse>`,
  };
}

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const upstream = new URL(target);
  const faults = new Map<string, Fault>();
  const calls = new Map<string, number>();
  const sockets = new Set<Socket>();
  const hanging = new Set<ServerResponse>();

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      const text = body.toString('utf8');
      const operation = operationOf(req, text);
      calls.set(operation, (calls.get(operation) ?? 0) + 1);
      const fault = faults.get(operation);
      const applies = fault !== undefined && (fault.bodyIncludes === undefined || text.includes(fault.bodyIncludes)) && (fault.times === undefined || fault.times > 0);
      if (applies && fault.times !== undefined) fault.times--;
      if (applies && fault.latencyMs) await new Promise((resolve) => setTimeout(resolve, fault.latencyMs));
      if (applies && fault.hang) {
        hanging.add(res);
        res.on('close', () => hanging.delete(res));
        return;
      }
      if (applies && (fault.status !== undefined || fault.accessDenied)) {
        const error = injectedError(req, fault);
        res.writeHead(error.status, error.headers).end(error.body);
        return;
      }
      const forward = request(
        { hostname: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } },
        (answer) => {
          const reply = () => {
            if (res.destroyed) return answer.resume();
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
          };
          if (applies && fault.answerLatencyMs) setTimeout(reply, fault.answerLatencyMs);
          else reply();
        },
      );
      forward.on('error', (error) => res.writeHead(502).end(String(error)));
      forward.end(body);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    fault(operation, fault) {
      if (fault === null) faults.delete(operation);
      else faults.set(operation, { ...fault });
    },
    clearFaults() {
      faults.clear();
    },
    calls,
    async close() {
      for (const res of hanging) res.destroy();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
