import { QUARANTINE_TAG } from '../model/tags.js';
import type { DecidedCreateModel } from '../model/decision.js';
import { isIsolated, type DescribedModel } from '../model/sagemaker-model.js';
import { applyExemptions, exemptionReasons, type Exemption } from './exemptions.js';
import type { PrioritySettings } from './priorities.js';
import { ranking } from './ranking.js';

/**
 * Decides a model that exists, with the same rules as a CreateModel call: only `true` is
 * compliant; tag and model-name exemptions apply (the creator's principal is not known from
 * DescribeModel, so principal exemptions cannot). Pure.
 */
export function decideDescribedModel(model: DescribedModel, options: { exemptions: readonly Exemption[]; now: Date; priorities?: PrioritySettings }): DecidedCreateModel {
  const isolated = isIsolated(model);
  const reasons: string[] = [];
  reasons.push(isolated ? 'DescribeModel shows EnableNetworkIsolation true.' : 'DescribeModel shows EnableNetworkIsolation is not true: the model runs without network isolation.');
  if (!isolated && model.tags[QUARANTINE_TAG] !== undefined) reasons.push(`Already quarantined (tag ${QUARANTINE_TAG}).`);

  // A register entry that names a principal cannot match either: the creator is not known here.
  const exempted = applyExemptions(
    isolated ? 'compliant' : 'violation',
    options.exemptions.filter((e) => e.kind !== 'principal'),
    { modelName: model.name, principalArns: [], tags: model.tags, account: model.account },
    options.now,
  );
  const { verdict, exemption } = exempted;
  reasons.push(...exemptionReasons(exempted));
  const ranked = ranking(model.tags, verdict, exemption, options.priorities);
  return {
    decision: {
      eventId: null,
      eventTime: model.creationTime ?? options.now.toISOString(),
      account: model.account,
      region: model.region,
      modelName: model.name,
      modelArn: model.arn,
      principal: null,
      succeeded: true,
      networkIsolation: isolated,
      verdict,
      reasons,
      ...ranked.fields,
    },
    context: { invokedBy: null, sourceIPAddress: null, userAgent: null, errorCode: null, tags: model.tags, exemption, classMode: ranked.classMode },
  };
}
