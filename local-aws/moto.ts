import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureMoto } from './ensure-moto.mjs';

/**
 * The local AWS: a moto server on a free loopback port, started with the patches of
 * moto_launcher.py (see README.md beside this file). Test files running in parallel never see each
 * other's resources: under vitest each worker has its own server (local-aws/moto-pool.ts), reset
 * for every file; elsewhere (scripts, bench) each caller starts its own. Every account is moto's
 * default, 123456789012, unless a test assumes a role into another.
 */
export interface MotoServer {
  endpoint: string;
  port: number;
  stop(): Promise<void>;
  /** Forgets every resource (moto's reset API). */
  reset(): Promise<void>;
}

export const MOTO_ACCOUNT = '123456789012';
const LAUNCHER = join(dirname(fileURLToPath(import.meta.url)), 'moto_launcher.py');

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Set by the vitest global setup (moto-pool.ts): where a test file leases its worker's server. */
export const MOTO_POOL_VARIABLE = 'ISOLATION_GUARD_TEST_MOTO_POOL';

/**
 * A moto server for the caller. In a vitest worker with the pool running, the worker's own server,
 * reset to empty (one moto start per worker instead of one per test file: a start costs 2-3 s of
 * CPU); `stop()` then leaves it running for the worker's next file. Otherwise a new server.
 */
export async function startMoto(options: { timeoutMs?: number } = {}): Promise<MotoServer> {
  const pool = process.env[MOTO_POOL_VARIABLE];
  const worker = process.env.VITEST_POOL_ID;
  if (pool && worker) return leaseMoto(pool, worker);
  return launchMoto(options);
}

async function leaseMoto(pool: string, worker: string): Promise<MotoServer> {
  const response = await fetch(`${pool}/lease?worker=${encodeURIComponent(worker)}`, { method: 'POST' });
  if (!response.ok) throw new Error(`the moto pool could not give worker ${worker} a server: ${await response.text()}`);
  const { endpoint, port } = (await response.json()) as { endpoint: string; port: number };
  return { endpoint, port, reset: () => resetMoto(endpoint), stop: async () => undefined };
}

/** Forgets every resource, and the Athena query progression a test may have set (the state manager keeps it across resets). */
export async function resetMoto(endpoint: string): Promise<void> {
  const response = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
  if (!response.ok) throw new Error(`moto reset failed: HTTP ${response.status}`);
  const unset = await fetch(`${endpoint}/moto-api/state-manager/unset-transition`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model_name: 'athena::execution' }),
  });
  if (!unset.ok) throw new Error(`moto state manager reset failed: HTTP ${unset.status}`);
}

/** Starts a new moto server (the pool's, or a caller's own). */
export async function launchMoto(options: { timeoutMs?: number } = {}): Promise<MotoServer> {
  ensureMoto();
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn(process.env.PYTHON ?? 'python3', [LAUNCHER, '--exit-with-parent', '--host', '127.0.0.1', '--port', String(port)], {
    stdio: ['pipe', 'ignore', 'pipe'],
    // No MOTO_ACCOUNT_ID: it would pin every request to one account, while credentials from
    // AssumeRole into another account must reach that account's resources (moto's default account
    // is 123456789012 either way).
    env: Object.fromEntries(Object.entries(process.env).filter(([key]) => key !== 'MOTO_ACCOUNT_ID')),
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4000);
  });
  let exited: number | null | undefined;
  child.on('exit', (code) => (exited = code));

  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    if (exited !== undefined) throw new Error(`moto server exited (code ${exited}) before answering:\n${stderr}`);
    try {
      const response = await fetch(`${endpoint}/moto-api/data.json`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`moto server did not answer on ${endpoint} within ${options.timeoutMs ?? 30_000} ms:\n${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  return {
    endpoint,
    port,
    reset: () => resetMoto(endpoint),
    async stop() {
      if (exited !== undefined) return;
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.stdin?.end();
      child.kill('SIGTERM');
      await Promise.race([gone, new Promise((resolve) => setTimeout(resolve, 3000))]);
      if (exited === undefined) child.kill('SIGKILL');
    },
  };
}

/** Configuration for any SDK v3 client talking to the moto server. */
export function awsClientConfig(endpoint: string, region = 'us-east-1') {
  return {
    endpoint,
    region,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  };
}

/**
 * The SDK's standard variables pointing at moto, for code that makes its own clients (the CLI in a
 * child process, @middy/ssm inside the handler), as a Lambda finds AWS.
 */
export function motoEnvironment(endpoint: string, region: string): Record<string, string> {
  return { AWS_ENDPOINT_URL: endpoint, AWS_REGION: region, AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing' };
}
