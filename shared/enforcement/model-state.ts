import { DescribeModelCommand, type SageMakerClient } from '@aws-sdk/client-sagemaker';
import { isModelNotFound } from '../aws/sagemaker-errors.js';
import type { ModelState } from '../model/outcome.js';

/**
 * Looks at the model as it is now (one DescribeModel). Tags come from the CloudTrail request,
 * which CloudFormation and the SDKs fill in; no ListTags, so the role needs no more than the
 * three model actions.
 */
export async function describeModelState(sagemaker: SageMakerClient, modelName: string): Promise<ModelState> {
  try {
    const output = await sagemaker.send(new DescribeModelCommand({ ModelName: modelName }));
    const { $metadata: _metadata, ...description } = output;
    return {
      exists: true,
      networkIsolation: typeof output.EnableNetworkIsolation === 'boolean' ? output.EnableNetworkIsolation : false,
      tags: {},
      description: JSON.parse(JSON.stringify(description)) as Record<string, unknown>,
      creationTime: output.CreationTime instanceof Date ? output.CreationTime.toISOString() : null,
    };
  } catch (error) {
    if (isModelNotFound(error)) return { exists: false, networkIsolation: null, tags: {}, description: null };
    throw error;
  }
}
