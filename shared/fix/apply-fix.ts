import { errorText } from '../model/error-text.js';
import type { FixPlan, FixStep } from './fix-plan.js';
import type { FixEffects } from './sagemaker-fix.js';

export type StepStatus = 'done' | 'failed' | 'not-done';

export interface StepOutcome {
  step: string;
  status: StepStatus;
  detail: string | null;
}

export interface FixOutcome {
  /** Every step of the plan, in order: done, failed, or not done (and why). */
  steps: StepOutcome[];
  /** True when every endpoint serves the replacement (and, with --delete-old, the old model is gone). */
  ok: boolean;
}

export interface WaitOptions {
  /** How long one endpoint is waited for before it counts as failed (still updating). */
  timeoutMs: number;
  /** The longest pause between two looks: the first is 1 s, each next one twice as long, up to this. */
  pollMs: number;
  sleep: (ms: number) => Promise<void>;
  now: () => number;
  /** A progress line (an endpoint's status while it updates). */
  progress?: (line: string) => void;
}

/** Waits until the endpoint is InService again; on its new config is success, on another is a rollback. */
async function waitInService(effects: FixEffects, endpoint: string, config: string, wait: WaitOptions): Promise<string | null> {
  const started = wait.now();
  let last = '';
  for (let look = 0; ; look++) {
    const { status, configName, failureReason } = await effects.endpointStatus(endpoint);
    const seconds = Math.round((wait.now() - started) / 1000);
    if (status !== last) wait.progress?.(`${endpoint}: ${status} (${seconds} s)`);
    last = status;
    if (status === 'InService') {
      return configName === config ? null : `rolled back to ${configName ?? 'another config'}${failureReason ? `: ${failureReason}` : ''}`;
    }
    if (status === 'Failed' || status === 'OutOfService' || status === 'UpdateRollbackFailed') return `${status}${failureReason ? `: ${failureReason}` : ''}`;
    if (wait.now() - started >= wait.timeoutMs) return `still ${status} after ${seconds} s: not waited for longer; run the fix again to wait for it`;
    await wait.sleep(Math.min(wait.pollMs, 1000 * 2 ** look));
  }
}

/**
 * Runs a ready plan's steps in order. A failed endpoint does not stop the others; the old model is
 * marked replaced (and deleted, with --delete-old) only when every endpoint moved. Never throws:
 * each step's outcome says what was done and what was not.
 */
export async function applyFix(plan: Extract<FixPlan, { status: 'ready' }>, effects: FixEffects, wait: WaitOptions): Promise<FixOutcome> {
  const steps: StepOutcome[] = [];
  /** Why the steps that need a replacement, a config, or every endpoint moved cannot run. */
  let noModel: string | null = null;
  const noConfig = new Map<string, string>();
  let unmoved = 0;
  let failed = 0;
  const run = async (step: FixStep, effect: () => Promise<string | null | void>): Promise<boolean> => {
    try {
      const failure = await effect();
      if (typeof failure === 'string') {
        steps.push({ step: step.text, status: 'failed', detail: failure });
        failed++;
        return false;
      }
      steps.push({ step: step.text, status: 'done', detail: null });
      return true;
    } catch (error) {
      steps.push({ step: step.text, status: 'failed', detail: errorText(error) });
      failed++;
      return false;
    }
  };
  const skip = (step: FixStep, why: string) => steps.push({ step: step.text, status: 'not-done', detail: why });

  for (const step of plan.steps) {
    switch (step.kind) {
      case 'create-model':
        if (step.input === null) steps.push({ step: step.text, status: 'done', detail: null });
        else if (!(await run(step, () => effects.createModel(step.input!)))) noModel = 'the replacement model was not created';
        break;
      case 'create-config':
        if (noModel) skip(step, noModel);
        else if (!(await run(step, () => effects.createEndpointConfig(step.input)))) noConfig.set(step.config, `its config ${step.config} was not created`);
        break;
      case 'move': {
        const { move } = step;
        const blocked = noModel ?? noConfig.get(move.toConfig);
        if (blocked) {
          skip(step, blocked);
          unmoved++;
        } else {
          const moved = await run(step, async () => {
            if (move.update) await effects.updateEndpoint(move.update);
            return waitInService(effects, move.endpoint, move.toConfig, wait);
          });
          if (!moved) unmoved++;
        }
        break;
      }
      default: {
        const why = noModel ?? (unmoved > 0 ? `${unmoved} of ${plan.moves.length} endpoint(s) did not move to ${plan.newModelName}` : failed > 0 ? 'an earlier step failed' : null);
        if (why) skip(step, why);
        else if (step.kind === 'mark-replaced') await run(step, () => effects.tagModel(plan.model.arn, [{ Key: plan.markReplaced.key, Value: plan.markReplaced.value }]));
        else if (step.kind === 'delete-config') await run(step, () => effects.deleteEndpointConfig(step.name));
        // Only when every config naming it went: a config left behind would name a deleted model.
        else await run(step, () => effects.deleteModel(step.name));
      }
    }
  }
  return { steps, ok: steps.every((step) => step.status === 'done') };
}
