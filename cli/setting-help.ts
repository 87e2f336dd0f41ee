import type { SettingName } from '../shared/config.js';

/**
 * What each setting's flag does, for the generated help. The settings themselves (names, parsing,
 * defaults) live in shared/config.ts; a setting without a line here is listed without words.
 */
export const SETTING_HELP: Partial<Record<SettingName, { value?: string; help: string }>> = {
  mode: { value: 'alert|quarantine|recreate|delete', help: 'remediation of a violating model (default alert)' },
  autoFixTagKey: { value: 'KEY', help: 'recreate mode fixes models tagged KEY=allowed (isolation-guard:auto-fix)' },
  dryRun: { help: 'decide and alert, change nothing' },
  exemptTagKeys: { value: 'LIST', help: 'KEY or KEY=VALUE globs, each optionally |YYYY-MM-DD (expiry)' },
  exemptModelNamePatterns: { value: 'LIST', help: 'model name globs, each optionally |YYYY-MM-DD' },
  exemptPrincipalPatterns: { value: 'LIST', help: "caller ARN globs, each optionally |YYYY-MM-DD" },
  iacTagKeys: { value: 'LIST', help: 'tag keys of IaC-managed models (delete becomes quarantine)' },
  topicArn: { value: 'ARN', help: 'SNS alert topic (its region is taken from the ARN)' },
  slackWebhookUrl: { value: 'URL', help: 'Slack incoming webhook (better: "slackWebhookUrl" in a --config file; never read from the environment)' },
  findingBusName: { value: 'NAME', help: 'EventBridge bus for finding events' },
  idempotencyTable: { value: 'NAME|ARN', help: 'DynamoDB step ledger: effects once per event across runs' },
  regions: { value: 'LIST|all', help: 'regions to cover (default: the current region)' },
  reminderDays: { value: 'N', help: 'alert on the same violating model again after N days (7)' },
  evidenceBucket: { value: 'NAME', help: 'the evidence bucket (inventory snapshots, reports)' },
  memberRoleName: { value: 'NAME', help: 'role to assume in member accounts (organisation set-up)' },
  externalId: { value: 'ID', help: 'the external id that role requires' },
  accounts: { value: 'LIST|org', help: 'member account ids, or org for every active account' },
  accountNames: { value: 'LIST', help: 'ID=name entries, so reports and alerts name accounts' },
  exceptions: { value: 'FILE', help: 'the exception register (JSON or YAML; README "Exceptions")' },
  classificationTagKey: { value: 'KEY', help: 'data classification tag (data-classification)' },
  classes: { value: 'JSON', help: '{"phi": {"severity": "critical", "mode": "delete"}, ...}' },
  environmentTagKey: { value: 'KEY', help: 'environment tag (environment)' },
  productionValues: { value: 'LIST', help: 'its values that mean production (prod,production)' },
  securityHub: { help: 'one Security Hub finding per decided model (BatchImportFindings)' },
  athenaWorkgroup: { value: 'NAME', help: 'Athena workgroup for --source athena:... (default primary)' },
  athenaOutputLocation: { value: 's3://BUCKET/PREFIX/', help: 'Athena query results, unless the workgroup sets one' },
};
