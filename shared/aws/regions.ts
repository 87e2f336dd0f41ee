import { partition } from '@aws-sdk/core/client';

/**
 * Regions of the aws partition where SageMaker is offered, for `--regions all`. A list rather than
 * a lookup: the SSM public parameters that list them are not readable in every account, and a
 * sweep must not silently cover fewer regions than asked. Extend it when SageMaker opens one.
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

/** `all` → every SageMaker region; empty → the fallback (the current region). */
export function resolveRegions(requested: readonly string[], fallback: string): string[] {
  if (requested.length === 1 && requested[0] === 'all') return [...SAGEMAKER_REGIONS];
  return requested.length > 0 ? [...new Set(requested)] : [fallback];
}

/**
 * A region AWS lists in one of its partitions (aws, aws-cn, aws-us-gov, ...), from the SDK's own
 * endpoint data: `eu-westt-1` is not one (the SDK would build an endpoint for it and fail later, on
 * a DNS error or an HTML page).
 */
export const isKnownRegion = (region: string): boolean => 'description' in partition(region);

/** The entries of a region list (`all` aside) that are not regions AWS lists. */
export const unknownRegions = (regions: readonly string[]): string[] => regions.filter((region) => region !== 'all' && !isKnownRegion(region));
