import { type AwsSecurityFinding, type SecurityHubImporter } from '../aws/security-hub-import.js';
import { SecurityHubImportError } from '../aws/errors.js';
import { callerIdentity, type STSClient } from '../aws/sts.js';
import type { AlertInput } from '../model/outcome.js';
import { knownModelArn } from '../model/model-arn.js';
import { alertText } from './alert-text.js';

/**
 * The decided model as an AWS Security Finding Format finding, for Security Hub's
 * BatchImportFindings. Pure. One finding per model: its `Id` is derived from the model ARN alone,
 * so a repeated event or the next sweep updates the finding instead of adding another.
 */

export const SECURITY_HUB_CONTROL = 'SageMaker.5';
export const SECURITY_HUB_GENERATOR = 'sagemaker-isolation-guard/SageMaker.5';
const CONTROL_DOC = 'https://docs.aws.amazon.com/securityhub/latest/userguide/sagemaker-controls.html#sagemaker-5';


export const securityHubFindingId = (modelArn: string): string => `sagemaker-isolation-guard/${modelArn}`;

/** The default product of an account: what an account's own findings are imported under. */
const defaultProductArn = (partition: string, region: string, account: string): string =>
  `arn:${partition}:securityhub:${region}:${account}:product/${account}/default`;

const cut = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

/** The model's ARN: DescribeModel's or the record's; else built from account, region and name (SageMaker lower-cases it). */
function modelArnOf(input: AlertInput): string | null {
  const known = knownModelArn(input.decision, input.model);
  if (known) return known;
  const { account, region, modelName } = input.decision;
  return account && modelName ? `arn:aws:sagemaker:${region}:${account}:model/${modelName.toLowerCase()}` : null;
}

/** Null when there is nothing to report on: a failed call created no model, or the model is unknown. */
export function securityHubFinding(input: AlertInput, meta: { productArn: string; importingAccount: string; now: Date }): AwsSecurityFinding | null {
  const { decision, action, context } = input;
  if (decision.verdict === 'not-applicable') return null;
  const modelArn = modelArnOf(input);
  if (modelArn === null) return null;
  const partition = modelArn.split(':')[1] || 'aws';
  const now = meta.now.toISOString();
  const created = Number.isNaN(Date.parse(decision.eventTime)) ? now : new Date(decision.eventTime).toISOString();
  const passed = decision.verdict === 'compliant';
  const exempt = decision.verdict === 'exempt';
  const deleted = (action.kind === 'delete' && (action.status === 'done' || action.status === 'already-done')) || input.model?.exists === false;
  const label = passed ? 'INFORMATIONAL' : decision.severity.toUpperCase();
  const exception = decision.exception;
  const tags = Object.fromEntries(Object.entries(context.tags).slice(0, 50).map(([k, v]) => [cut(k, 128), cut(v, 256)]));

  const finding: AwsSecurityFinding = {
    SchemaVersion: '2018-10-08',
    Id: securityHubFindingId(modelArn),
    ProductArn: meta.productArn,
    GeneratorId: SECURITY_HUB_GENERATOR,
    AwsAccountId: decision.account ?? meta.importingAccount,
    Region: decision.region,
    Types: ['Software and Configuration Checks/AWS Security Best Practices'],
    CreatedAt: created,
    UpdatedAt: now,
    Severity: { Label: label as NonNullable<AwsSecurityFinding['Severity']>['Label'] },
    Title: 'SageMaker models should have network isolation enabled',
    Description: cut(
      `${passed ? 'The model runs with network isolation.' : 'The model runs without network isolation: its containers can reach the network.'} ${decision.reasons.join(' ')}`,
      1024,
    ),
    Remediation: { Recommendation: { Text: cut(alertText(input).fix, 512), Url: CONTROL_DOC } },
    ProductFields: {
      'sagemaker-isolation-guard/verdict': decision.verdict,
      'sagemaker-isolation-guard/severity': decision.severity,
      'sagemaker-isolation-guard/classification': decision.classification ?? '-',
      'sagemaker-isolation-guard/production': String(decision.production),
      'sagemaker-isolation-guard/action': `${action.kind}/${action.status}`,
      ...(exception ? { 'sagemaker-isolation-guard/exception': exception.id } : {}),
    },
    Resources: [
      {
        Type: 'Other',
        Id: modelArn,
        Partition: partition as NonNullable<AwsSecurityFinding['Resources']>[number]['Partition'],
        Region: decision.region,
        ...(Object.keys(tags).length > 0 ? { Tags: tags } : {}),
        Details: {
          Other: {
            ModelName: cut(decision.modelName ?? '-', 1024),
            EnableNetworkIsolation: String(decision.networkIsolation === true),
            ...(decision.principal ? { CreatedBy: cut(decision.principal, 1024) } : {}),
          },
        },
      },
    ],
    Compliance: { Status: passed ? 'PASSED' : 'FAILED', RelatedRequirements: [SECURITY_HUB_CONTROL] },
    Workflow: { Status: passed ? 'RESOLVED' : exempt ? 'SUPPRESSED' : 'NEW' },
    RecordState: deleted ? 'ARCHIVED' : 'ACTIVE',
  };
  if (exempt && exception) {
    const approval = exception.approvedBy ? `approved by ${exception.approvedBy}` : 'no approval recorded';
    finding.Note = {
      Text: cut(`Exception ${exception.id}: ${exception.reason ?? 'no reason recorded'} (${exception.ticket ?? 'no ticket'}; ${approval}; expires ${exception.expires ?? 'never'})`, 512),
      UpdatedBy: 'sagemaker-isolation-guard',
      UpdatedAt: now,
    };
  }
  return finding;
}

export interface SecurityHubChannel {
  /**
   * The product ARN and account a finding on a model of `modelAccount` is imported under: the
   * model's own account's default product when that is a member account reached through the member
   * role, else this account's (resolved once).
   */
  product(modelAccount?: string | null): Promise<{ productArn: string; account: string }>;
  import(finding: AwsSecurityFinding): Promise<{ findingId: string }>;
}

/** Credentials of a member account (the router's member role), or null for this account. */
export type MemberCredentials = (account: string) => Promise<Parameters<SecurityHubImporter['withCredentials']>[0] | null>;

/**
 * Imports findings with BatchImportFindings under the default product of the model's account:
 * Security Hub requires `AwsAccountId` to be the calling account under a default product, so a
 * member account's finding is imported in that account, as its member role (`memberCredentials`),
 * and the administrator account sees it through Security Hub's aggregation. This account's own
 * identity comes from STS GetCallerIdentity, once. A refused finding throws, so the step is retried.
 */
export function securityHubChannel(options: { client: SecurityHubImporter; sts: STSClient; memberCredentials?: MemberCredentials }): SecurityHubChannel {
  let home: Promise<{ partition: string; region: string; account: string }> | null = null;
  const homeIdentity = () =>
    (home ??= (async () => {
      const identity = await callerIdentity(options.sts);
      return { ...identity, region: await options.client.region() };
    })().catch((error) => {
      home = null;
      throw error;
    }));
  /** The importer calling as the account the finding belongs to. */
  const importerFor = async (account: string | undefined): Promise<SecurityHubImporter> => {
    if (!account || !options.memberCredentials || account === (await homeIdentity()).account) return options.client;
    const credentials = await options.memberCredentials(account);
    return credentials ? options.client.withCredentials(credentials) : options.client;
  };
  return {
    async product(modelAccount) {
      const { partition, region, account } = await homeIdentity();
      const target = modelAccount && options.memberCredentials && (await options.memberCredentials(modelAccount)) ? modelAccount : account;
      return { productArn: defaultProductArn(partition, region, target), account: target };
    },
    async import(finding) {
      const output = await (await importerFor(finding.AwsAccountId)).batchImportFindings([finding]);
      if ((output.FailedCount ?? 0) > 0) {
        const failed = output.FailedFindings?.[0];
        throw new SecurityHubImportError(`Security Hub refused finding ${finding.Id} (${failed?.ErrorCode ?? 'Unknown'}: ${failed?.ErrorMessage ?? 'no message'})`);
      }
      return { findingId: finding.Id ?? '' };
    },
  };
}
