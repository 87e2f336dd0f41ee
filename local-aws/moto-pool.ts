import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { errorMessage } from '../shared/model/error-text.js';
import { launchMoto, MOTO_POOL_VARIABLE, resetMoto, type MotoServer } from './moto.js';
import { disposePackagedServices, PACKAGE_POOL_VARIABLE, packageHere, packagingsUnderWay, type PackageOptions } from './packaged-template.js';

/**
 * vitest global setup: one moto server per worker, started when the worker's first test file asks
 * for it (a run of unit tests starts none) and reset before each file that asks, so files never see
 * each other's resources. A worker runs one file at a time, so a server is never shared by two files
 * at once. Before this, every integration file started its own server: ~20 Python starts of 2-3 s
 * each on a 2-core machine (docs/performance.md).
 *
 * The workers find the pool through MOTO_POOL_VARIABLE (set here, before they are forked, and
 * inherited by them); `startMoto()` in local-aws/moto.ts leases from it. Servers exit with the
 * vitest process (--exit-with-parent) if teardown does not run.
 *
 * The same server packages the service for the run (`POST /package`, PACKAGE_POOL_VARIABLE): once
 * per stage, region and parameters, whichever worker asks first, so three files that read the
 * packaged template cost two `serverless package` runs instead of three or more; the packages are
 * removed at teardown.
 */
export default async function setup() {
  // The integration and end-to-end projects both list this setup; vitest runs the projects' setups
  // one after the other in one process: the first starts the pool, which the other's workers share.
  if (process.env[MOTO_POOL_VARIABLE]) return;
  const servers = new Map<string, Promise<MotoServer>>();

  const pool = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://pool');
    if (req.method === 'POST' && url.pathname === '/package') {
      let body = '';
      req.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        Promise.resolve()
          .then(() => packageHere(JSON.parse(body) as PackageOptions))
          .then((made) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(made)))
          .catch((error: unknown) => res.writeHead(500).end(errorMessage(error)));
      });
      return;
    }
    const worker = url.searchParams.get('worker');
    if (req.method !== 'POST' || url.pathname !== '/lease' || !worker) {
      res.writeHead(400).end('POST /lease?worker=VITEST_POOL_ID, or POST /package');
      return;
    }
    lease(worker)
      .then((moto) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ endpoint: moto.endpoint, port: moto.port })))
      .catch((error: unknown) => res.writeHead(500).end(errorMessage(error)));
  });

  const launch = (worker: string) => {
    const server = launchMoto({ timeoutMs: 120_000 });
    servers.set(worker, server);
    // A start that failed is tried again by the next file rather than failing every file after it.
    server.catch(() => servers.delete(worker));
    return server;
  };
  async function lease(worker: string): Promise<MotoServer> {
    const known = servers.get(worker);
    // A server just started is empty: only one that served a file before is reset.
    if (!known) return launch(worker);
    const moto = await known;
    try {
      await resetMoto(moto.endpoint);
      return moto;
    } catch {
      // A server that stopped answering (it died with a test's fault) is replaced, once.
      await moto.stop();
      return launch(worker);
    }
  }
  await new Promise<void>((resolve) => pool.listen(0, '127.0.0.1', resolve));
  process.env[MOTO_POOL_VARIABLE] = `http://127.0.0.1:${(pool.address() as AddressInfo).port}`;
  process.env[PACKAGE_POOL_VARIABLE] = process.env[MOTO_POOL_VARIABLE];

  return async () => {
    delete process.env[MOTO_POOL_VARIABLE];
    delete process.env[PACKAGE_POOL_VARIABLE];
    await Promise.allSettled(packagingsUnderWay());
    disposePackagedServices();
    await new Promise<void>((resolve) => pool.close(() => resolve()));
    await Promise.all([...servers.values()].map((server) => server.then((moto) => moto.stop(), () => undefined)));
  };
}
