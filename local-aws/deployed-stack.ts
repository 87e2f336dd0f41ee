import {
  CloudFormationClient,
  CreateStackCommand,
  DescribeStackEventsCommand,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  UpdateStackCommand,
  type Stack,
} from '@aws-sdk/client-cloudformation';
import {
  ListTargetsByRuleCommand,
  ListEventBusesCommand,
  ListRulesCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import { GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { SubscribeCommand } from '@aws-sdk/client-sns';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AwsClients } from '../shared/aws/clients.js';
import { queue, type LocalStack } from './local-stack.js';
import { awsClientConfig } from './moto.js';
import { lambdaFunction, patternRules, type PackagedService } from './packaged-template.js';

/**
 * The service deployed the way `serverless deploy` deploys it, into moto's CloudFormation: the
 * create template (the deployment bucket), the function zips uploaded under the package's artifact
 * directory, then the update template: the very template users deploy, every resource made by
 * CloudFormation. Then, beside it, only what a test or the demo needs to watch it: a queue subscribed
 * to the alert topic, a queue in place of the Lambda target of the stack's CreateModel rule (moto
 * creates the Lambda functions but cannot run them: the handler runs in-process with the deployed
 * function's own environment), and a queue behind a rule for finding events on the finding bus.
 */
export interface DeployedStack extends LocalStack {
  stackName: string;
  outputs: Record<string, string>;
  /** The deployed enforce function's environment variables, as Lambda would give them to it. */
  functionEnvironment: Record<string, string>;
  evidenceBucket: string;
}

/** The Slack webhook parameter, named as AWS requires it and as the README tells users to create it. */
export const SLACK_PARAMETER = '/isolation-guard/slack-webhook';

async function waitForStack(cfn: CloudFormationClient, stackName: string): Promise<Stack> {
  for (let attempt = 0; attempt < 600; attempt++) {
    const { Stacks = [] } = await cfn.send(new DescribeStacksCommand({ StackName: stackName }));
    const stack = Stacks[0];
    if (stack && !stack.StackStatus?.endsWith('_IN_PROGRESS')) {
      if (stack.StackStatus === 'CREATE_COMPLETE' || stack.StackStatus === 'UPDATE_COMPLETE') return stack;
      const { StackEvents = [] } = await cfn.send(new DescribeStackEventsCommand({ StackName: stackName }));
      const failed = StackEvents.filter((event) => /FAILED/.test(event.ResourceStatus ?? '')).map(
        (event) => `${event.LogicalResourceId}: ${event.ResourceStatus} ${event.ResourceStatusReason ?? ''}`,
      );
      throw new Error(`stack ${stackName} ended ${stack.StackStatus}: ${stack.StackStatusReason ?? ''}\n${failed.join('\n')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`stack ${stackName} did not finish`);
}


export async function deployPackagedStack(
  clients: AwsClients,
  packaged: PackagedService,
  options: { endpoint: string; stackName?: string; slackWebhookUrl?: string },
): Promise<DeployedStack> {
  const region = packaged.region;
  const stackName = options.stackName ?? `sagemaker-isolation-guard-${packaged.stage}`;
  const config = awsClientConfig(options.endpoint, region);
  const cfn = new CloudFormationClient(config);
  const lambda = new LambdaClient(config);
  try {
    // What a user does first (README): the webhook URL as a SecureString, named with its leading slash.
    if (options.slackWebhookUrl) {
      const ssm = new SSMClient(config);
      await ssm.send(new PutParameterCommand({ Name: SLACK_PARAMETER, Type: 'SecureString', Value: options.slackWebhookUrl, Overwrite: true }));
      ssm.destroy();
    }

    // `serverless deploy`: the create template, the artifacts, then the update template.
    const template = (name: string) => readFileSync(join(packaged.dir, name), 'utf8');
    const capabilities = ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'] as const;
    await cfn.send(new CreateStackCommand({ StackName: stackName, TemplateBody: template('cloudformation-template-create-stack.json'), Capabilities: [...capabilities] }));
    const created = await waitForStack(cfn, stackName);
    const bucket = created.Outputs?.find((output) => output.OutputKey === 'ServerlessDeploymentBucketName')?.OutputValue;
    if (!bucket) throw new Error('the create template made no deployment bucket');
    const state = JSON.parse(template('serverless-state.json')) as { package: { artifactDirectoryName: string } };
    for (const name of ['enforce', 'sweep', 'history']) {
      const zip = readFileSync(join(packaged.dir, `${name}.zip`));
      await clients.s3.send(new PutObjectCommand({ Bucket: bucket, Key: `${state.package.artifactDirectoryName}/${name}.zip`, Body: zip }));
    }
    await cfn.send(new UpdateStackCommand({ StackName: stackName, TemplateBody: template('cloudformation-template-update-stack.json'), Capabilities: [...capabilities] }));
    const deployed = await waitForStack(cfn, stackName);
    const outputs = Object.fromEntries((deployed.Outputs ?? []).map((output) => [output.OutputKey!, output.OutputValue!]));

    // The deployed enforce function's own environment: the settings the stage parameters gave it.
    const [, enforce] = lambdaFunction(packaged.template, 'enforce');
    const { Environment } = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: String(enforce.Properties!.FunctionName) }));
    const functionEnvironment = Environment?.Variables ?? {};

    // Watchers beside the stack.
    const prefix = `${packaged.stage}-watch`;
    const alerts = await queue(clients.sqs, `${prefix}-alerts`);
    await clients.sns.send(new SubscribeCommand({ TopicArn: outputs.AlertTopicArn, Protocol: 'sqs', Endpoint: alerts.arn }));

    const { StackResources = [] } = await cfn.send(new DescribeStackResourcesCommand({ StackName: stackName }));
    const physical = (logicalId: string) => StackResources.find((resource) => resource.LogicalResourceId === logicalId)?.PhysicalResourceId;
    const defaultBusRule = patternRules(packaged.template).find(([, rule]) => rule.Properties?.EventBusName === undefined);
    const ruleName = defaultBusRule && physical(defaultBusRule[0]);
    if (!ruleName) throw new Error('the stack has no CreateModel rule on the default bus');
    const inbox = await queue(clients.sqs, `${prefix}-rule-target`);
    // moto cannot invoke a Lambda function (it would need Docker) and fails any PutEvents call while
    // a rule on the bus targets one (it matches schedule rules against events too). So the stack's
    // Lambda targets are taken off its rules (moto runs no schedule: the sweep and history handlers
    // are called directly), and a queue takes the enforce target's place on the CreateModel rule:
    // the handler is run in-process on what the rule delivers there.
    const stackRules = StackResources.filter((resource) => resource.ResourceType === 'AWS::Events::Rule');
    // Which bus each rule is on (the central bus's physical id is not reported by moto: list them).
    const busOfRule = new Map<string, string>();
    // (EventBridge has no paginators; a handful of buses and rules here, and any NextToken is an error.)
    const { EventBuses = [], NextToken: moreBuses } = await clients.eventBridge.send(new ListEventBusesCommand({}));
    for (const bus of EventBuses) {
      const { Rules = [], NextToken: moreRules } = await clients.eventBridge.send(new ListRulesCommand({ EventBusName: bus.Name }));
      if (moreBuses || moreRules) throw new Error('more event buses or rules than one page: list them all here');
      for (const rule of Rules) busOfRule.set(rule.Name!, bus.Name!);
    }
    let replaced = 0;
    for (const resource of stackRules) {
      const rule = resource.PhysicalResourceId!.split('|').at(-1)!;
      const bus = busOfRule.get(rule);
      if (bus === undefined) throw new Error(`the stack's rule ${rule} is on no event bus`);
      const { Targets = [] } = await clients.eventBridge.send(new ListTargetsByRuleCommand({ Rule: rule, EventBusName: bus }));
      const lambdaTargets = Targets.filter((target) => target.Arn?.includes(':lambda:'));
      if (lambdaTargets.length > 0) {
        await clients.eventBridge.send(new RemoveTargetsCommand({ Rule: rule, EventBusName: bus, Ids: lambdaTargets.map((target) => target.Id!) }));
      }
      if (resource.PhysicalResourceId === ruleName) {
        if (!lambdaTargets.some((target) => target.Arn!.endsWith(`:function:${String(enforce.Properties!.FunctionName)}`))) {
          throw new Error(`the CreateModel rule does not target the enforce function: ${JSON.stringify(Targets)}`);
        }
        await clients.eventBridge.send(new PutTargetsCommand({ Rule: rule, Targets: [{ Id: 'enforce-stand-in', Arn: inbox.arn }] }));
        replaced++;
      }
    }
    if (replaced !== 1) throw new Error(`the CreateModel rule ${ruleName} was not found among the stack's rules`);

    const findingBusName = functionEnvironment.ISOLATION_GUARD_FINDING_BUS_NAME || 'default';
    const findings = await queue(clients.sqs, `${prefix}-findings`);
    await clients.eventBridge.send(
      new PutRuleCommand({ Name: `${prefix}-findings`, EventBusName: findingBusName, EventPattern: JSON.stringify({ source: ['sagemaker-isolation-guard'] }) }),
    );
    await clients.eventBridge.send(new PutTargetsCommand({ Rule: `${prefix}-findings`, EventBusName: findingBusName, Targets: [{ Id: 'watch', Arn: findings.arn }] }));

    return {
      stackName,
      outputs,
      functionEnvironment,
      topicArn: outputs.AlertTopicArn!,
      alertQueueUrl: alerts.url,
      inboxQueueUrl: inbox.url,
      deadLetterQueueUrl: outputs.DeadLetterQueueUrl!,
      findingBusName,
      findingQueueUrl: findings.url,
      tableName: outputs.IdempotencyTableName!,
      evidenceBucket: outputs.EvidenceBucketName!,
      slackParameterName: functionEnvironment.ISOLATION_GUARD_SLACK_WEBHOOK_PARAMETER || null,
    };
  } finally {
    cfn.destroy();
    lambda.destroy();
  }
}
