/**
 * `npm start`: the main job, end to end, on the embedded local AWS (moto). Starts moto, creates the
 * stack's resources there with the rule pattern taken from the packaged CloudFormation template,
 * creates an isolated and a non-isolated model, sends their CloudTrail CreateModel events through
 * the rule, runs the enforce handler on what the rule delivers (and on a duplicate delivery), then
 * shows the SNS alert, the Slack message (received by a local webhook listener), the finding event
 * and the quarantine tags. Stops everything at the end. Exit 0 when every step behaved.
 */
import { DescribeModelCommand, ListTagsCommand } from '@aws-sdk/client-sagemaker';
import { createAwsClients } from '../shared/aws/clients.js';
import { loadConfig } from '../shared/config.js';
import { createModelEvent } from '../tests/support/cloudtrail-events.js';
import { lambdaContext } from '../tests/support/lambda-context.js';
import { createLocalStack, createModel, stackEnvironment, drainQueue, putCloudTrailEvents } from '../tests/support/local-stack.js';
import { awsClientConfig, MOTO_ACCOUNT, motoEnvironment, startMoto } from '../tests/support/moto.js';
import { disposePackagedServices, packageService, ruleEventPattern } from '../tests/support/packaged-template.js';
import { recordAwsActions } from '../tests/support/aws-action-recorder.js';
import { roleStatements, ungranted } from '../tests/support/role-grants.js';
import { startWebhookListener } from '../tests/support/webhook-listener.js';

const REGION = 'eu-west-1';
const say = (line = '') => process.stdout.write(`${line}\n`);
const step = (line: string) => say(`\n▶ ${line}`);
const indent = (text: string) => text.replace(/^/gm, '    ');
let failures = 0;
const check = (ok: boolean, what: string) => {
  say(`    ${ok ? '✔' : '✘'} ${what}`);
  if (!ok) failures++;
};

async function main() {
  step('Starting the local AWS (moto server)');
  const moto = await startMoto();
  const slack = await startWebhookListener();
  // The enforce handler reads the Slack webhook from SSM through @middy/ssm, whose client finds
  // moto through the SDK's standard variables, as the Lambda finds AWS.
  Object.assign(process.env, motoEnvironment(moto.endpoint, REGION));
  // Loaded after the environment is set: the logger reads its level once, at load.
  const { createEnforceHandler } = await import('../shared/lambda/enforce-handler.js');
  say(`    moto on ${moto.endpoint}; local Slack webhook listener on ${new URL(slack.url).origin}`);
  try {
    step('Packaging the service (serverless package) to take the rule pattern from its template');
    // Packaged with the demo's Slack parameter and finding bus, so its role can be checked against what the demo does.
    const packaged = await packageService({ stage: 'demo', region: REGION, params: { slackWebhookParameter: 'demo/slack-webhook', findingBusName: 'demo-findings' } });
    const pattern = ruleEventPattern(packaged.template);
    say(indent(JSON.stringify(pattern)));

    step("Creating the stack's resources in moto");
    const clients = createAwsClients(awsClientConfig(moto.endpoint, REGION));
    const stack = await createLocalStack(clients, { region: REGION, rulePattern: pattern, slackWebhookUrl: slack.url, endpoint: moto.endpoint, prefix: 'demo' });
    say(`    alert topic ${stack.topicArn} (+ a queue subscribed to watch it)`);
    say(`    rule demo-createmodel with the packaged pattern; step ledger table ${stack.tableName}`);
    say(`    finding bus ${stack.findingBusName}; Slack webhook URL in SSM SecureString ${stack.slackParameterName}`);

    step('Creating two models: churn-isolated (EnableNetworkIsolation=true) and fraud-open (not set)');
    await createModel(clients, REGION, 'churn-isolated', true);
    await createModel(clients, REGION, 'fraud-open', undefined, { team: 'fraud' });

    step('CloudTrail sends their CreateModel events to EventBridge');
    await putCloudTrailEvents(clients, [
      createModelEvent({ modelName: 'churn-isolated', account: MOTO_ACCOUNT, region: REGION, isolation: true }),
      createModelEvent({
        modelName: 'fraud-open',
        account: MOTO_ACCOUNT,
        region: REGION,
        tags: { team: 'fraud' },
        userAgent: 'APN/1.0 HashiCorp/1.0 Terraform/1.9.8 (+https://www.terraform.io) terraform-provider-aws/5.72.1',
      }),
    ]);
    const delivered = await drainQueue(clients.sqs, stack.inboxQueueUrl);
    check(delivered.length === 2, `the rule delivered ${delivered.length} event(s)`);

    step('enforce (mode quarantine) on each delivered event, then on a duplicate delivery');
    const config = loadConfig({ env: stackEnvironment(stack, { ISOLATION_GUARD_MODE: 'quarantine' }) });
    // No secret cache in the demo: middy would refresh it after moto has stopped.
    const handler = createEnforceHandler({ config, clients, secretCacheMs: 0 });
    // Every AWS call the handler makes is recorded, to be checked against the packaged role below.
    const recorder = recordAwsActions({ account: MOTO_ACCOUNT });
    for (const event of [...delivered, delivered.find((e) => e.detail?.requestParameters?.modelName === 'fraud-open')]) {
      const outcome = await handler(event as never, lambdaContext());
      if ('handled' in outcome) {
        const { decision, action, channels } = outcome.handled;
        say(`    ${decision.modelName!.padEnd(15)} ${decision.verdict.padEnd(10)} action ${action.kind}/${action.status}; sns ${channels.sns}, slack ${channels.slack}, finding ${channels.finding}`);
      }
    }

    recorder.stop();

    step("The enforce role of the packaged template grants every AWS call the handler made");
    const names = {
      region: REGION,
      account: MOTO_ACCOUNT,
      refs: { AlertTopic: stack.topicArn, IdempotencyTable: stack.tableName },
      atts: { 'IdempotencyTable.Arn': `arn:aws:dynamodb:${REGION}:${MOTO_ACCOUNT}:table/${stack.tableName}` },
    };
    const calls = recorder.distinct();
    say(indent(calls.map((c) => `${c.action} ${c.resource}`).join('\n')));
    const denied = ungranted(roleStatements(packaged.template, 'EnforceRole', names), calls);
    check(calls.length > 0 && denied.length === 0, denied.length === 0 ? `${calls.length} distinct call(s), all granted` : `not granted: ${denied.map((c) => c.action).join(', ')}`);

    step('What the security team received');
    const alerts = await drainQueue(clients.sqs, stack.alertQueueUrl);
    check(alerts.length === 1, `${alerts.length} SNS alert (the duplicate delivery sent none)`);
    for (const alert of alerts) {
      say(`    SNS subject: ${alert.Subject}`);
      say(`    SNS attributes: ${Object.entries(alert.MessageAttributes ?? {}).map(([k, v]: [string, any]) => `${k}=${v.Value}`).join(' ')}`);
    }
    check(slack.received.length === 1, `${slack.received.length} Slack message`);
    for (const message of slack.received) {
      const body = message.body as { text?: string; blocks?: Array<{ text?: { text?: string } }> };
      say(indent(`Slack: ${body.text ?? ''}`));
      const fix = body.blocks?.map((b) => b.text?.text ?? '').find((t) => t.startsWith('*Fix*'));
      if (fix) say(indent(`Slack ${fix.replace('\n', ': ')}`));
    }
    const findings = await drainQueue(clients.sqs, stack.findingQueueUrl);
    check(findings.length === 1, `${findings.length} finding event on ${stack.findingBusName} (${findings[0]?.['detail-type'] ?? '-'})`);

    step('The models now');
    for (const name of ['churn-isolated', 'fraud-open']) {
      const { ModelArn, EnableNetworkIsolation } = await clients.sagemakerIn(REGION).send(new DescribeModelCommand({ ModelName: name }));
      const { Tags = [] } = await clients.sagemakerIn(REGION).send(new ListTagsCommand({ ResourceArn: ModelArn }));
      const tags = Tags.map((t) => `${t.Key}=${t.Value}`).join(', ') || '(no tags)';
      say(`    ${name.padEnd(15)} EnableNetworkIsolation=${EnableNetworkIsolation}  ${tags}`);
      if (name === 'fraud-open') check(Tags.some((t) => t.Key === 'isolation-guard:quarantine'), 'fraud-open carries the quarantine tag');
    }
  } finally {
    disposePackagedServices();
    await slack.close();
    await moto.stop();
    step('Stopped moto and the listener');
  }
  say(failures === 0 ? '\nEvery step behaved.' : `\n${failures} check(s) failed.`);
  process.exit(failures === 0 ? 0 : 1);
}

main().catch((error: unknown) => {
  process.stderr.write(`demo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
