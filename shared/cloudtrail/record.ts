import { z } from 'zod';

/**
 * The CloudTrail record fields this project relies on. Schemas are loose (unknown fields pass
 * through: CloudTrail adds fields over time) and strict about what a decision is built from.
 * Field meanings: https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
 */

const optionalString = z.string().nullish();

export const UserIdentitySchema = z.looseObject({
  type: optionalString,
  principalId: optionalString,
  arn: optionalString,
  accountId: optionalString,
  userName: optionalString,
  invokedBy: optionalString,
  sessionContext: z
    .looseObject({
      sessionIssuer: z.looseObject({ arn: optionalString, userName: optionalString }).nullish(),
    })
    .nullish(),
});

/**
 * A CreateModel record. `requestParameters` stays `unknown` on purpose: it is null on denied
 * calls, may be truncated, and its `enableNetworkIsolation` may be anything; the decision reads it
 * defensively and fails closed.
 */
export const CreateModelRecordSchema = z.looseObject({
  eventVersion: optionalString,
  // eventVersion 1.0 records have no eventID.
  eventID: optionalString,
  eventTime: z.iso.datetime({ offset: true, message: 'expected an ISO 8601 date-time' }),
  eventSource: z.literal('sagemaker.amazonaws.com'),
  eventName: z.literal('CreateModel'),
  awsRegion: z.string().min(1, 'expected a region'),
  userIdentity: UserIdentitySchema.nullish(),
  sourceIPAddress: optionalString,
  userAgent: optionalString,
  errorCode: optionalString,
  errorMessage: optionalString,
  requestParameters: z.unknown(),
  responseElements: z.unknown(),
  // An account id is 12 digits; anything else is an input problem, not an account.
  recipientAccountId: z.string().regex(/^\d{12}$/, 'expected a 12-digit account id').nullish(),
  requestID: optionalString,
});
export type CreateModelRecord = z.infer<typeof CreateModelRecordSchema>;

export const SAGEMAKER_EVENT_SOURCE = 'sagemaker.amazonaws.com';
export const CREATE_MODEL = 'CreateModel';
export const CLOUDTRAIL_API_CALL_DETAIL_TYPE = 'AWS API Call via CloudTrail';
