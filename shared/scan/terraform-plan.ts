import { isObject } from '../model/is-object.js';
import { lineAt, verdictOf, type Resolved, type ScanFinding } from './types.js';

/**
 * Terraform plan JSON (`terraform show -json plan.out`): every `resource_changes` entry of type
 * `aws_sagemaker_model` whose actions create or keep a model (create, update, replace, no-op).
 * `delete` alone is not checked. Module addresses keep their `module.` prefix. Pure.
 */
export function isTerraformPlan(value: unknown): value is { resource_changes: unknown[] } {
  return isObject(value) && Array.isArray(value.resource_changes);
}

const KEEPS_A_MODEL = new Set(['create', 'update', 'no-op']);

function describeActions(actions: string[]): string {
  if (actions.includes('delete') && actions.includes('create')) {
    return actions[0] === 'delete' ? 'planned action: replace (delete, then create)' : 'planned action: replace (create, then delete)';
  }
  return `planned action: ${actions.join(', ')}`;
}

function resolvePlanned(change: Record<string, unknown>): Resolved {
  const afterUnknown = isObject(change.after_unknown) ? change.after_unknown : {};
  if (afterUnknown.enable_network_isolation === true) return { value: null, reasons: ['enable_network_isolation is known only after apply'] };
  const after = isObject(change.after) ? change.after : {};
  const value = after.enable_network_isolation;
  if (value === true) return { value: true, reasons: ['enable_network_isolation = true'] };
  if (value === false) return { value: false, reasons: ['enable_network_isolation = false'] };
  if (value === null || value === undefined) return { value: false, reasons: ['attribute omitted; the provider default is false'] };
  return { value: null, reasons: [`enable_network_isolation is ${JSON.stringify(value)}, not a boolean`] };
}

export function scanTerraformPlan(file: string, text: string, plan: { resource_changes: unknown[] }): ScanFinding[] {
  const findings: ScanFinding[] = [];
  const changesAt = Math.max(0, text.indexOf('"resource_changes"'));
  for (const entry of plan.resource_changes) {
    if (!isObject(entry) || entry.type !== 'aws_sagemaker_model' || entry.mode === 'data') continue;
    const change = isObject(entry.change) ? entry.change : {};
    const actions = Array.isArray(change.actions) ? change.actions.filter((a): a is string => typeof a === 'string') : [];
    if (!actions.some((action) => KEEPS_A_MODEL.has(action))) continue;
    const address = typeof entry.address === 'string' ? entry.address : `aws_sagemaker_model.${String(entry.name)}`;
    const resolved = resolvePlanned(change);
    const addressAt = text.indexOf(`"address":${JSON.stringify(address)}`, changesAt);
    const spacedAt = addressAt >= 0 ? addressAt : text.indexOf(JSON.stringify(address), changesAt);
    findings.push({
      file,
      line: lineAt(text, spacedAt),
      format: 'terraform-plan',
      resource: address,
      verdict: verdictOf(resolved),
      networkIsolation: resolved.value,
      reasons: [...resolved.reasons, describeActions(actions)],
      cdkPath: null,
    });
  }
  return findings;
}
