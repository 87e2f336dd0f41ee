import type { CreateModelRecord } from '../cloudtrail/record.js';
import type { DecidedCreateModel, Decision, DecisionContext, Verdict } from '../model/decision.js';
import { applyExemptions, exemptionReasons, type Exemption } from './exemptions.js';
import type { PrioritySettings } from './priorities.js';
import { ranking } from './ranking.js';
import { findModelArn } from './model-arn.js';
import { isObject } from '../model/is-object.js';

export interface DecideOptions {
  exemptions: readonly Exemption[];
  /** The clock, passed in so that expiry is decided the same way in tests and in production. */
  now: Date;
  /** Tags known from elsewhere (ListTags on the model); merged over the request's tags. */
  modelTags?: Record<string, string>;
  /** Classification and environment tags (defaults: `data-classification`, `environment`). */
  priorities?: PrioritySettings;
  /**
   * The record failed validation (a missing or malformed field, named here) and was read leniently:
   * a violation whatever else it says (a security control fails closed), and no exemption applies.
   */
  malformed?: string | null;
}

const stringOrNull = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);

/** `requestParameters.tags` as CloudTrail logs it: `[{ key, value }]` (lower-case keys), tolerating `Key`/`Value`. */
export function requestTags(requestParameters: unknown): Record<string, string> {
  if (!isObject(requestParameters) || !Array.isArray(requestParameters.tags)) return {};
  const tags: Record<string, string> = {};
  for (const tag of requestParameters.tags) {
    if (!isObject(tag)) continue;
    const key = tag.key ?? tag.Key;
    const value = tag.value ?? tag.Value;
    if (typeof key === 'string') tags[key] = typeof value === 'string' ? value : '';
  }
  return tags;
}

function describeIsolationValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return `a ${typeof value}`;
}

/**
 * Decides one CreateModel call from its CloudTrail record. Pure: the clock and any tags read from
 * AWS come in through `options`. Fails closed: only the boolean `true` in the request is compliant.
 */
export function decideCreateModel(record: CreateModelRecord, options: DecideOptions): DecidedCreateModel {
  const request = record.requestParameters;
  const response = isObject(record.responseElements) ? record.responseElements : {};
  const identity = record.userIdentity ?? null;
  const errorCode = stringOrNull(record.errorCode);
  const reasons: string[] = [];

  // The model's name: from the request; else from the ARN of the response; else, for a denied
  // call whose requestParameters is null, from the ARN that the error message names.
  const responseArn = findModelArn(stringOrNull(response.modelArn));
  const errorArn = errorCode ? findModelArn(stringOrNull(record.errorMessage)) : null;
  const requestName = isObject(request) ? stringOrNull(request.modelName) : null;
  const modelName = requestName ?? responseArn?.modelName ?? errorArn?.modelName ?? null;
  const modelArn = responseArn?.arn ?? errorArn?.arn ?? null;
  if (!requestName && modelName) reasons.push(`The model name was read from the ARN ${modelArn}.`);

  const invokedBy = stringOrNull(identity?.invokedBy);
  const principal = stringOrNull(identity?.arn) ?? invokedBy ?? stringOrNull(identity?.principalId);
  const account =
    stringOrNull(record.recipientAccountId) ?? responseArn?.account ?? errorArn?.account ?? stringOrNull(identity?.accountId);

  const hasIsolationKey = isObject(request) && 'enableNetworkIsolation' in request;
  const isolationValue = hasIsolationKey ? request.enableNetworkIsolation : undefined;
  const networkIsolation = typeof isolationValue === 'boolean' ? isolationValue : null;
  const tags = { ...requestTags(request), ...(options.modelTags ?? {}) };

  let verdict: Verdict;
  if (errorCode) {
    verdict = 'not-applicable';
    reasons.push(`The CreateModel call failed (${errorCode}): no model was created.`);
  } else if (isolationValue === true) {
    verdict = 'compliant';
    reasons.push('The request set EnableNetworkIsolation to true.');
  } else {
    verdict = 'violation';
    if (!isObject(request)) {
      reasons.push(
        'The record has no requestParameters (it may be truncated): network isolation is not shown, so the model is treated as not isolated.',
      );
    } else if (!hasIsolationKey) {
      reasons.push('The request did not set EnableNetworkIsolation; the API default is false, so the model runs without network isolation.');
    } else if (isolationValue === false) {
      reasons.push('The request set EnableNetworkIsolation to false.');
    } else {
      reasons.push(`The request set EnableNetworkIsolation to ${describeIsolationValue(isolationValue)}, not the boolean true; treated as not isolated.`);
    }
  }

  const sessionIssuer = stringOrNull(identity?.sessionContext?.sessionIssuer?.arn);
  const principalArns = [stringOrNull(identity?.arn), sessionIssuer, invokedBy].filter((arn): arn is string => arn !== null);
  const exempted = applyExemptions(verdict, options.exemptions, { modelName, principalArns, tags, account }, options.now);
  let exemption = exempted.exemption;
  if (options.malformed) {
    verdict = 'violation';
    exemption = null;
    reasons.unshift(`The CloudTrail record is malformed (${options.malformed}): treated as a violation, whatever else it says.`);
    // Exemptions that did not apply are still named; the one that would have applied is not.
    reasons.push(...exempted.unapplied);
  } else {
    verdict = exempted.verdict;
    reasons.push(...exemptionReasons(exempted));
  }

  const ranked = ranking(tags, verdict, exemption, options.priorities);
  const decision: Decision = {
    eventId: stringOrNull(record.eventID),
    eventTime: record.eventTime,
    account,
    region: record.awsRegion,
    modelName,
    modelArn,
    principal,
    succeeded: !errorCode,
    networkIsolation,
    verdict,
    reasons,
    ...ranked.fields,
  };
  const context: DecisionContext = {
    invokedBy,
    sourceIPAddress: stringOrNull(record.sourceIPAddress),
    userAgent: stringOrNull(record.userAgent),
    errorCode,
    tags,
    exemption,
    classMode: ranked.classMode,
  };
  return { decision, context };
}
