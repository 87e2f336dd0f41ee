import { QUARANTINE_TAG } from '../model/tags.js';
import type { DecidedCreateModel } from '../model/decision.js';
import { mapBounded } from '../model/concurrency.js';
import { inspectModel } from '../sweep/inspect-models.js';
import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import type { ModelNow } from './audit-report.js';
import { remediationKey } from './collect.js';

/**
 * What each model created in the period looks like today: one DescribeModel and one ListTags per
 * distinct model (not per call), a few at once. A model that cannot be looked up (another
 * account, no permission) is left out rather than reported as gone.
 */
export async function lookUpModelsNow(
  calls: ReadonlyArray<Pick<DecidedCreateModel, 'decision'>>,
  sagemakerFor: (where: { account: string | null; region: string }) => SageMakerClient | Promise<SageMakerClient>,
  concurrency = 8,
): Promise<Map<string, ModelNow>> {
  const targets = new Map<string, { account: string | null; region: string; name: string }>();
  for (const { decision } of calls) {
    if (decision.succeeded && decision.modelName) {
      targets.set(remediationKey(decision.region, decision.modelName), { account: decision.account, region: decision.region, name: decision.modelName });
    }
  }
  const found = new Map<string, ModelNow>();
  await mapBounded([...targets.entries()], concurrency, async ([key, { account, region, name }]) => {
    try {
      const model = await inspectModel(await sagemakerFor({ account, region }), name, region);
      found.set(
        key,
        model === null
          ? { exists: false, isolated: null, quarantined: null }
          : { exists: true, isolated: model.enableNetworkIsolation === true, quarantined: model.tags[QUARANTINE_TAG] !== undefined },
      );
    } catch {
      // Unknown today: not counted either way.
    }
  });
  return found;
}
