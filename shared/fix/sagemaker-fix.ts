import {
  createEndpointConfig,
  createModel,
  deleteEndpointConfig,
  deleteModel,
  describeEndpoint,
  describeEndpointConfigs,
  describeEndpoints,
  describeModel,
  tagResource,
  updateEndpoint,
  type CreateEndpointConfigInput,
  type CreateModelInput,
  type SageMakerClient,
  type UpdateEndpointInput,
} from '../aws/sagemaker-models.js';
import type { DescribedModel, SageMakerModel } from '../model/sagemaker-model.js';
import type { EndpointConfigState, EndpointState, FixState } from './fix-plan.js';
import { isolatedName } from './fix-plan.js';

/**
 * The SageMaker side of `fix`: what it reads (the model, the region's endpoint configs and
 * endpoints) and the calls it makes, behind one interface so the apply step takes any adapter.
 */
export interface FixEffects {
  createModel(input: CreateModelInput): Promise<void>;
  createEndpointConfig(input: CreateEndpointConfigInput): Promise<void>;
  updateEndpoint(input: UpdateEndpointInput): Promise<void>;
  endpointStatus(name: string): Promise<{ status: string; configName: string | null; failureReason: string | null }>;
  tagModel(arn: string, tags: Array<{ Key: string; Value: string }>): Promise<void>;
  deleteEndpointConfig(name: string): Promise<void>;
  deleteModel(name: string): Promise<void>;
}

/** The state `planFix` needs; the model as `describeModel` returns it (gone: `exists: false`). */
export async function readFixState(
  sagemaker: SageMakerClient,
  modelName: string,
  region: string,
): Promise<{ model: SageMakerModel; state: FixState | null }> {
  const model = await describeModel(sagemaker, modelName, { region, listTags: true });
  if (!model.exists || model.enableNetworkIsolation === true) {
    return { model, state: model.exists ? { model, configs: [], endpoints: [], replacement: null } : null };
  }
  const replacement = await describeModel(sagemaker, isolatedName(modelName), { region, listTags: true });
  const configs: EndpointConfigState[] = [];
  for await (const config of describeEndpointConfigs(sagemaker)) configs.push(config as EndpointConfigState);
  const endpoints: EndpointState[] = [];
  for await (const endpoint of describeEndpoints(sagemaker)) endpoints.push(endpoint);
  return { model, state: { model, configs, endpoints, replacement: replacement.exists ? (replacement as DescribedModel) : null } };
}

/** The effects through one SageMaker client (the model's account and region). */
export function sagemakerFixEffects(sagemaker: SageMakerClient): FixEffects {
  return {
    createModel: (input) => createModel(sagemaker, input),
    createEndpointConfig: (input) => createEndpointConfig(sagemaker, input),
    updateEndpoint: (input) => updateEndpoint(sagemaker, input),
    endpointStatus: (name) => describeEndpoint(sagemaker, name),
    tagModel: (arn, tags) => tagResource(sagemaker, arn, tags),
    deleteEndpointConfig: (name) => deleteEndpointConfig(sagemaker, name),
    deleteModel: (name) => deleteModel(sagemaker, name),
  };
}
