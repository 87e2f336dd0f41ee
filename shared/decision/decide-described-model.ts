import { QUARANTINE_TAG } from '../model/tags.js';
import type { DecidedCreateModel, Decision } from '../model/decision.js';
import { describeExemption, exceptionRef, findExemption, unappliedExemptionReasons, type Exemption } from './exemptions.js';
import { prioritize, type PrioritySettings } from './priorities.js';

/** A model as it exists now: DescribeModel and ListTags of one model. */
export interface DescribedModel {
  modelName: string;
  modelArn: string;
  account: string | null;
  region: string;
  creationTime: string | null;
  /** `EnableNetworkIsolation` from DescribeModel, as given (absent means false). */
  enableNetworkIsolation: unknown;
  tags: Record<string, string>;
}

/**
 * Decides a model that exists, with the same rules as a CreateModel call: only `true` is
 * compliant; tag and model-name exemptions apply (the creator's principal is not known from
 * DescribeModel, so principal exemptions cannot). Pure.
 */
export function decideDescribedModel(model: DescribedModel, options: { exemptions: readonly Exemption[]; now: Date; priorities?: PrioritySettings }): DecidedCreateModel {
  const isolated = model.enableNetworkIsolation === true;
  const reasons: string[] = [];
  let verdict: Decision['verdict'] = isolated ? 'compliant' : 'violation';
  reasons.push(isolated ? 'DescribeModel shows EnableNetworkIsolation true.' : 'DescribeModel shows EnableNetworkIsolation is not true: the model runs without network isolation.');
  if (!isolated && model.tags[QUARANTINE_TAG] !== undefined) reasons.push(`Already quarantined (tag ${QUARANTINE_TAG}).`);

  let exemption: Exemption | null = null;
  if (verdict === 'violation') {
    // A register entry that names a principal cannot match either: the creator is not known here.
    const match = findExemption(
      options.exemptions.filter((e) => e.kind !== 'principal'),
      { modelName: model.modelName, principalArns: [], tags: model.tags, account: model.account },
      options.now,
    );
    reasons.push(...unappliedExemptionReasons(match));
    if (match.active) {
      verdict = 'exempt';
      exemption = { ...match.active };
      reasons.push(`Exempt by ${describeExemption(match.active)}.`);
    }
  }
  const priority = prioritize(model.tags, verdict, options.priorities);
  return {
    decision: {
      eventId: null,
      eventTime: model.creationTime ?? options.now.toISOString(),
      account: model.account,
      region: model.region,
      modelName: model.modelName,
      modelArn: model.modelArn,
      principal: null,
      succeeded: true,
      networkIsolation: typeof model.enableNetworkIsolation === 'boolean' ? model.enableNetworkIsolation : false,
      verdict,
      reasons,
      severity: priority.severity,
      classification: priority.classification,
      production: priority.production,
      exception: exemption ? exceptionRef(exemption) : null,
    },
    context: { invokedBy: null, sourceIPAddress: null, userAgent: null, errorCode: null, tags: model.tags, exemption, classMode: priority.classMode },
  };
}
