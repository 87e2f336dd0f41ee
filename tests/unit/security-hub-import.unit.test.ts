import { describe, expect, it } from 'vitest';
import { securityHubImporter, type AwsSecurityFinding } from '../../shared/aws/security-hub-import.js';
import { SecurityHubImportError } from '../../shared/aws/errors.js';

/** A fetch that answers from a script and records what it was sent: fault injection only. */
function scriptedFetch(answers: Array<{ status: number; body: string } | Error>) {
  const sent: Array<{ url: string; headers: Record<string, string>; body: string }> = [];
  const fetch = (async (url: URL, init: RequestInit) => {
    sent.push({ url: String(url), headers: init.headers as Record<string, string>, body: String(init.body) });
    const answer = answers.shift()!;
    if (answer instanceof Error) throw answer;
    return new Response(answer.body, { status: answer.status });
  }) as unknown as typeof globalThis.fetch;
  return { fetch, sent };
}

const importer = (fetch: typeof globalThis.fetch, endpoint?: string) =>
  securityHubImporter({
    region: async () => 'eu-west-1',
    credentials: async () => ({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', sessionToken: 'token-1' }),
    endpoint,
    fetch,
    backoffMs: 0,
  });

// Only what the transport looks at; the finding's shape is tested in priorities-and-security-hub.unit.test.ts.
const finding = { SchemaVersion: '2018-10-08', Id: 'sagemaker-isolation-guard/arn:aws:sagemaker:eu-west-1:111122223333:model/m' } as AwsSecurityFinding;

describe('BatchImportFindings, signed', () => {
  it('posts {Findings} to /findings/import on the regional endpoint, signed SigV4 for securityhub with the session token', async () => {
    const { fetch, sent } = scriptedFetch([{ status: 200, body: '{"FailedCount":0,"SuccessCount":1,"FailedFindings":[]}' }]);
    await expect(importer(fetch).batchImportFindings([finding])).resolves.toEqual({ FailedCount: 0, SuccessCount: 1, FailedFindings: [] });
    expect(sent).toHaveLength(1);
    expect(sent[0]!.url).toBe('https://securityhub.eu-west-1.amazonaws.com/findings/import');
    expect(JSON.parse(sent[0]!.body)).toEqual({ Findings: [finding] });
    const headers = sent[0]!.headers;
    expect(headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/securityhub\/aws4_request, SignedHeaders=[^,]*host[^,]*x-amz-date[^,]*, Signature=[0-9a-f]{64}$/);
    expect(headers['x-amz-security-token']).toBe('token-1');
  });

  it('uses the configured endpoint (moto), keeping its port', async () => {
    const { fetch, sent } = scriptedFetch([{ status: 200, body: '{}' }]);
    await importer(fetch, 'http://127.0.0.1:4566').batchImportFindings([finding]);
    expect(sent[0]!.url).toBe('http://127.0.0.1:4566/findings/import');
    expect(sent[0]!.headers.host).toBe('127.0.0.1:4566');
  });

  it('retries throttling and network errors, then succeeds', async () => {
    const { fetch, sent } = scriptedFetch([
      { status: 429, body: '{"__type":"TooManyRequestsException","message":"Rate exceeded"}' },
      new TypeError('fetch failed'),
      { status: 200, body: '{"FailedCount":0}' },
    ]);
    await expect(importer(fetch).batchImportFindings([finding])).resolves.toEqual({ FailedCount: 0 });
    expect(sent).toHaveLength(3);
  });

  it('does not retry a refused request, and names the error code without echoing credentials', async () => {
    const { fetch, sent } = scriptedFetch([{ status: 403, body: '{"__type":"com.amazon#AccessDeniedException","message":"not authorized to perform securityhub:BatchImportFindings"}' }]);
    const failure = importer(fetch).batchImportFindings([finding]);
    await expect(failure).rejects.toThrow(SecurityHubImportError);
    await expect(failure).rejects.toThrow('BatchImportFindings: HTTP 403 AccessDeniedException: not authorized to perform securityhub:BatchImportFindings');
    await failure.catch((error: Error) => expect(error.message).not.toMatch(/wJalr|token-1/));
    expect(sent).toHaveLength(1);
  });
});

describe('the Security Hub step of the pipeline', () => {
  it('a refused finding fails the step (so the event is retried); the retry imports it once', async () => {
    const { enforceRecord } = await import('../../shared/enforcement/pipeline.js');
    const { memoryStepLedger } = await import('../../shared/enforcement/step-ledger.js');
    const { ownRecord } = await import('../support/fixtures.js');
    const imported: string[] = [];
    let refuse = true;
    const deps = {
      sagemakerFor: () => ({
        send: () => {
          throw new Error('a compliant request needs no SageMaker call');
        },
      }),
      sns: null,
      slack: null,
      finding: null,
      ledger: memoryStepLedger(),
      now: () => new Date('2026-11-22T12:00:00Z'),
      securityHub: {
        product: async () => ({ productArn: 'arn:aws:securityhub:eu-west-1:123456789012:product/123456789012/default', account: '123456789012' }),
        import: async (f: AwsSecurityFinding) => {
          if (refuse) throw new SecurityHubImportError(`Security Hub refused finding ${f.Id} (InvalidInput: bad)`);
          imported.push(f.Id!);
          return { findingId: f.Id! };
        },
      },
    };
    const settings = { mode: 'alert' as const, dryRun: false, exemptions: [], iacTagKeys: [] };
    const record = ownRecord('createmodel_isolated_sdk.json');
    const first = await enforceRecord(record, settings, deps as never);
    expect(first.channels.securityHub).toBe('failed');
    expect(first.failures.securityHub).toMatch(/SecurityHubImportError: Security Hub refused finding/);
    refuse = false;
    expect((await enforceRecord(record, settings, deps as never)).channels.securityHub).toBe('sent');
    expect((await enforceRecord(record, settings, deps as never)).channels.securityHub).toBe('already-sent');
    expect(imported).toEqual(['sagemaker-isolation-guard/arn:aws:sagemaker:eu-west-1:111122223333:model/churn-xgb-2026-11-02']);
  });
});
