import { QUARANTINE_TAG, REPLACED_BY_TAG } from '../model/tags.js';
import { decideDescribedModel } from '../decision/decide-described-model.js';
import { sendExpiryReminders } from '../governance/expiry-reminders.js';
import { remediateAndAlert, type EnforcementDeps, type EnforcementSettings } from '../enforcement/pipeline.js';
import type { InventoryEntry, SweepResult } from '../model/inventory.js';
import { mapSettled } from '../model/concurrency.js';
import { describeModel, listModels, type ListedModel } from '../aws/sagemaker-models.js';
import { isIsolated } from '../model/sagemaker-model.js';
import { errorText } from '../model/error-text.js';
import { DEFAULT_PRIORITIES } from '../decision/priorities.js';
import { isRegionNotEnabled } from '../aws/regions.js';

export interface SweepOptions {
  regions: readonly string[];
  /** Accounts to sweep (member accounts through their role); absent or empty: this account. */
  accounts?: readonly string[];
  /** DescribeModel/ListTags in flight at once per region. */
  concurrency?: number;
  /** A violation is alerted again only after this many days (0: every sweep). */
  reminderDays: number;
  /**
   * Send the reminders of exceptions about to expire (default true). A fanned-out sweep's worker
   * passes false: its run's merge reminds once, over the models of every unit.
   */
  sendReminders?: boolean;
  onProgress?: (event: { region: string; done: number; total: number }) => void;
  /**
   * `regions=all`: the regions each account has enabled (null: unknown, every region is tried). A
   * region not enabled is listed as such (`notEnabled`), not read and not an error.
   */
  enabledRegionsOf?: (account: string | null) => Promise<ReadonlySet<string> | null>;
}

const MATTERING_TAG = /^(isolation-guard:|aws:cloudformation:stack-name$)/;

/** The ledger key: one alert (and one action) per model per reminder window. */
export function sweepKey(modelArn: string, now: Date, reminderDays: number): string {
  if (reminderDays <= 0) return `sweep:${modelArn}:${now.toISOString()}`;
  const window = Math.floor(now.getTime() / (reminderDays * 86_400_000));
  return `sweep:${modelArn}:w${window}`;
}

/**
 * Sweeps what exists: lists every model of each region, looks at each once (DescribeModel and
 * ListTags, bounded concurrency), decides with the core, and sends violations through the same
 * remediation and alert pipeline as `enforce`. A region that cannot be read is reported and the
 * others still are.
 */
export async function sweepModels(options: SweepOptions, settings: EnforcementSettings, deps: EnforcementDeps): Promise<SweepResult> {
  const startedAt = deps.now().toISOString();
  const result: SweepResult = { startedAt, finishedAt: startedAt, regions: [], models: [] };
  // Tags the report shows besides ours: classification, environment, and those the register's entries match on.
  const matteringTagKeys = new Set([
    settings.priorities?.classificationTagKey ?? DEFAULT_PRIORITIES.classificationTagKey,
    settings.priorities?.environmentTagKey ?? DEFAULT_PRIORITIES.environmentTagKey,
    ...settings.exemptions.flatMap((e) => (e.match?.tag ? [e.match.tag.split('=')[0]!] : [])),
    ...settings.exemptions.flatMap((e) => (e.kind === 'tag' ? [e.pattern.split('=')[0]!] : [])),
  ]);
  const accounts: Array<string | null> = options.accounts && options.accounts.length > 0 ? [...options.accounts] : [null];
  const enabled = new Map<string | null, ReadonlySet<string> | null>();
  for (const [account, region] of accounts.flatMap((a) => options.regions.map((r) => [a, r] as const))) {
    const where = account === null ? {} : { account };
    if (options.enabledRegionsOf && !enabled.has(account)) enabled.set(account, await options.enabledRegionsOf(account).catch(() => null));
    if (enabled.get(account)?.has(region) === false) {
      result.regions.push({ ...where, region, models: 0, error: null, notEnabled: true });
      continue;
    }
    try {
      // A member account whose role is missing or denied fails here: reported, the others go on.
      const sagemaker = await deps.sagemakerFor({ account, region });
      const listed: ListedModel[] = [];
      for await (const model of listModels(sagemaker)) listed.push(model);
      let done = 0;
      // Every model is waited for, whatever happens to the others: a model that cannot be read is
      // one row with its error, and every effect taken on the others is in the inventory.
      const settled = await mapSettled(listed, options.concurrency ?? 8, async ({ name, arn }) => {
        try {
          const model = await describeModel(sagemaker, name, { region, listTags: true, listedArn: arn });
          if (!model.exists) return null; // deleted since the listing
          const now = deps.now();
          const decided = decideDescribedModel(model, { exemptions: settings.exemptions, now, priorities: settings.priorities });
          const outcome = await remediateAndAlert(
            { key: sweepKey(model.arn, now, options.reminderDays), decided, model, sagemaker },
            settings,
            deps,
          );
          return {
            account: model.account,
            region,
            modelName: model.name,
            modelArn: model.arn,
            creationTime: model.creationTime,
            networkIsolation: isIsolated(model),
            verdict: outcome.decision.verdict,
            severity: outcome.decision.severity,
            classification: outcome.decision.classification,
            production: outcome.decision.production,
            exception: outcome.decision.exception,
            quarantined: model.tags[QUARANTINE_TAG] !== undefined || (outcome.action.kind === 'quarantine' && outcome.action.status === 'done'),
            tags: Object.fromEntries(Object.entries(model.tags).filter(([key]) => MATTERING_TAG.test(key) || matteringTagKeys.has(key))),
            reasons: outcome.decision.reasons,
            action: outcome.action,
            channels: outcome.channels,
            failures: outcome.failures,
            error: null,
          } satisfies InventoryEntry;
        } finally {
          options.onProgress?.({ region, done: ++done, total: listed.length });
        }
      });
      const present: InventoryEntry[] = [];
      settled.forEach((outcome, index) => {
        if (outcome.status === 'fulfilled') {
          if (outcome.value !== null) present.push(outcome.value);
        } else {
          present.push(unreadableEntry(listed[index]!, account, region, outcome.reason));
        }
      });
      markFixed(present);
      result.models.push(...present);
      result.regions.push({ ...where, region, models: present.length, error: null });
    } catch (error) {
      // An opt-in region the account has not enabled answers every call so: listed, not an error.
      result.regions.push({ ...where, region, models: 0, ...(isRegionNotEnabled(error) ? { error: null, notEnabled: true as const } : { error: errorText(error) }) });
    }
  }
  if (options.sendReminders ?? true) result.reminders = await sendExpiryReminders(settings.exemptions, result, deps);
  result.finishedAt = deps.now().toISOString();
  return result;
}


/** Sets `fixed` on the models of one account and region that an isolated model there replaced (`isolation-guard fix`). */
function markFixed(models: InventoryEntry[]): void {
  const isolated = new Set(models.filter((m) => m.networkIsolation && !m.error).map((m) => m.modelName));
  for (const model of models) {
    const replacement = model.tags[REPLACED_BY_TAG];
    model.fixed = !model.networkIsolation && replacement !== undefined && isolated.has(replacement);
  }
}

/** A model that could not be read: one row with its error, not proven isolated (as Prowler reports it: FAIL). */
function unreadableEntry(listed: ListedModel, account: string | null, region: string, reason: unknown): InventoryEntry {
  const error = errorText(reason);
  return {
    account: listed.arn?.split(':')[4] || account,
    region,
    modelName: listed.name,
    modelArn: listed.arn ?? '',
    creationTime: null,
    networkIsolation: false,
    verdict: 'violation',
    // Not read: no tags, so no class; a violation without a class is high.
    severity: 'high',
    classification: null,
    production: false,
    exception: null,
    quarantined: false,
    tags: {},
    reasons: [`Not proven isolated: the model could not be read (${error}).`],
    action: { kind: 'none', status: 'not-needed', detail: 'Nothing done: the model could not be read.' },
    channels: { sns: 'not-needed', slack: 'not-needed', finding: 'not-needed' },
    failures: {},
    error,
  };
}
