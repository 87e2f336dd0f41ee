/**
 * `npm start`: the main job, end to end, on the embedded local AWS (moto). Starts moto, packages the
 * service and deploys the packaged CloudFormation template into moto's CloudFormation (every
 * resource made by the template users deploy), creates an isolated and a non-isolated model, sends their CloudTrail CreateModel events through
 * the rule, runs the enforce handler on what the rule delivers (and on a duplicate delivery), then
 * shows the SNS alert, the Slack message (received by a local webhook listener), the finding event
 * and the quarantine tags. Stops everything at the end. Exit 0 when every step behaved.
 */
import { DescribeModelCommand, ListTagsCommand } from '@aws-sdk/client-sagemaker';
import { createAwsClients } from '../shared/aws/clients.js';
import { loadConfig } from '../shared/config.js';
import { resultSummary } from '../shared/enforcement/result-summary.js';
import { createModelEvent } from '../local-aws/cloudtrail-events.js';
import { lambdaContext } from '../local-aws/lambda-context.js';
import { deployPackagedStack, SLACK_PARAMETER } from '../local-aws/deployed-stack.js';
import { createModel, stackEnvironment, drainQueue, putCloudTrailEvents } from '../local-aws/local-stack.js';
import { awsClientConfig, MOTO_ACCOUNT, motoEnvironment, startMoto } from '../local-aws/moto.js';
import { disposePackagedServices, packageService, ruleEventPattern } from '../local-aws/packaged-template.js';
import { recordAwsActions } from '../local-aws/aws-action-recorder.js';
import { roleArn, roleStatements } from '../local-aws/role-grants.js';
import { deniedCalls } from '../local-aws/iam-simulate.js';
import { startWebhookListener } from '../local-aws/webhook-listener.js';
import { emailForm, slackForm } from './demo-display.js';

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
    step('Packaging the service (serverless package), as `serverless deploy` does first');
    const packaged = await packageService({ stage: 'demo', region: REGION, params: { mode: 'quarantine', slackWebhookParameter: SLACK_PARAMETER } });
    say(`    --param="mode=quarantine" --param="slackWebhookParameter=${SLACK_PARAMETER}"`);

    step("Deploying the packaged CloudFormation template into moto's CloudFormation");
    const clients = createAwsClients(awsClientConfig(moto.endpoint, REGION));
    const stack = await deployPackagedStack(clients, packaged, { endpoint: moto.endpoint, slackWebhookUrl: slack.url });
    say(`    stack ${stack.stackName}: ${Object.keys(packaged.template.Resources).length} resources, outputs:`);
    for (const [key, value] of Object.entries(stack.outputs).filter(([key]) => !key.endsWith('QualifiedArn'))) say(`      ${key} = ${value}`);
    say(`    the CreateModel rule's pattern (from the template): ${JSON.stringify(ruleEventPattern(packaged.template))}`);
    say('    watching: a queue subscribed to the alert topic, a queue in place of the rule\'s Lambda target (moto cannot run a Lambda), finding events');

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
    // The deployed function's own environment (moto cannot run the Lambda: the handler runs here).
    const config = loadConfig({ env: stackEnvironment(stack) });
    // No secret cache in the demo: middy would refresh it after moto has stopped.
    const handler = createEnforceHandler({ config, clients, secretCacheMs: 0 });
    // Every AWS call the handler makes is recorded, to be checked against the packaged role below.
    const recorder = recordAwsActions({ account: MOTO_ACCOUNT });
    // What is published to the topic, as sent: SNS gives e-mail subscribers its `email` body.
    const published: Array<{ Subject?: string; Message?: string; MessageStructure?: string }> = [];
    clients.sns.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'PublishCommand') published.push(args.input as (typeof published)[number]);
        return next(args);
      },
      { step: 'initialize', name: 'demoPublished' },
    );
    for (const event of [...delivered, delivered.find((e) => e.detail?.requestParameters?.modelName === 'fraud-open')]) {
      const outcome = await handler(event as never, lambdaContext());
      if ('handled' in outcome) {
        const { decision, action, channels } = outcome.handled;
        say(`    ${decision.modelName!.padEnd(15)} ${decision.verdict.padEnd(10)} action ${action.kind}/${action.status}; sns ${channels.sns}, slack ${channels.slack}, finding ${channels.finding}`);
        say(`    ${' '.repeat(15)} ${resultSummary(outcome.handled)}`);
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
    const denied = await deniedCalls({ arn: roleArn(packaged.template, 'EnforceRole', names), statements: roleStatements(packaged.template, 'EnforceRole', names) }, calls);
    check(calls.length > 0 && denied.length === 0, denied.length === 0 ? `${calls.length} distinct call(s), all granted` : `not granted: ${denied.map((c) => c.action).join(', ')}`);

    step('What the security team received');
    const alerts = await drainQueue(clients.sqs, stack.alertQueueUrl);
    check(alerts.length === 1, `${alerts.length} SNS alert (the duplicate delivery sent none)`);
    for (const alert of alerts) {
      say(`    SNS subject: ${alert.Subject}`);
      say(`    SNS attributes: ${Object.entries(alert.MessageAttributes ?? {}).map(([k, v]: [string, any]) => `${k}=${v.Value}`).join(' ')}`);
    }
    check(published.length === 1 && published[0]!.Subject === alerts[0]?.Subject, `${published.length} publish to the topic, its subject the one the queue received`);
    for (const publish of published) {
      say('    The e-mail a subscriber of the topic reads:');
      say(indent(indent(emailForm(publish))));
    }
    check(slack.received.length === 1, `${slack.received.length} Slack message`);
    for (const message of slack.received) {
      say('    The Slack message:');
      say(indent(indent(slackForm(message.body as Parameters<typeof slackForm>[0]))));
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
