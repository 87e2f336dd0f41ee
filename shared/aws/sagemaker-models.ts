import {
  AddTagsCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  DeleteEndpointConfigCommand,
  DeleteModelCommand,
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeModelCommand,
  UpdateEndpointCommand,
  paginateListEndpointConfigs,
  paginateListEndpoints,
  paginateListModels,
  paginateListTags,
  type CreateEndpointConfigInput,
  type CreateModelInput,
  type DescribeEndpointConfigOutput,
  type ProductionVariant,
  type SageMakerClient,
  type UpdateEndpointInput,
} from '@aws-sdk/client-sagemaker';
import type { SageMakerModel } from '../model/sagemaker-model.js';
import { isModelNotFound } from './sagemaker-errors.js';

export type { CreateEndpointConfigInput, CreateModelInput, ProductionVariant, SageMakerClient, UpdateEndpointInput };

/**
 * The SageMaker adapter: the one place that calls SageMaker. Enforce, sweep and the audit all read
 * a model through `describeModel`, so they see the same shape; the remediation actions and `fix`
 * act through the functions below. (The SDK tree-shakes per command: a bundle carries the commands
 * it calls.)
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

/** DeleteModel. A model already gone throws the SDK's error (`isModelNotFound` tells it). */
export async function deleteModel(sagemaker: SageMakerClient, name: string): Promise<void> {
  await sagemaker.send(new DeleteModelCommand({ ModelName: name }));
}

/** AddTags (overwrites the same keys: running it twice is harmless). */
export async function tagResource(sagemaker: SageMakerClient, arn: string, tags: Array<{ Key: string; Value: string }>): Promise<void> {
  await sagemaker.send(new AddTagsCommand({ ResourceArn: arn, Tags: tags }));
}

export async function createModel(sagemaker: SageMakerClient, input: CreateModelInput): Promise<void> {
  await sagemaker.send(new CreateModelCommand(input));
}

export async function createEndpointConfig(sagemaker: SageMakerClient, input: CreateEndpointConfigInput): Promise<void> {
  await sagemaker.send(new CreateEndpointConfigCommand(input));
}

export async function updateEndpoint(sagemaker: SageMakerClient, input: UpdateEndpointInput): Promise<void> {
  await sagemaker.send(new UpdateEndpointCommand(input));
}

export async function deleteEndpointConfig(sagemaker: SageMakerClient, name: string): Promise<void> {
  await sagemaker.send(new DeleteEndpointConfigCommand({ EndpointConfigName: name }));
}

/** An endpoint's status, its current config and why it failed (when it did). */
export async function describeEndpoint(sagemaker: SageMakerClient, name: string): Promise<{ status: string; configName: string | null; failureReason: string | null }> {
  const described = await sagemaker.send(new DescribeEndpointCommand({ EndpointName: name }));
  return { status: described.EndpointStatus ?? 'Unknown', configName: described.EndpointConfigName ?? null, failureReason: described.FailureReason ?? null };
}

/** Every endpoint config of the region, described (ListEndpointConfigs, every page, then DescribeEndpointConfig each). */
export async function* describeEndpointConfigs(sagemaker: SageMakerClient): AsyncGenerator<Omit<DescribeEndpointConfigOutput, '$metadata'>> {
  for await (const page of paginateListEndpointConfigs({ client: sagemaker, pageSize: 100 }, {})) {
    for (const summary of page.EndpointConfigs ?? []) {
      if (!summary.EndpointConfigName) continue;
      const { $metadata: _metadata, ...config } = await sagemaker.send(new DescribeEndpointConfigCommand({ EndpointConfigName: summary.EndpointConfigName }));
      yield config;
    }
  }
}

/** Every endpoint of the region with its current config and status (ListEndpoints, every page, then DescribeEndpoint each). */
export async function* describeEndpoints(sagemaker: SageMakerClient): AsyncGenerator<{ name: string; configName: string | null; status: string }> {
  for await (const page of paginateListEndpoints({ client: sagemaker, pageSize: 100 }, {})) {
    for (const summary of page.Endpoints ?? []) {
      if (!summary.EndpointName) continue;
      const described = await describeEndpoint(sagemaker, summary.EndpointName);
      yield { name: summary.EndpointName, configName: described.configName, status: described.status };
    }
  }
}
