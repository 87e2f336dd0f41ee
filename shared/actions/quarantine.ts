import { isModelNotFound } from '../aws/sagemaker-errors.js';
import { tagResource } from '../aws/sagemaker-models.js';
import type { RemediationAction } from './remediation-action.js';
import { QUARANTINE_TAG, QUARANTINE_VALUE, QUARANTINED_AT_TAG } from '../model/tags.js';

/**
 * Tags the model as quarantined. The tag is what endpoint-creation guards (an SCP or IAM condition
 * on `aws:ResourceTag/isolation-guard:quarantine`) and people key on; AddTags overwrites the same
 * keys, so running it twice is harmless.
 */
export const quarantineAction: RemediationAction = {
  kind: 'quarantine',
  summary: `tag the model ${QUARANTINE_TAG}=${QUARANTINE_VALUE}`,
  iamActions: ['sagemaker:AddTags'],
  async run(sagemaker, target, now) {
    try {
      await tagResource(sagemaker, target.modelArn, [
        { Key: QUARANTINE_TAG, Value: QUARANTINE_VALUE },
        { Key: QUARANTINED_AT_TAG, Value: now.toISOString() },
      ]);
      return { status: 'done', detail: `Tagged ${QUARANTINE_TAG}=${QUARANTINE_VALUE}.` };
    } catch (error) {
      if (isModelNotFound(error)) return { status: 'already-done', detail: 'The model no longer exists: nothing to quarantine.' };
      throw error;
    }
  },
};
