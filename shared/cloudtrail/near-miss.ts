import { distance } from 'fastest-levenshtein';
import { CLOUDTRAIL_API_CALL_DETAIL_TYPE, CREATE_MODEL, SAGEMAKER_EVENT_SOURCE } from './record.js';
import { isObject } from '../model/is-object.js';

/**
 * Why a skipped record looks almost like a SageMaker CreateModel call (an event-name typo, another
 * case, a `detail-type` in another case or spacing), or null when it is plainly something else.
 * Such records are skipped, as CloudTrail and EventBridge would never send them; they are counted
 * and named, because a hand-made or converted input that holds only near misses is a broken input,
 * not a compliant one.
 */
export function nearMiss(value: unknown): string | null {
  if (!isObject(value)) return null;
  if ('detail-type' in value && 'detail' in value) {
    const type = value['detail-type'];
    if (typeof type === 'string' && type !== CLOUDTRAIL_API_CALL_DETAIL_TYPE && type.replace(/\s+/g, ' ').trim().toLowerCase() === CLOUDTRAIL_API_CALL_DETAIL_TYPE.toLowerCase()) {
      return `detail-type ${JSON.stringify(type)} is not ${JSON.stringify(CLOUDTRAIL_API_CALL_DETAIL_TYPE)}`;
    }
    return nearMiss(value.detail);
  }
  const source = value.eventSource;
  const name = value.eventName;
  if (typeof source !== 'string' || typeof name !== 'string') return null;
  if (source === SAGEMAKER_EVENT_SOURCE && name === CREATE_MODEL) return null;
  const sourceClose = source.trim().toLowerCase() === SAGEMAKER_EVENT_SOURCE;
  const nameClose = distance(name.trim().toLowerCase(), CREATE_MODEL.toLowerCase()) <= 2;
  if (!sourceClose || !nameClose) return null;
  return `eventSource ${JSON.stringify(source)}, eventName ${JSON.stringify(name)}: nearly a SageMaker CreateModel call, but not one`;
}
