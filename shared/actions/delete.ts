import { isModelNotFound } from '../aws/sagemaker-errors.js';
import { deleteModel } from '../aws/sagemaker-models.js';
import type { RemediationAction } from './remediation-action.js';

/**
 * Deletes the model. Network isolation cannot be turned on after creation, so delete and recreate
 * is the only fix; the pipeline runs this only after the SNS alert has recorded the DescribeModel
 * output needed to recreate it, and never in dry run.
 */
export const deleteAction: RemediationAction = {
  kind: 'delete',
  summary: 'delete the model (recreate it with EnableNetworkIsolation=true)',
  iamActions: ['sagemaker:DeleteModel'],
  async run(sagemaker, target) {
    try {
      await deleteModel(sagemaker, target.modelName);
      return { status: 'done', detail: 'Deleted the model; the alert holds its DescribeModel output to recreate it with isolation on.' };
    } catch (error) {
      if (isModelNotFound(error)) return { status: 'already-done', detail: 'The model no longer exists: nothing to delete.' };
      throw error;
    }
  },
};
