import ssm from '@middy/ssm';

/**
 * @middy/ssm reading the Slack webhook URL parameter, for `import()` by the enforce handler (its
 * SSM client is evaluated only when a parameter is configured, with the first event). Its own
 * module: in a one-file bundle, `import('@middy/ssm')` would keep every export of the SSM client.
 */
export const slackWebhookMiddleware = ssm;
