import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import { SecurityHubImportError } from './errors.js';
import { withBackoff } from './backoff.js';

/**
 * Security Hub's BatchImportFindings as one SigV4-signed REST call (`POST /findings/import`).
 *
 * Why not `@aws-sdk/client-securityhub`: its serialiser carries the whole ASFF schema (every
 * resource detail type, 350 KB of source), which made the enforce bundle 15% larger and its cold
 * initialisation ~80 ms slower in the same run (README "Benchmarks": target under 150 ms), for one
 * call that sends JSON we build ourselves. The signer and the credentials below are the SDK's own
 * parts, the retries the project's one backoff (shared/aws/backoff.ts); the SDK client stays a dev dependency, for tests that read findings back.
 */

export type { AwsSecurityFinding };

export interface BatchImportFindingsOutput {
  FailedCount?: number;
  SuccessCount?: number;
  FailedFindings?: Array<{ Id?: string; ErrorCode?: string; ErrorMessage?: string }>;
}

export interface SecurityHubImporter {
  region(): Promise<string>;
  batchImportFindings(findings: AwsSecurityFinding[]): Promise<BatchImportFindingsOutput>;
  /** The same importer (region, endpoint, retries) calling as another identity: a member account's role. */
  withCredentials(credentials: SecurityHubImporterOptions['credentials']): SecurityHubImporter;
}

export interface SecurityHubImporterOptions {
  region: () => Promise<string>;
  credentials: () => Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken?: string }>;
  /** An endpoint for every service (moto), else `https://securityhub.<region>.amazonaws.com[.cn]`. */
  endpoint?: string;
  /** Tests pass a fetch to inject faults. */
  fetch?: typeof fetch;
  maxAttempts?: number;
  /** Backoff base (ms); tests pass 0. */
  backoffMs?: number;
}

/** SignatureV4 wants a hash constructor: node's crypto, the same one the SDK uses in Node. */
class NodeSha256 {
  private readonly hash: Hash | Hmac;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', typeof secret === 'string' ? secret : Buffer.from(secret as ArrayBuffer));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(typeof data === 'string' ? data : ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
}

const RETRYABLE = new Set([429, 500, 502, 503, 504]);

export function securityHubImporter(options: SecurityHubImporterOptions): SecurityHubImporter {
  const doFetch = options.fetch ?? fetch;
  const maxAttempts = options.maxAttempts ?? 4;
  const backoffMs = options.backoffMs ?? 200;
  return {
    region: options.region,
    withCredentials: (credentials) => securityHubImporter({ ...options, credentials }),
    async batchImportFindings(findings) {
      const region = await options.region();
      const base = new URL(options.endpoint ?? `https://securityhub.${region}.${region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com'}`);
      const body = JSON.stringify({ Findings: findings });
      const signer = new SignatureV4({ service: 'securityhub', region, credentials: options.credentials, sha256: NodeSha256 });
      return withBackoff<BatchImportFindingsOutput, SecurityHubImportError>(
        { maxAttempts, baseMs: backoffMs },
        async () => {
          const request = await signer.sign({
            method: 'POST',
            protocol: base.protocol,
            hostname: base.hostname,
            port: base.port ? Number(base.port) : undefined,
            path: '/findings/import',
            query: {},
            headers: { host: base.host, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) },
            body,
          });
          let status: number;
          let text: string;
          try {
            const response = await doFetch(new URL('/findings/import', base), { method: 'POST', headers: request.headers, body });
            status = response.status;
            text = await response.text();
          } catch (cause) {
            return { retry: new SecurityHubImportError(`BatchImportFindings: ${(cause as Error).message}`, { cause }) };
          }
          if (status >= 200 && status < 300) return { done: (text ? JSON.parse(text) : {}) as BatchImportFindingsOutput };
          const error = new SecurityHubImportError(`BatchImportFindings: HTTP ${status} ${errorOf(text)}`);
          // Throttled (429) or a server error: retried; any other status cannot succeed on a retry.
          if (!RETRYABLE.has(status)) throw error;
          return { retry: error };
        },
        (error) => error,
      );
    },
  };
}

/** The error's code and message from an AWS JSON error body, never the whole body. */
function errorOf(text: string): string {
  try {
    const parsed = JSON.parse(text) as { __type?: string; code?: string; Code?: string; message?: string; Message?: string };
    const code = (parsed.__type ?? parsed.code ?? parsed.Code ?? '').split('#').pop();
    return [code, parsed.message ?? parsed.Message].filter(Boolean).join(': ').slice(0, 300);
  } catch {
    return text.slice(0, 200);
  }
}
