import { setTimeout as sleep } from 'node:timers/promises';
import { fixModel } from '../fix/fix-model.js';
import { fixReport } from '../fix/render-fix.js';
import type { RemediationAction } from './remediation-action.js';
import { FixIncompleteError } from './errors.js';

/**
 * How long the enforce Lambda (30 s) waits for an endpoint: an update takes minutes in AWS, so an
 * endpoint still updating fails the action, the event is retried, and the retry (the plan resumes:
 * nothing is made twice) waits for that endpoint again.
 */
const LAMBDA_WAIT_MS = 10_000;

/**
 * `isolation-guard fix MODEL --apply` as the enforce Lambda's `recreate` mode: a new model with
 * network isolation, a copy of each endpoint config serving the old one, each endpoint moved onto
 * its copy. The old model stays (no --delete-old). Which models it may touch is planned before
 * (shared/actions/plan.ts: the auto-fix tag, not managed by infrastructure as code); the fix
 * itself refuses an IaC-managed model again on the tags it reads.
 */
export const recreateAction: RemediationAction = {
  kind: 'recreate',
  summary: 'recreate the model with network isolation and move its endpoints onto it',
  iamActions: [
    'sagemaker:ListTags',
    'sagemaker:ListEndpointConfigs',
    'sagemaker:DescribeEndpointConfig',
    'sagemaker:ListEndpoints',
    'sagemaker:DescribeEndpoint',
    'sagemaker:CreateModel',
    'sagemaker:CreateEndpointConfig',
    'sagemaker:AddTags',
    'sagemaker:UpdateEndpoint',
    'iam:PassRole',
  ],
  async run(sagemaker, target, _now, settings) {
    const region = target.modelArn.split(':')[3] || (await sagemaker.config.region());
    const result = await fixModel(sagemaker, {
      modelName: target.modelName,
      region,
      apply: true,
      options: { iacTagKeys: settings?.iacTagKeys ?? [], force: false, deleteOld: false, rollbackAlarms: [] },
      wait: { timeoutMs: LAMBDA_WAIT_MS, pollMs: 5_000, sleep: (ms) => sleep(ms), now: () => Date.now() },
    });
    const report = fixReport(result, { region, account: null });
    if (report.status === 'missing') return { status: 'already-done', detail: 'The model no longer exists: nothing to recreate.' };
    if (report.status === 'already-isolated') return { status: 'already-done', detail: 'The model has network isolation: nothing to recreate.' };
    if (report.status === 'refused' || report.status === 'conflict') {
      return { status: 'not-needed', detail: [report.reason, report.templateChange].filter(Boolean).join(' ') };
    }
    const done = report.steps.map((step) => `${step.step}: ${step.status}${step.detail ? ` (${step.detail})` : ''}`).join('; ');
    if (!report.ok) throw new FixIncompleteError(`recreate did not complete: ${done}`);
    const endpoints = report.endpoints.map((endpoint) => endpoint.name);
    return {
      status: 'done',
      detail: `Recreated as ${report.newModel} with network isolation${endpoints.length > 0 ? `; endpoint(s) ${endpoints.join(', ')} now serve it` : '; no endpoint served the model'}. The old model stays (tagged replaced-by); delete it with \`isolation-guard fix ${target.modelName} --apply --delete-old\`. Steps: ${done}.`,
    };
  },
};
