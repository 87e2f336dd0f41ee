import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeModelCommand } from '@aws-sdk/client-sagemaker';
import { GetFindingsCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients, type AwsClients } from '../../shared/aws/clients.js';
import { loadConfig } from '../../shared/config.js';
import { enforcementDeps, enforcementSettings } from '../../shared/enforcement/deps.js';
import { withExceptionRegister } from '../../shared/governance/exception-register.js';
import { createEnforceHandler } from '../../shared/lambda/enforce-handler.js';
import { inventorySummary } from '../../shared/reports/inventory-report.js';
import { sweepModels } from '../../shared/sweep/sweep.js';
import { createModelEvent } from '../../local-aws/cloudtrail-events.js';
import { jsonLines, runCli, runCliInProcess } from '../support/cli.js';
import { lambdaContext } from '../../local-aws/lambda-context.js';
import { createLocalStack, createModel, drainQueue, stackEnvironment, type LocalStack } from '../../local-aws/local-stack.js';
import { awsClientConfig, MOTO_ACCOUNT, motoEnvironment, startMoto, type MotoServer } from '../../local-aws/moto.js';

const REGION = 'eu-west-1';
/** The sweep's own region, so that it sees only its own models. */
const SWEPT = 'us-east-2';
let moto: MotoServer;
let clients: AwsClients;
let stack: LocalStack;
/** The SDK's client (a dev dependency) reads back what the service imported. */
let securityHubReader: SecurityHubClient;
const dir = mkdtempSync(join(tmpdir(), 'guard-gov-'));
const registerPath = join(dir, 'exceptions.yml');
// EXC-7 is decided by the handler at the real time, so it expires far ahead; EXC-8 is decided at given instants.
writeFileSync(
  registerPath,
  `exceptions:
  - id: EXC-7
    modelName: exempt-*
    reason: vendor licence server reached at start-up
    ticket: SEC-7
    approvedBy: security-lead@example.com
    expires: 2099-12-31
  - id: EXC-8
    tag: team=research
    reason: public dataset download during warm-up
    ticket: SEC-8
    approvedBy: ciso@example.com
    owner: research-lead@example.com
    expires: 2026-12-01
`,
);
const CLASSES = '{"phi": {"severity": "critical", "mode": "delete"}, "public": {"severity": "low"}}';
const arnOf = (region: string, name: string) => `arn:aws:sagemaker:${region}:${MOTO_ACCOUNT}:model/${name}`;

async function findings() {
  const { Findings = [] } = await securityHubReader.send(new GetFindingsCommand({ MaxResults: 100 }));
  return Findings;
}

async function snsAlerts() {
  return (await drainQueue(clients.sqs, stack.alertQueueUrl)).map((envelope) => ({
    subject: envelope.Subject as string,
    body: JSON.parse(envelope.Message as string),
    attributes: Object.fromEntries(Object.entries(envelope.MessageAttributes ?? {}).map(([k, v]: [string, any]) => [k, v.Value])),
  }));
}

beforeAll(async () => {
  moto = await startMoto();
  clients = createAwsClients(awsClientConfig(moto.endpoint, REGION));
  securityHubReader = new SecurityHubClient(awsClientConfig(moto.endpoint, REGION));
  stack = await createLocalStack(clients, { region: REGION, rulePattern: { source: ['aws.sagemaker'] }, endpoint: moto.endpoint, prefix: 'gov' });
});
afterAll(async () => moto?.stop());

describe('governance on moto: the enforce Lambda with the register, classes and Security Hub', () => {
  it('imports one finding per model: FAILED, PASSED, SUPPRESSED with the reason, ARCHIVED after a class-mode delete; a repeat updates', async () => {
    const config = withExceptionRegister(
      loadConfig({ env: stackEnvironment(stack, { ISOLATION_GUARD_SECURITY_HUB: 'true', ISOLATION_GUARD_EXCEPTIONS: registerPath, ISOLATION_GUARD_CLASSES: CLASSES }) }),
    );
    let identityCalls = 0;
    clients.sts.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'GetCallerIdentityCommand') identityCalls++;
        return next(args);
      },
      { step: 'initialize', name: 'countIdentityCalls' },
    );
    const handler = createEnforceHandler({ config, clients });
    await createModel(clients, REGION, 'gov-open');
    await createModel(clients, REGION, 'gov-isolated', true);
    await createModel(clients, REGION, 'exempt-vendor');
    await createModel(clients, REGION, 'gov-phi', undefined, { 'data-classification': 'phi' });
    const events = {
      open: createModelEvent({ modelName: 'gov-open', account: MOTO_ACCOUNT, region: REGION }),
      isolated: createModelEvent({ modelName: 'gov-isolated', account: MOTO_ACCOUNT, region: REGION, isolation: true }),
      exempt: createModelEvent({ modelName: 'exempt-vendor', account: MOTO_ACCOUNT, region: REGION }),
      phi: createModelEvent({ modelName: 'gov-phi', account: MOTO_ACCOUNT, region: REGION, tags: { 'data-classification': 'phi' } }),
    };
    const handled: Record<string, any> = {};
    for (const [name, event] of Object.entries(events)) handled[name] = ((await handler(event as never, lambdaContext())) as any).handled;

    expect(handled.open).toMatchObject({ decision: { verdict: 'violation', severity: 'high' }, action: { kind: 'none' }, channels: { securityHub: 'sent' } });
    expect(handled.isolated).toMatchObject({ decision: { verdict: 'compliant' }, channels: { sns: 'not-needed', securityHub: 'sent' } });
    expect(handled.exempt.decision).toMatchObject({ verdict: 'exempt', exception: { id: 'EXC-7', ticket: 'SEC-7', approvedBy: 'security-lead@example.com' } });
    // The stage runs in alert mode; the phi class says delete.
    expect(handled.phi).toMatchObject({ decision: { verdict: 'violation', severity: 'critical', classification: 'phi' }, action: { kind: 'delete', status: 'done' } });
    await expect(clients.sagemakerIn(REGION).send(new DescribeModelCommand({ ModelName: 'gov-phi' }))).rejects.toThrow(/Could not find model/);

    const byResource = new Map((await findings()).map((f) => [f.Resources![0]!.Id, f]));
    expect(byResource.size).toBe(4);
    expect(byResource.get(arnOf(REGION, 'gov-open'))).toMatchObject({
      Compliance: { Status: 'FAILED', RelatedRequirements: ['SageMaker.5'] },
      Workflow: { Status: 'NEW' },
      Severity: { Label: 'HIGH' },
      RecordState: 'ACTIVE',
      Resources: [{ Type: 'Other' }],
      ProductArn: `arn:aws:securityhub:${REGION}:${MOTO_ACCOUNT}:product/${MOTO_ACCOUNT}/default`,
    });
    expect(byResource.get(arnOf(REGION, 'gov-isolated'))).toMatchObject({ Compliance: { Status: 'PASSED' }, Workflow: { Status: 'RESOLVED' } });
    const exempt = byResource.get(arnOf(REGION, 'exempt-vendor'))!;
    expect(exempt.Workflow).toEqual({ Status: 'SUPPRESSED' });
    expect(exempt.Note!.Text).toMatch(/EXC-7: vendor licence server reached at start-up/);
    expect(byResource.get(arnOf(REGION, 'gov-phi'))).toMatchObject({ RecordState: 'ARCHIVED', Severity: { Label: 'CRITICAL' } });

    // SNS carries the class severity.
    const alerts = await snsAlerts();
    expect(alerts.find((a) => a.body.modelName === 'gov-phi')!.attributes.severity).toBe('critical');

    // The same model reported again (another CreateModel event for it) updates its finding.
    const again = ((await handler(createModelEvent({ modelName: 'gov-open', account: MOTO_ACCOUNT, region: REGION }) as never, lambdaContext())) as any).handled;
    expect(again.channels.securityHub).toBe('sent');
    const after = await findings();
    expect(after).toHaveLength(4);
    expect(after.filter((f) => f.Resources![0]!.Id === arnOf(REGION, 'gov-open'))).toHaveLength(1);
    // The product ARN is resolved once per cold start, not once per event (five events here).
    expect(identityCalls).toBe(1);
  });

  it('without --security-hub nothing reaches Security Hub and channels say nothing about it', async () => {
    const before = (await findings()).length;
    const handler = createEnforceHandler({ config: loadConfig({ env: stackEnvironment(stack) }), clients });
    await createModel(clients, REGION, 'gov-quiet');
    const outcome = ((await handler(createModelEvent({ modelName: 'gov-quiet', account: MOTO_ACCOUNT, region: REGION }) as never, lambdaContext())) as any).handled;
    expect(outcome.channels).toEqual({ sns: 'sent', slack: 'not-configured', finding: 'sent' });
    expect(await findings()).toHaveLength(before);
    await snsAlerts();
  });
});

describe('governance on moto: the sweep', () => {
  it('reminds the owner once within 14 days of expiry, alerts a violation after it, and reports shares per class and for production', async () => {
    await createModel(clients, SWEPT, 'research-a', undefined, { team: 'research', environment: 'prod' });
    await createModel(clients, SWEPT, 'prod-isolated', true, { environment: 'production', 'data-classification': 'public' });
    await createModel(clients, SWEPT, 'public-open', undefined, { 'data-classification': 'public' });
    const config = withExceptionRegister(loadConfig({ env: stackEnvironment(stack, { ISOLATION_GUARD_EXCEPTIONS: registerPath, ISOLATION_GUARD_CLASSES: CLASSES }) }));
    const sweepAt = async (iso: string) => {
      const deps = { ...enforcementDeps(config, clients), now: () => new Date(iso) };
      return sweepModels({ regions: [SWEPT], reminderDays: 7 }, enforcementSettings(config), deps);
    };
    await snsAlerts();

    const first = await sweepAt('2026-11-22T06:00:00Z');
    const research = first.models.find((m) => m.modelName === 'research-a')!;
    expect(research).toMatchObject({ verdict: 'exempt', production: true, exception: { id: 'EXC-8' } });
    expect(first.models.find((m) => m.modelName === 'public-open')).toMatchObject({ verdict: 'violation', severity: 'low', classification: 'public' });
    expect(first.reminders).toEqual([{ id: 'EXC-8', expires: '2026-12-01', daysLeft: 9, status: 'sent' }]);
    const reminders = (await snsAlerts()).filter((a) => a.attributes.kind === 'exception-expiring');
    expect(reminders).toHaveLength(1);
    expect(reminders[0]!.attributes).toMatchObject({ kind: 'exception-expiring', exception: 'EXC-8', owner: 'research-lead@example.com' });
    expect(reminders[0]!.body.coveredModels).toEqual([research.modelArn]);

    const summary = inventorySummary(first);
    expect(summary.production).toEqual({ models: 2, isolated: 1, isolatedShare: 50 });
    expect(summary.byClassification.public).toEqual({ models: 2, isolated: 1, isolatedShare: 50 });

    // The next day's sweep: the reminder is not sent again.
    const second = await sweepAt('2026-11-23T06:00:00Z');
    expect(second.reminders).toEqual([{ id: 'EXC-8', expires: '2026-12-01', daysLeft: 8, status: 'already-sent' }]);
    expect((await snsAlerts()).filter((a) => a.attributes.kind === 'exception-expiring')).toHaveLength(0);

    // After expiry: a violation, alerted as one.
    const expired = await sweepAt('2026-12-02T06:00:00Z');
    expect(expired.models.find((m) => m.modelName === 'research-a')).toMatchObject({ verdict: 'violation', exception: null });
    expect(expired.reminders).toEqual([]);
    const alerts = await snsAlerts();
    expect(alerts.find((a) => a.body.modelName === 'research-a')).toMatchObject({ attributes: { verdict: 'violation', severity: 'high' } });
  });
});

describe('governance from the command line', () => {
  it('enforce --security-hub --exceptions and sweep --exceptions --security-hub --format md', async () => {
    const region = 'ap-southeast-2';
    const env = { ...motoEnvironment(moto.endpoint, region), AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
    await createModel(clients, region, 'exempt-cli');
    await createModel(clients, region, 'cli-phi', undefined, { 'data-classification': 'phi', environment: 'prod' });
    const stdin = [
      createModelEvent({ modelName: 'exempt-cli', account: MOTO_ACCOUNT, region }),
      createModelEvent({ modelName: 'cli-phi', account: MOTO_ACCOUNT, region, tags: { 'data-classification': 'phi', environment: 'prod' } }),
    ]
      .map((e) => JSON.stringify(e))
      .join('\n');
    const enforced = await runCli(['enforce', '--topic-arn', stack.topicArn, '--security-hub', '--exceptions', registerPath, '--classes', '{"phi": {"severity": "critical"}}', '--region', REGION, '-'], { stdin, env });
    expect(enforced.stderr).toBe('');
    expect(enforced.code).toBe(1);
    const lines = jsonLines(enforced.stdout) as any[];
    expect(lines.map((l) => [l.decision.modelName, l.decision.verdict, l.decision.severity, l.decision.exception?.id ?? null, l.channels.securityHub])).toEqual([
      ['exempt-cli', 'exempt', 'low', 'EXC-7', 'sent'],
      ['cli-phi', 'violation', 'critical', null, 'sent'],
    ]);
    const imported = (await findings()).filter((f) => f.Region === region);
    expect(imported.map((f) => [f.Resources![0]!.Id, f.Workflow?.Status, f.Severity?.Label]).sort()).toEqual([
      [arnOf(region, 'cli-phi'), 'NEW', 'CRITICAL'],
      [arnOf(region, 'exempt-cli'), 'SUPPRESSED', 'LOW'],
    ]);

    const swept = await runCliInProcess(['sweep', '--regions', region, '--region', REGION, '--topic-arn', stack.topicArn, '--exceptions', registerPath, '--security-hub', '--format', 'md'], { env });
    expect(swept.code).toBe(1);
    expect(swept.stdout).toContain('isolated by classification: (unclassified) 0% (0/1); phi 0% (0/1); production: 0% (0/1).');
    expect(swept.stdout).toMatch(/\| exempt-cli \|.*\| exempt \|.*\| EXC-7 \|/);
    await snsAlerts();
  });

  it('a register the sweep cannot read: exit 2 naming it, nothing swept', async () => {
    const env = { ...motoEnvironment(moto.endpoint, REGION), AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
    const { code, stdout, stderr } = await runCliInProcess(['sweep', '--exceptions', join(dir, 'nope.json')], { env });
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/nope\.json: cannot read the exception register \(ENOENT\)/);
  });
});
