import { partition } from '@aws-sdk/core/client';

// Apart from regions.ts: the SDK's partition data is loaded only by what checks a region given
// (the CLI's options), not by every command that lists regions (an offline audit loads no SDK).

/**
 * A region AWS lists in one of its partitions (aws, aws-cn, aws-us-gov, ...), from the SDK's own
 * endpoint data: `eu-westt-1` is not one (the SDK would build an endpoint for it and fail later, on
 * a DNS error or an HTML page).
 */
export const isKnownRegion = (region: string): boolean => 'description' in partition(region);

/** The entries of a region list (`all` aside) that are not regions AWS lists. */
export const unknownRegions = (regions: readonly string[]): string[] => regions.filter((region) => region !== 'all' && !isKnownRegion(region));
