import type { FixModelResult } from './fix-model.js';

/** The plan (and what applying it did) as the command prints it: `text` for people, `json` for scripts. */
export function fixReport(result: FixModelResult, where: { region: string; account: string | null }) {
  const { plan, outcome, model } = result;
  const ready = plan?.status === 'ready' ? plan : null;
  const outcomes = outcome?.steps ?? [];
  return {
    model: model.name,
    region: where.region,
    account: where.account ?? (model.exists ? model.account : null),
    status: plan === null ? 'missing' : plan.status,
    newModel: ready?.newModelName ?? null,
    endpointConfigs: ready?.configsNamingModel ?? [],
    endpoints: ready?.moves.map((move) => ({ name: move.endpoint, status: move.status, from: move.fromConfig, to: move.toConfig })) ?? [],
    warnings: plan?.warnings ?? [],
    reason: plan && 'reason' in plan ? plan.reason : null,
    templateChange: plan?.status === 'refused' ? plan.templateChange : null,
    steps: (plan?.steps ?? []).map((step, index) => ({ step: step.text, ...(outcome ? { status: outcomes[index]?.status ?? 'not-done', detail: outcomes[index]?.detail ?? null } : {}) })),
    applied: outcome !== null,
    ok: outcome?.ok ?? null,
  };
}

export type FixReport = ReturnType<typeof fixReport>;

const MARK: Record<string, string> = { done: 'done', failed: 'FAILED', 'not-done': 'not done' };

export function fixText(report: FixReport): string[] {
  const where = `${report.region}${report.account ? `, account ${report.account}` : ''}`;
  const lines = [`Fix for model ${report.model} (${where})`];
  if (report.status === 'missing') return [...lines, `  No model named ${report.model} exists here.`];
  if (report.status === 'already-isolated') return [...lines, `  ${report.model} already has network isolation: nothing to do.`];
  if (report.reason) lines.push(`  ${report.reason}`);
  if (report.templateChange) lines.push(`  Change to make in the template: ${report.templateChange}`);
  if (report.status !== 'ready') return lines;
  lines.push(`  Old model:  ${report.model} (no network isolation; stays unless --delete-old)`);
  lines.push(`  New model:  ${report.newModel} (EnableNetworkIsolation=true)`);
  lines.push(`  Endpoint configs naming ${report.model}: ${report.endpointConfigs.length > 0 ? report.endpointConfigs.join(', ') : 'none'}`);
  lines.push(`  Endpoints on them: ${report.endpoints.length > 0 ? report.endpoints.map((e) => `${e.name} (${e.status}, on ${e.from})`).join(', ') : 'none'}`);
  for (const warning of report.warnings) lines.push(`  Warning: ${warning}`);
  lines.push('  Steps:');
  report.steps.forEach((step, index) => {
    const status = 'status' in step ? ` [${MARK[step.status as string]}]` : '';
    const detail = 'detail' in step && step.detail ? `: ${step.detail}` : '';
    lines.push(`    ${index + 1}.${status} ${step.step}${detail}`);
  });
  if (!report.applied) lines.push('  Nothing was changed: run again with --apply to make these changes.');
  else lines.push(report.ok ? `  Done: every endpoint serves ${report.newModel}.` : '  Not complete: the steps marked FAILED or not done were not made; fix the cause and run again (done steps are not redone).');
  return lines;
}
