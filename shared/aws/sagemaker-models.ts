import { DescribeModelCommand, paginateListModels, paginateListTags, type SageMakerClient } from '@aws-sdk/client-sagemaker';
import type { SageMakerModel } from '../model/sagemaker-model.js';
import { isModelNotFound } from './sagemaker-errors.js';

/**
 * The SageMaker models adapter: the one place that lists and describes models. Enforce, sweep
 * and the audit all read a model through `describeModel`, so they see the same shape.
 */

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

export interface DescribeModelOptions {
  /** The region the client is for: the model's. */
  region: string;
  /**
   * Also read the tags (ListTags, paged only past 100 tags). Off for enforce, which takes the tags
   * from the CloudTrail request, so its role needs DescribeModel and no more.
   */
  listTags: boolean;
  /** The ARN ListModels gave, when known: ListTags needs it; DescribeModel's is the same. */
  listedArn?: string | null;
}

/**
 * One DescribeModel (and ListTags when asked). A model deleted before or between the calls is
 * `{ exists: false }`: gone is not an error. Any other failure (throttled, denied) throws.
 */
export async function describeModel(sagemaker: SageMakerClient, name: string, options: DescribeModelOptions): Promise<SageMakerModel> {
  const { region } = options;
  try {
    const described = await sagemaker.send(new DescribeModelCommand({ ModelName: name }));
    const arn = options.listedArn ?? described.ModelArn ?? '';
    const tags: Record<string, string> = {};
    if (options.listTags) {
      for await (const page of paginateListTags({ client: sagemaker, pageSize: 100 }, { ResourceArn: arn })) {
        for (const tag of page.Tags ?? []) if (tag.Key) tags[tag.Key] = tag.Value ?? '';
      }
    }
    const { $metadata: _metadata, ...raw } = described;
    return {
      exists: true,
      name,
      arn,
      account: arn.split(':')[4] || null,
      region,
      creationTime: described.CreationTime instanceof Date ? described.CreationTime.toISOString() : null,
      enableNetworkIsolation: described.EnableNetworkIsolation,
      tags,
      raw: JSON.parse(JSON.stringify(raw)) as Record<string, unknown>,
    };
  } catch (error) {
    if (isModelNotFound(error)) return { exists: false, name, region };
    throw error;
  }
}
