import { QUARANTINE_TAG } from '../model/tags.js';
import type { DecidedCreateModel } from '../model/decision.js';
import { mapBounded } from '../model/concurrency.js';
import { describeModel } from '../aws/sagemaker-models.js';
import { isIsolated } from '../model/sagemaker-model.js';
import type { SageMakerClient } from '../aws/sagemaker-models.js';
import { modelNowKey, type ModelNow } from './audit-report.js';

/** A model whose account or region could not be read: neither "exists" nor "gone". */
const UNKNOWN: ModelNow = { exists: null, isolated: null, quarantined: null };

/**
 * What each model created in the period looks like today, in its own account and region (member
 * accounts through the member role: `sagemakerFor`): one DescribeModel and one ListTags per
 * distinct model (account, region, name; not per call), a few at once. A model that cannot be
 * looked up (the member role refused, no permission, the call failed) is "unknown", never gone.
 */
export async function lookUpModelsNow(
  calls: ReadonlyArray<Pick<DecidedCreateModel, 'decision'>>,
  sagemakerFor: (where: { account: string | null; region: string }) => SageMakerClient | Promise<SageMakerClient>,
  concurrency = 8,
): Promise<Map<string, ModelNow>> {
  const targets = new Map<string, { account: string | null; region: string; name: string }>();
  for (const { decision } of calls) {
    if (decision.succeeded && decision.modelName) {
      targets.set(modelNowKey(decision), { account: decision.account, region: decision.region, name: decision.modelName });
    }
  }
  const found = new Map<string, ModelNow>();
  await mapBounded([...targets.entries()], concurrency, async ([key, { account, region, name }]) => {
    try {
      const model = await describeModel(await sagemakerFor({ account, region }), name, { region, listTags: true });
      found.set(
        key,
        model.exists
          ? { exists: true, isolated: isIsolated(model), quarantined: model.tags[QUARANTINE_TAG] !== undefined }
          : { exists: false, isolated: null, quarantined: null },
      );
    } catch {
      // Unknown today: not counted either way.
      found.set(key, UNKNOWN);
    }
  });
  return found;
}
