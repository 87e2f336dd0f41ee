import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { slackWebhookSender } from '../alerts/slack-webhook.js';
import type { EnforceClients } from '../aws/clients.js';
import { routerFromConfig } from '../aws/accounts.js';
import { homeRegion, type Config } from '../config.js';
import { enforcementDeps, enforcementSettings } from '../enforcement/deps.js';
import type { EnforcementDeps } from '../enforcement/pipeline.js';
import type { StepLedger } from '../enforcement/step-ledger.js';
import { errorText } from '../model/error-text.js';
import { CreateModelEventSchema, enforceParsedEvent, eventIds, type EnforceEventOutcome, type ParsedEnforceEvent } from './enforce-event.js';

import { logger as defaultLogger, metrics, recordEnforcementMetrics } from './observability.js';
import { resultRecord } from '../enforcement/enforce-item.js';
import { SlackWebhookUnavailableError } from '../alerts/errors.js';
import { once } from '../model/once.js';

type EnforceContext = Context & { slackWebhookUrl?: unknown; slackWebhookError?: unknown };

/** Per-request bounds of the enforce function's AWS clients (ms). */
// throwOnRequestTimeout: without it, the SDK only logs a warning when requestTimeout passes and goes on waiting.
export const ENFORCE_REQUEST_BOUNDS = { connectionTimeout: 1_000, requestTimeout: 2_000, throwOnRequestTimeout: true } as const;

export interface EnforceHandlerOptions {
  config: Config;
  clients: EnforceClients;
  /** Tests pass a ledger; the Lambda uses the DynamoDB table named in the configuration. */
  ledger?: StepLedger;
  /** How long the Slack webhook URL read from SSM is cached (ms). */
  secretCacheMs?: number;
  /** The service's logger by default; tests pass their own to read what is logged. */
  logger?: Logger;
}

/**
 * The `enforce` Lambda: middleware first, handler last. The Slack webhook URL is read from an SSM
 * SecureString by @middy/ssm (cached, decrypted, put on the context, never logged); logs are
 * structured JSON correlated by the CloudTrail event id; metrics are CloudWatch EMF.
 */
export function createEnforceHandler(options: EnforceHandlerOptions) {
  const { config, clients } = options;
  const logger = options.logger ?? defaultLogger;
  const settings = enforcementSettings(config);
  // Wired once per cold start: member accounts' credentials and the Security Hub channel's product
  // ARN (one STS call) are kept across invocations. Only Slack's URL comes with each event (from SSM).
  const base = enforcementDeps(config, clients, { ledger: options.ledger, router: routerFromConfig(config, clients) });
  const handler = middy<ParsedEnforceEvent, EnforceEventOutcome, Error, EnforceContext>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics))
    // safeParse: an event that does not validate reaches the handler as such, with the original
    // event, so that it ends where it always did (a violation when it is a CreateModel call with a
    // bad field, else a failed invocation naming the field: retried, then dead-lettered).
    .use(parser({ schema: CreateModelEventSchema, safeParse: true }));
  if (config.slackWebhookParameter) {
    const slackWebhookParameter = config.slackWebhookParameter;
    // @middy/ssm and the SSM client are loaded with the first event, and only when a parameter is
    // configured: evaluating the SSM client (its hundreds of error classes) cost ~14 ms of every
    // cold start, Slack or not (docs/performance.md). One middleware, made once: its cache is kept.
    const secrets = once(async () =>
      (await import('./slack-webhook-parameter.js')).slackWebhookMiddleware({
        fetchData: { slackWebhookUrl: slackWebhookParameter },
        setToContext: true,
        cacheExpiry: options.secretCacheMs ?? 5 * 60_000,
        awsClientOptions: { region: homeRegion(), requestHandler: ENFORCE_REQUEST_BOUNDS },
        // No fetch at start-up: a prefetch that fails (SSM denied or throttled) is a promise nobody
        // awaits, an unhandled rejection that fails the Lambda's initialisation and with it every
        // alert. Fetched in `before`, a failure costs only the Slack channel.
        disablePrefetch: true,
      }),
    );
    // SSM failing (denied, throttled, hanging) must cost only the Slack channel, never the SNS alert:
    // the error is kept on the context and Slack fails with it (the event is then retried).
    handler.use({
      before: async (request) => {
        try {
          await (await secrets()).before!(request);
        } catch (error) {
          (request.context as EnforceContext).slackWebhookError = error;
        }
      },
    });
  }
  return handler.handler(async (event, context) => {
    logger.appendKeys(eventIds(event));
    const slackWebhookUrl = typeof context.slackWebhookUrl === 'string' ? context.slackWebhookUrl : null;
    const deps: EnforcementDeps = { ...base, slack: slackWebhookUrl ? slackWebhookSender({ url: slackWebhookUrl }) : base.slack };
    if (context.slackWebhookError !== undefined) {
      const why = errorText(context.slackWebhookError);
      deps.slack = { send: () => Promise.reject(new SlackWebhookUnavailableError(`the Slack webhook URL could not be read from SSM parameter ${config.slackWebhookParameter} (${why})`)) };
    }
    try {
      const outcome = await enforceParsedEvent(event, settings, deps, (result) => {
        // The CLI's result line, with the verdict on top for log queries.
        const { summary, ...line } = resultRecord(result);
        logger.info('CreateModel enforced', { summary, verdict: result.decision.verdict, ...line });
        recordEnforcementMetrics(metrics, result, new Date());
      });
      if ('skipped' in outcome) logger.warn('Event skipped', { why: outcome.skipped });
      return outcome;
    } catch (error) {
      // Fail the invocation: Lambda retries it, then the on-failure destination keeps the event.
      logger.error('Event not handled; it will be retried, then dead-lettered', error as Error);
      throw error;
    }
  });
}
