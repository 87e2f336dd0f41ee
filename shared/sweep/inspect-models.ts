import { DescribeModelCommand, paginateListModels, paginateListTags, type SageMakerClient } from '@aws-sdk/client-sagemaker';
import { isModelNotFound } from '../aws/sagemaker-errors.js';
import type { DescribedModel } from '../decision/decide-described-model.js';

/** A model as ListModels shows it: its name, and the ARN that ListTags needs (no DescribeModel required). */
export interface ListedModel {
  name: string;
  arn: string | null;
}

/** Every model in a region: ListModels, every page (100 a page, the API's most). */
export async function* listModels(sagemaker: SageMakerClient): AsyncGenerator<ListedModel> {
  for await (const page of paginateListModels({ client: sagemaker, pageSize: 100 }, {})) {
    for (const model of page.Models ?? []) if (model.ModelName) yield { name: model.ModelName, arn: model.ModelArn ?? null };
  }
}

/** Every model name in a region. */
export async function* listModelNames(sagemaker: SageMakerClient): AsyncGenerator<string> {
  for await (const model of listModels(sagemaker)) yield model.name;
}

/**
 * One DescribeModel and one ListTags for a model (ListTags pages only past 100 tags). Null when
 * the model was deleted between the listing and now: gone is not an error.
 */
export async function inspectModel(
  sagemaker: SageMakerClient,
  modelName: string,
  region: string,
  listedArn: string | null = null,
): Promise<(DescribedModel & { raw: Record<string, unknown> }) | null> {
  try {
    const described = await sagemaker.send(new DescribeModelCommand({ ModelName: modelName }));
    // The ARN ListModels gave is the model's; DescribeModel's is the same when present.
    const modelArn = listedArn ?? described.ModelArn ?? '';
    const tags: Record<string, string> = {};
    for await (const page of paginateListTags({ client: sagemaker, pageSize: 100 }, { ResourceArn: modelArn })) {
      for (const tag of page.Tags ?? []) if (tag.Key) tags[tag.Key] = tag.Value ?? '';
    }
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
