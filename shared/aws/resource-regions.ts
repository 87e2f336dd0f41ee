/**
 * A topic, queue or table named by ARN or URL lives in one region, whatever AWS_REGION says: its
 * client must be made for that region (`enforce --topic-arn arn:aws:sns:eu-west-1:...` from a shell
 * set to us-east-1). Pure: reads the names only.
 */
const ARN_REGION = /^arn:[\w-]+:[\w-]+:([a-z]{2}(?:-[a-z]+)+-\d+):/;
/** `https://sqs.eu-west-1.amazonaws.com/123456789012/name` (and the legacy `eu-west-1.queue.amazonaws.com`). */
const QUEUE_URL_REGION = /^https?:\/\/(?:sqs\.([a-z]{2}(?:-[a-z]+)+-\d+)|([a-z]{2}(?:-[a-z]+)+-\d+)\.queue)\.amazonaws\.com(?:\.cn)?\//;

export const regionOfArn = (arn: string | null | undefined): string | undefined => (arn ? ARN_REGION.exec(arn)?.[1] : undefined);

function regionOfQueueUrl(url: string | null | undefined): string | undefined {
  if (!url) return undefined;
  if (url.startsWith('arn:')) return regionOfArn(url);
  const match = QUEUE_URL_REGION.exec(url);
  return match?.[1] ?? match?.[2];
}

/** `arn:aws:dynamodb:eu-west-1:123456789012:table/ledger` → `ledger`; a plain name stays as it is. */
export const tableNameOf = (nameOrArn: string): string => (/^arn:[\w-]+:dynamodb:/.test(nameOrArn) ? nameOrArn.replace(/^.*:table\//, '').split('/')[0]! : nameOrArn);

export interface ResourceRegions {
  sns?: string;
  sqs?: string;
  dynamodb?: string;
}

/** The regions the names imply; an explicit `--region` overrides them all. */
export function resourceRegions(
  names: { topicArn?: string | null; queueUrl?: string | null; table?: string | null },
  explicitRegion: string | null,
): ResourceRegions {
  if (explicitRegion) return {};
  const found: ResourceRegions = { sns: regionOfArn(names.topicArn), sqs: regionOfQueueUrl(names.queueUrl), dynamodb: regionOfArn(names.table) };
  return Object.fromEntries(Object.entries(found).filter(([, region]) => region !== undefined)) as ResourceRegions;
}
