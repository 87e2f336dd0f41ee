import { DescribeModelCommand, ListModelsCommand, ListTagsCommand, type SageMakerClient } from '@aws-sdk/client-sagemaker';
import { isModelNotFound } from '../aws/sagemaker-errors.js';
import type { DescribedModel } from '../decision/decide-described-model.js';

/** Every model name in a region: ListModels, every page (100 a page, the API's most). */
export async function* listModelNames(sagemaker: SageMakerClient): AsyncGenerator<string> {
  let NextToken: string | undefined;
  do {
    const page = await sagemaker.send(new ListModelsCommand({ MaxResults: 100, NextToken }));
    for (const model of page.Models ?? []) if (model.ModelName) yield model.ModelName;
    NextToken = page.NextToken;
  } while (NextToken);
}

/**
 * One DescribeModel and one ListTags for a model (ListTags pages only past 100 tags). Null when
 * the model was deleted between the listing and now: gone is not an error.
 */
export async function inspectModel(sagemaker: SageMakerClient, modelName: string, region: string): Promise<(DescribedModel & { raw: Record<string, unknown> }) | null> {
  try {
    const described = await sagemaker.send(new DescribeModelCommand({ ModelName: modelName }));
    const modelArn = described.ModelArn ?? '';
    const tags: Record<string, string> = {};
    let NextToken: string | undefined;
    do {
      const page = await sagemaker.send(new ListTagsCommand({ ResourceArn: modelArn, MaxResults: 100, NextToken }));
      for (const tag of page.Tags ?? []) if (tag.Key) tags[tag.Key] = tag.Value ?? '';
      NextToken = page.NextToken;
    } while (NextToken);
    const { $metadata: _metadata, ...raw } = described;
    return {
      modelName,
      modelArn,
      account: modelArn.split(':')[4] || null,
      region,
      creationTime: described.CreationTime ? described.CreationTime.toISOString() : null,
      enableNetworkIsolation: described.EnableNetworkIsolation,
      tags,
      raw: JSON.parse(JSON.stringify(raw)) as Record<string, unknown>,
    };
  } catch (error) {
    if (isModelNotFound(error)) return null;
    throw error;
  }
}

/** Runs `work` over `items` with at most `limit` at once, keeping order in the results. */
export async function mapBounded<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
