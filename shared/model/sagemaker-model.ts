/**
 * A SageMaker model as it is now, the one shape every use case reads (enforce confirms with it,
 * sweep decides it, the audit reports it): what DescribeModel showed, plus ListTags when it was
 * asked for. A model that no longer exists is a value (`exists: false`), not an error.
 * Made by `describeModel` (shared/aws/sagemaker-models.ts).
 */
export type SageMakerModel = DescribedModel | GoneModel;

/** A model DescribeModel found. */
export interface DescribedModel {
  exists: true;
  name: string;
  /** The model's ARN (DescribeModel's, or the one ListModels gave: the same). */
  arn: string;
  account: string | null;
  region: string;
  /** DescribeModel's CreationTime (ISO), when known: tells a recreated model from the one an event created. */
  creationTime: string | null;
  /** `EnableNetworkIsolation` from DescribeModel, as given (absent means false): only `true` is isolated. */
  enableNetworkIsolation: unknown;
  /** ListTags' tags when they were read; empty when not (enforce takes tags from the CloudTrail request). */
  tags: Record<string, string>;
  /** The DescribeModel output, kept so a deleted model can be recreated with isolation on. */
  raw: Record<string, unknown>;
}

/** A model DescribeModel does not find: deleted (or never there). */
export interface GoneModel {
  exists: false;
  name: string;
  region: string;
}

/** True only when the model exists and DescribeModel gave the boolean `true` (fail closed). */
export function isIsolated(model: SageMakerModel): boolean {
  return model.exists && model.enableNetworkIsolation === true;
}
