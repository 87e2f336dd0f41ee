import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteModelCommand } from '@aws-sdk/client-sagemaker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients, type AwsClients } from '../../shared/aws/clients.js';
import { loadConfig } from '../../shared/config.js';
import { enforcementDeps, enforcementSettings } from '../../shared/enforcement/deps.js';
import { renderInventory } from '../../shared/reports/inventory-report.js';
import { createSweepHandler } from '../../shared/lambda/sweep-handler.js';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { ScanCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { lambdaContext } from '../../local-aws/lambda-context.js';
import { sweepModels } from '../../shared/sweep/sweep.js';
import { runCliInProcess } from '../support/cli.js';
import { withShortRetries } from '../support/short-retries.js';
import { createLocalStack, createModel, drainQueue, stackEnvironment, type LocalStack } from '../../local-aws/local-stack.js';
import { awsClientConfig, motoEnvironment, startMoto, type MotoServer } from '../../local-aws/moto.js';

const HOME = 'eu-west-1';
const OTHER = 'us-east-1';
let moto: MotoServer;
let setup: AwsClients;
let stack: LocalStack;
/** What each region holds, by kind: the expectations are computed from this, not typed in. */
const created: Record<string, Array<{ name: string; kind: 'isolated' | 'open' | 'exempt' | 'quarantined' | 'cfn' }>> = { [HOME]: [], [OTHER]: [] };

beforeAll(async () => {
  moto = await startMoto();
  setup = createAwsClients(awsClientConfig(moto.endpoint, HOME));
  stack = await createLocalStack(setup, { region: HOME, rulePattern: { source: ['aws.sagemaker'] }, endpoint: moto.endpoint, prefix: 'sweep' });
  const kinds = ['isolated', 'open', 'isolated', 'exempt', 'isolated', 'quarantined', 'cfn', 'isolated'] as const;
  // Two dozen models: every kind in each region (twice at home). The assertions count calls per model,
  // so they hold the same at any size; 250 models made this file the suite's slowest for no more coverage.
  for (const [region, count] of [[HOME, 16], [OTHER, 8]] as const) {
    for (let i = 0; i < count; i++) {
      const kind = kinds[i % kinds.length]!;
      const name = `${region.replace(/-/g, '')}-${kind}-${i}`;
      const tags: Record<string, string> =
        kind === 'exempt' ? { 'isolation-guard:exempt': 'SEC-1' } : kind === 'quarantined' ? { 'isolation-guard:quarantine': 'network-isolation-disabled' } : kind === 'cfn' ? { 'aws:cloudformation:stack-name': 'Stack' } : {};
      await createModel(setup, region, name, kind === 'isolated' ? true : undefined, tags);
      created[region]!.push({ name, kind });
    }
  }
}, 120_000);
afterAll(async () => moto?.stop());

/** The handler-side clients, counting SageMaker calls per command and region. */
function countingClients() {
  const clients = createAwsClients(awsClientConfig(moto.endpoint, HOME));
  const calls: Record<string, number> = {};
  const count = (region: string) =>
    clients.sagemakerIn(region).middlewareStack.add(
      (next, context) => async (args) => {
        const key = `${region} ${context.commandName}`;
        calls[key] = (calls[key] ?? 0) + 1;
        return next(args);
      },
      { step: 'initialize', name: 'count' },
    );
  count(HOME);
  count(OTHER);
  return { clients, calls };
}

const expectedViolations = (region: string) => created[region]!.filter((m) => m.kind === 'open' || m.kind === 'quarantined' || m.kind === 'cfn').length;

describe('sweep over moto, two regions, two dozen models', () => {
  it('decides every model with one DescribeModel and one ListTags each, alerts each violation once, and again only after the reminder interval', async () => {
    const { clients, calls } = countingClients();
    const config = loadConfig({ env: stackEnvironment(stack, { ISOLATION_GUARD_EXEMPT_TAG_KEYS: 'isolation-guard:exempt' }) });
    const deps = { ...enforcementDeps(config, clients), now: () => new Date('2026-11-22T06:00:00Z') };
    const result = await sweepModels({ regions: [HOME, OTHER], reminderDays: 7 }, enforcementSettings(config), deps);

    for (const region of [HOME, OTHER]) {
      const models = result.models.filter((m) => m.region === region);
      expect(models).toHaveLength(created[region]!.length);
      expect(calls[`${region} DescribeModelCommand`]).toBe(created[region]!.length);
      expect(calls[`${region} ListTagsCommand`]).toBe(created[region]!.length);
      // The listing is shared: pages of up to 100 (moto answers in one page), never a listing per model.
      expect(calls[`${region} ListModelsCommand`]).toBeGreaterThanOrEqual(1);
      expect(calls[`${region} ListModelsCommand`]).toBeLessThanOrEqual(Math.ceil(created[region]!.length / 100));
      expect(models.filter((m) => m.verdict === 'violation')).toHaveLength(expectedViolations(region));
      expect(models.filter((m) => m.verdict === 'exempt')).toHaveLength(created[region]!.filter((m) => m.kind === 'exempt').length);
      expect(models.filter((m) => m.verdict === 'compliant')).toHaveLength(created[region]!.filter((m) => m.kind === 'isolated').length);
    }
    const quarantined = result.models.filter((m) => m.modelName.includes('-quarantined-'));
    expect(quarantined).toHaveLength(created[HOME]!.concat(created[OTHER]!).filter((m) => m.kind === 'quarantined').length);
    expect(quarantined.length).toBeGreaterThan(0);
    expect(quarantined.every((m) => m.quarantined && m.reasons.some((r) => /Already quarantined/.test(r)))).toBe(true);
    expect(result.regions).toEqual([
      { region: HOME, models: created[HOME]!.length, error: null },
      { region: OTHER, models: created[OTHER]!.length, error: null },
    ]);
    const alertsAfterFirst = (await drainQueue(setup.sqs, stack.alertQueueUrl)).length;
    const exemptCount = created[HOME]!.concat(created[OTHER]!).filter((m) => m.kind === 'exempt').length;
    expect(alertsAfterFirst).toBe(expectedViolations(HOME) + expectedViolations(OTHER) + exemptCount);

    // The next day's sweep: same reminder window, no new alert.
    await sweepModels({ regions: [HOME, OTHER], reminderDays: 7 }, enforcementSettings(config), { ...deps, now: () => new Date('2026-11-23T06:00:00Z') });
    expect(await drainQueue(setup.sqs, stack.alertQueueUrl)).toHaveLength(0);
    // A reminder window later: alerted again.
    await sweepModels({ regions: [HOME], reminderDays: 7 }, enforcementSettings(config), { ...deps, now: () => new Date('2026-12-01T06:00:00Z') });
    expect(await drainQueue(setup.sqs, stack.alertQueueUrl)).toHaveLength(expectedViolations(HOME) + created[HOME]!.filter((m) => m.kind === 'exempt').length);
  }, 240_000);

  it('skips a model deleted between the listing and its DescribeModel, and rides out throttling', async () => {
    const { clients } = countingClients();
    withShortRetries(clients.sagemakerIn(HOME));
    await createModel(setup, HOME, 'vanishing');
    let describes = 0;
    let throttled = 0;
    let vanished = false;
    // The region's models plus 'vanishing': call number `total` is the last first attempt, `total + 1` its retry.
    const total = created[HOME]!.length + 1;
    const THROTTLED_AT = [total, total + 1];
    clients.sagemakerIn(HOME).middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'DescribeModelCommand') {
          describes++;
          if ((args.input as { ModelName?: string }).ModelName === 'vanishing' && !vanished) {
            vanished = true;
            await setup.sagemakerIn(HOME).send(new DeleteModelCommand({ ModelName: 'vanishing' }));
          }
          // The last model's DescribeModel is throttled twice in a row (its first attempt and its retry):
          // the SDK's adaptive retry must absorb it. Late in the run on purpose: once throttled, the
          // adaptive client slows every later call to its lowered rate (seconds per call), which is the
          // SDK's behaviour, not ours to wait through (and its back-off is cut short: withShortRetries).
          if (THROTTLED_AT.includes(describes)) {
            throttled++;
            throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });
          }
        }
        return next(args);
      },
      { step: 'deserialize', name: 'faults' },
    );
    const config = loadConfig({ env: { ISOLATION_GUARD_MODE: 'alert' } });
    const result = await sweepModels({ regions: [HOME], reminderDays: 7 }, enforcementSettings(config), enforcementDeps(config, clients));
    expect(result.regions[0]).toEqual({ region: HOME, models: created[HOME]!.length, error: null });
    expect(result.models.map((m) => m.modelName)).not.toContain('vanishing');
    // Absorbed: every model decided, none left with an error from the throttled call.
    expect(result.models).toHaveLength(created[HOME]!.length);
    expect(result.models.filter((m) => m.error)).toEqual([]);
    expect(throttled).toBe(THROTTLED_AT.length);
    expect(vanished).toBe(true);
  }, 120_000);

  it('reports a region that cannot be read and still reports the others', async () => {
    const { clients } = countingClients();
    clients.sagemakerIn('ap-south-1').middlewareStack.add(
      () => async () => {
        throw Object.assign(new Error('User is not authorized to perform: sagemaker:ListModels'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } });
      },
      { step: 'initialize', name: 'deny' },
    );
    const config = loadConfig({ env: {} });
    const result = await sweepModels({ regions: ['ap-south-1', OTHER], reminderDays: 7 }, enforcementSettings(config), enforcementDeps(config, clients));
    expect(result.regions[0]).toMatchObject({ region: 'ap-south-1', models: 0, error: expect.stringMatching(/AccessDeniedException/) });
    expect(result.regions[1]).toEqual({ region: OTHER, models: created[OTHER]!.length, error: null });
  }, 60_000);

  it('renders the inventory as JSON, CSV, Markdown and HTML with the same counts', async () => {
    const { clients } = countingClients();
    const config = loadConfig({ env: { ISOLATION_GUARD_EXEMPT_TAG_KEYS: 'isolation-guard:exempt' } });
    const result = await sweepModels({ regions: [OTHER], reminderDays: 7 }, enforcementSettings(config), enforcementDeps(config, clients));
    const json = JSON.parse(renderInventory(result, 'json'));
    expect(json.summary).toMatchObject({ models: created[OTHER]!.length, violations: expectedViolations(OTHER) });
    const csv = renderInventory(result, 'csv').trimEnd().split('\r\n');
    expect(csv).toHaveLength(created[OTHER]!.length + 1);
    expect(csv[0]).toBe('account,region,modelName,modelArn,creationTime,networkIsolation,verdict,quarantined,action,tags,reasons,error,severity,classification,production,exception,fixed');
    expect(renderInventory(result, 'md')).toContain(`violations: ${expectedViolations(OTHER)}`);
    expect(renderInventory(result, 'html')).toContain(`data-violations="${expectedViolations(OTHER)}"`);
  }, 60_000);

  it('isolation-guard sweep exits 1 on violations, 2 when a region cannot be read, and writes the report', async () => {
    const env = { ...motoEnvironment(moto.endpoint, HOME), ISOLATION_GUARD_EXEMPT_TAG_KEYS: 'isolation-guard:exempt' };
    const ok = await runCliInProcess(['sweep', '--regions', OTHER, '--format', 'json'], { env });
    expect(ok.code).toBe(1);
    expect(JSON.parse(ok.stdout).summary.violations).toBe(expectedViolations(OTHER));
    expect(ok.stderr).toContain(`${created[OTHER]!.length} models in 1 region(s)`);
  }, 60_000);

  it('isolation-guard sweep --format pdf prints the inventory page to a PDF whose text holds its counts', async () => {
    const env = { ...motoEnvironment(moto.endpoint, HOME), ISOLATION_GUARD_EXEMPT_TAG_KEYS: 'isolation-guard:exempt' };
    const out = join(mkdtempSync(join(tmpdir(), 'sweep-pdf-')), 'inventory.pdf');
    const result = await runCliInProcess(['sweep', '--regions', OTHER, '--format', 'pdf', '--out', out], { env });
    expect(result.code).toBe(1);
    expect(readFileSync(out).subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const text = spawnSync('pdftotext', ['-raw', out, '-'], { encoding: 'utf8' }).stdout.replace(/\s+/g, ' ');
    expect(text).toMatch(new RegExp(`Models today ${created[OTHER]!.length}\\b`));
    expect(text).toContain(`Violations (no isolation) ${expectedViolations(OTHER)}`);
  }, 60_000);

  it('the sweep Lambda files the inventory snapshot (JSON and HTML) in the evidence bucket', async () => {
    const { clients } = countingClients();
    await setup.s3.send(new CreateBucketCommand({ Bucket: 'guard-evidence', CreateBucketConfiguration: { LocationConstraint: HOME } }));
    const config = loadConfig({ env: { ISOLATION_GUARD_REGIONS: OTHER, ISOLATION_GUARD_EVIDENCE_BUCKET: 'guard-evidence', ISOLATION_GUARD_EXEMPT_TAG_KEYS: 'isolation-guard:exempt' } });
    const outcome = await createSweepHandler({ config, clients })({}, lambdaContext('sweep'));
    expect(outcome.summary).toMatchObject({ models: created[OTHER]!.length, violations: expectedViolations(OTHER) });
    const { Contents = [] } = await setup.s3.send(new ListObjectsV2Command({ Bucket: 'guard-evidence', Prefix: 'inventory/' }));
    expect(Contents.map((c) => c.Key!.split('.').at(-1)).sort()).toEqual(['html', 'json']);
    expect([...outcome.snapshot].sort()).toEqual(Contents.map((c) => `s3://guard-evidence/${c.Key}`).sort());
    const json = await setup.s3.send(new GetObjectCommand({ Bucket: 'guard-evidence', Key: Contents.find((c) => c.Key!.endsWith('.json'))!.Key }));
    expect(JSON.parse(await json.Body!.transformToString()).summary.violations).toBe(expectedViolations(OTHER));
  }, 60_000);

  it('the sweep Lambda remembers, from one invocation to its retry in the same container, the alerts whose "done" write failed: the retry, after the leases of their claims ran out, does not send them again', async () => {
    const clients = createAwsClients(awsClientConfig(moto.endpoint, HOME));
    // Every "done" write of the ledger fails (the claim, a PutItem, and the reads reach moto).
    clients.dynamodb.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'UpdateItemCommand') throw Object.assign(new Error('injected'), { name: 'InternalServerError', $metadata: {} });
        return next(args);
      },
      { step: 'initialize', name: 'fail-done-write' },
    );
    const config = loadConfig({ env: stackEnvironment(stack, { ISOLATION_GUARD_REGIONS: OTHER, ISOLATION_GUARD_EXEMPT_TAG_KEYS: 'isolation-guard:exempt' }) });
    await drainQueue(setup.sqs, stack.alertQueueUrl);
    const sweep = createSweepHandler({ config, clients });

    const first = await sweep({}, lambdaContext('sweep')).then(() => null, (error: Error) => error);
    const alerts = await drainQueue(setup.sqs, stack.alertQueueUrl);
    // One alert per violation and per exempt model (as above).
    expect(alerts).toHaveLength(expectedViolations(OTHER) + created[OTHER]!.filter((m) => m.kind === 'exempt').length);
    // The failed "done" writes fail the invocation, so Lambda retries it.
    expect(first?.message).toMatch(/could not record it as done/);

    // Lambda retries a minute or more later; in a long sweep the claims' 120 s leases, counted from each claim,
    // have run out by then: a ledger that does not remember the sent alerts takes the steps over and sends them again.
    const { Items = [] } = await setup.dynamodb.send(new ScanCommand({ TableName: stack.tableName }));
    const held = Items.filter((item) => item.leaseUntil !== undefined);
    expect(held.length).toBeGreaterThan(0);
    for (const item of held) {
      await setup.dynamodb.send(
        new UpdateItemCommand({ TableName: stack.tableName, Key: { id: item.id! }, UpdateExpression: 'SET leaseUntil = :past', ExpressionAttributeValues: { ':past': { N: '1' } } }),
      );
    }

    const retry = await sweep({}, lambdaContext('sweep')).then(() => null, (error: Error) => error);
    // The same container's retry knows the alerts were sent: none is sent twice.
    expect(await drainQueue(setup.sqs, stack.alertQueueUrl)).toHaveLength(0);
    expect(retry?.message ?? '').not.toMatch(/failed: (?!.*could not record it as done)/);
  }, 90_000);
});
