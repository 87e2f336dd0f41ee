import { securityHubChannel } from '../alerts/security-hub.js';
import { slackWebhookSender } from '../alerts/slack-webhook.js';
import type { EnforceClients } from '../aws/clients.js';
import type { AccountRouter } from '../aws/accounts.js';
import { tableNameOf } from '../aws/resource-regions.js';
import type { Config } from '../config.js';
import { dynamoDbStepLedger } from './dynamodb-step-ledger.js';
import type { EnforcementDeps, EnforcementSettings } from './pipeline.js';
import { memoryStepLedger, type StepLedger } from './step-ledger.js';

/** The pipeline's settings, from the one configuration. */
export const enforcementSettings = (config: Config): EnforcementSettings => ({
  mode: config.mode,
  dryRun: config.dryRun,
  exemptions: config.exemptions,
  iacTagKeys: config.iacTagKeys,
  priorities: config.priorities,
  autoFixTagKey: config.autoFixTagKey,
});

/**
 * The step ledger the configuration names (DynamoDB when a table is set, else memory). Make it once per
 * container (a handler's cold start), not per invocation: a step whose effect ran but whose "done" write
 * failed is remembered by the ledger instance, so that the retry in the same container does not run it again.
 */
export const stepLedgerFor = (config: Config, clients: Pick<EnforceClients, 'dynamodb'>): StepLedger =>
  config.idempotencyTable ? dynamoDbStepLedger({ client: clients.dynamodb, tableName: tableNameOf(config.idempotencyTable) }) : memoryStepLedger();

/**
 * Wires the pipeline's effects from the configuration: SNS when a topic is set, Slack when a
 * webhook URL was resolved, findings when a bus is named, the DynamoDB ledger when a table is.
 */
export function enforcementDeps(
  config: Config,
  clients: EnforceClients,
  extra: { ledger?: StepLedger | undefined; now?: () => Date; router?: AccountRouter } = {},
): EnforcementDeps {
  const slackUrl = config.slackWebhookUrl;
  const router = extra.router;
  return {
    // Models live in the account and region the event names; member accounts through their role.
    sagemakerFor: router ? (where) => router.sagemakerFor(where) : ({ region }) => clients.sagemakerIn(region),
    ...(router ? { isMemberAccount: async (account: string) => account !== (await router.homeAccount()) } : {}),
    sns: config.topicArn ? { client: clients.sns, topicArn: config.topicArn } : null,
    slack: slackUrl ? slackWebhookSender({ url: slackUrl }) : null,
    finding: config.findingBusName ? { client: clients.eventBridge, busName: config.findingBusName } : null,
    ledger: extra.ledger ?? stepLedgerFor(config, clients),
    now: extra.now ?? (() => new Date()),
    accountName: (account) => config.accountNames[account] ?? null,
    // Wire once per process (the enforce Lambda: per cold start): the channel keeps its product ARN (one STS call).
    // A member account's finding is imported in that account, through the member role (Security Hub's AwsAccountId rule).
    securityHub: config.securityHub
      ? securityHubChannel({ client: clients.securityHub, sts: clients.sts, ...(router ? { memberCredentials: (account: string) => router.memberCredentials(account) } : {}) })
      : null,
  };
}
