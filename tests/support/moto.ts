import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureMoto } from '../../scripts/ensure-moto.mjs';

/**
 * The local AWS: a moto server on a free loopback port, started with the patches of
 * moto_launcher.py (see README.md beside this file). Each caller gets its own server, so test
 * files running in parallel never see each other's resources. Every account is moto's default,
 * 123456789012, unless a test assumes a role into another.
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

export async function startMoto(options: { timeoutMs?: number } = {}): Promise<MotoServer> {
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
    async reset() {
      const response = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
      if (!response.ok) throw new Error(`moto reset failed: HTTP ${response.status}`);
    },
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
