import { CREATE_MODEL, SAGEMAKER_EVENT_SOURCE, UserIdentitySchema, type CreateModelRecord } from './record.js';

/**
 * A CreateModel record that failed validation (a missing or malformed field), read leniently so
 * that enforcement can still alert on it: a security control fails closed, so such a record is a
 * violation with the field as its reason, never a silent validation error. Each field that does
 * not have its expected shape is dropped (or, for the time and region, taken from the fallback).
 * Null when the value is not a SageMaker CreateModel call at all.
 */
export function lenientCreateModelRecord(value: unknown, fallback: { now: Date; region: string }): CreateModelRecord | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const raw = value as Record<string, unknown>;
  if (raw.eventSource !== SAGEMAKER_EVENT_SOURCE || raw.eventName !== CREATE_MODEL) return null;
  const text = (field: unknown): string | null => (typeof field === 'string' && field !== '' ? field : null);
  const eventTime = text(raw.eventTime);
  const identity = UserIdentitySchema.safeParse(raw.userIdentity);
  const account = text(raw.recipientAccountId);
  const region = text(raw.awsRegion);
  return {
    eventVersion: text(raw.eventVersion),
    eventID: text(raw.eventID),
    eventTime: eventTime !== null && Number.isFinite(Date.parse(eventTime)) ? eventTime : fallback.now.toISOString(),
    eventSource: SAGEMAKER_EVENT_SOURCE,
    eventName: CREATE_MODEL,
    awsRegion: region !== null && /^[a-z]{2}(-[a-z]+)+-\d$/.test(region) ? region : fallback.region,
    userIdentity: identity.success ? identity.data : null,
    sourceIPAddress: text(raw.sourceIPAddress),
    userAgent: text(raw.userAgent),
    // A malformed errorCode does not make the call a failed one: fail closed.
    errorCode: text(raw.errorCode),
    errorMessage: text(raw.errorMessage),
    requestParameters: raw.requestParameters,
    responseElements: raw.responseElements,
    recipientAccountId: account !== null && /^\d{12}$/.test(account) ? account : null,
    requestID: text(raw.requestID),
  };
}
