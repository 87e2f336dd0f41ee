/**
 * Regions of the aws partition where SageMaker is offered, for `--regions all`. A list rather than
 * a lookup: the SSM public parameters that list them are not readable in every account, and a
 * sweep must not silently cover fewer regions than asked. Extend it when SageMaker opens one. An
 * account sees only the regions it has enabled (`enabledRegions` in accounts.ts): the others are "not enabled".
 */
export const SAGEMAKER_REGIONS = [
  'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2',
  'af-south-1',
  'ap-east-1', 'ap-south-1', 'ap-south-2', 'ap-southeast-1', 'ap-southeast-2', 'ap-southeast-3', 'ap-southeast-4', 'ap-southeast-5', 'ap-southeast-7',
  'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3',
  'ca-central-1', 'ca-west-1',
  'eu-central-1', 'eu-central-2', 'eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-north-1', 'eu-south-1', 'eu-south-2',
  'il-central-1', 'me-south-1', 'me-central-1', 'mx-central-1', 'sa-east-1',
] as const;

/** `regions=all` asked for. */
export const isAllRegions = (requested: readonly string[]): boolean => requested.length === 1 && requested[0] === 'all';

/** `all` → every SageMaker region; empty → the fallback (the current region). */
export function resolveRegions(requested: readonly string[], fallback: string): string[] {
  if (isAllRegions(requested)) return [...SAGEMAKER_REGIONS];
  return requested.length > 0 ? [...new Set(requested)] : [fallback];
}

/**
 * The errors an account's call answers with in a region it has not enabled (an opt-in region):
 * UnrecognizedClientException (JSON protocols) or InvalidClientTokenId (query and REST protocols).
 * Such a region is "not enabled", listed as such, not an error.
 */
const NOT_ENABLED = new Set(['UnrecognizedClientException', 'InvalidClientTokenId']);
export const isRegionNotEnabled = (error: unknown): boolean => NOT_ENABLED.has((error as { name?: string } | null)?.name ?? '');
