import {
  AddTagsCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  DeleteEndpointConfigCommand,
  DeleteModelCommand,
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  UpdateEndpointCommand,
  paginateListEndpointConfigs,
  paginateListEndpoints,
  type CreateEndpointConfigInput,
  type CreateModelInput,
  type SageMakerClient,
  type UpdateEndpointInput,
} from '@aws-sdk/client-sagemaker';
import { describeModel } from '../aws/sagemaker-models.js';
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
  for await (const page of paginateListEndpointConfigs({ client: sagemaker, pageSize: 100 }, {})) {
    for (const summary of page.EndpointConfigs ?? []) {
      if (!summary.EndpointConfigName) continue;
      const { $metadata: _metadata, ...config } = await sagemaker.send(new DescribeEndpointConfigCommand({ EndpointConfigName: summary.EndpointConfigName }));
      configs.push(config as EndpointConfigState);
    }
  }
  const endpoints: EndpointState[] = [];
  for await (const page of paginateListEndpoints({ client: sagemaker, pageSize: 100 }, {})) {
    for (const summary of page.Endpoints ?? []) {
      if (!summary.EndpointName) continue;
      const described = await sagemaker.send(new DescribeEndpointCommand({ EndpointName: summary.EndpointName }));
      endpoints.push({ name: summary.EndpointName, configName: described.EndpointConfigName ?? null, status: described.EndpointStatus ?? 'Unknown' });
    }
  }
  return { model, state: { model, configs, endpoints, replacement: replacement.exists ? (replacement as DescribedModel) : null } };
}

/** The effects through one SageMaker client (the model's account and region). */
export function sagemakerFixEffects(sagemaker: SageMakerClient): FixEffects {
  return {
    async createModel(input) {
      await sagemaker.send(new CreateModelCommand(input));
    },
    async createEndpointConfig(input) {
      await sagemaker.send(new CreateEndpointConfigCommand(input));
    },
    async updateEndpoint(input) {
      await sagemaker.send(new UpdateEndpointCommand(input));
    },
    async endpointStatus(name) {
      const described = await sagemaker.send(new DescribeEndpointCommand({ EndpointName: name }));
      return { status: described.EndpointStatus ?? 'Unknown', configName: described.EndpointConfigName ?? null, failureReason: described.FailureReason ?? null };
    },
    async tagModel(arn, tags) {
      await sagemaker.send(new AddTagsCommand({ ResourceArn: arn, Tags: tags }));
    },
    async deleteEndpointConfig(name) {
      await sagemaker.send(new DeleteEndpointConfigCommand({ EndpointConfigName: name }));
    },
    async deleteModel(name) {
      await sagemaker.send(new DeleteModelCommand({ ModelName: name }));
    },
  };
}
