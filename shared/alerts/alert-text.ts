import type { AlertInput } from '../model/outcome.js';

/**
 * The alert's own words, in one place: which tool made the model, the fix in that tool's words, and
 * the model's page in the console. Pure. Every channel renders from here (Slack, the e-mail summary
 * of the SNS alert, the Security Hub finding's remediation; reports and fix plans too); each channel
 * only formats it (escapes for Slack, one line for the e-mail, bounded for Security Hub). None of
 * this text comes from the event: the tool is recognised from its user agent, and the console link is
 * built only from a region and a model name that look like AWS's.
 */

export type CreatingTool = 'terraform' | 'cloudformation' | 'sagemaker-python-sdk' | 'aws-cli' | 'unknown';

/** Which tool made the call, from its user agent (or `invokedBy`), so the fix names its setting. */
export function recogniseTool(userAgent: string | null, invokedBy: string | null): CreatingTool {
  const ua = userAgent ?? '';
  if (invokedBy === 'cloudformation.amazonaws.com' || /cloudformation\.amazonaws\.com|aws-cdk/i.test(ua)) return 'cloudformation';
  if (/Terraform\/|terraform-provider-aws/i.test(ua)) return 'terraform';
  if (/AWS-SageMaker-Python-SDK|\bsagemaker\/\d/i.test(ua)) return 'sagemaker-python-sdk';
  if (/^aws-cli\//i.test(ua)) return 'aws-cli';
  return 'unknown';
}

export const IMMUTABLE = 'The setting cannot be changed on an existing model: delete it and create it again.';

export function fixFor(tool: CreatingTool): string {
  switch (tool) {
    case 'terraform':
      return `Terraform: set \`enable_network_isolation = true\` on the \`aws_sagemaker_model\` resource. ${IMMUTABLE}`;
    case 'cloudformation':
      return `CloudFormation: set \`EnableNetworkIsolation: true\` on the \`AWS::SageMaker::Model\` resource and update the stack. ${IMMUTABLE}`;
    case 'sagemaker-python-sdk':
      return `SageMaker Python SDK: pass \`enable_network_isolation=True\` to \`Model(...)\` (or the Estimator). ${IMMUTABLE}`;
    case 'aws-cli':
      return `AWS CLI: add \`--enable-network-isolation\` to \`aws sagemaker create-model\`. ${IMMUTABLE}`;
    case 'unknown':
      return `Call CreateModel with \`EnableNetworkIsolation=true\`. ${IMMUTABLE}`;
  }
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;
const MODEL_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;

/** The model's page in the console, or null when the region or name do not look like AWS's. */
export function consoleLink(region: string, modelName: string | null): string | null {
  if (!modelName || !REGION.test(region) || !MODEL_NAME.test(modelName)) return null;
  return `https://${region}.console.aws.amazon.com/sagemaker/home?region=${region}#/models/${encodeURIComponent(modelName)}`;
}

/** What every channel says about one alert in our own words: the tool, its fix, the console link. */
export interface AlertText {
  tool: CreatingTool;
  /** The fix in the words of the tool that made the model (Markdown code spans around settings). */
  fix: string;
  /** The model's page in the console, or null when its region or name do not look like AWS's. */
  consoleLink: string | null;
}

export function alertText(input: Pick<AlertInput, 'decision' | 'context'>): AlertText {
  const { decision, context } = input;
  const tool = recogniseTool(context.userAgent, context.invokedBy);
  return { tool, fix: fixFor(tool), consoleLink: consoleLink(decision.region, decision.modelName) };
}
