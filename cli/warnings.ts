import type { Config } from '../shared/config.js';
import type { CliIo } from './io.js';

/** `enforce` or `sweep` with no alert channel: violations would be found and nobody told. Said once, on stderr. */
export function warnIfNobodyIsTold(config: Config, io: CliIo): void {
  if (config.topicArn || config.slackWebhookUrl || config.findingBusName) return;
  io.stderr(
    'isolation-guard: warning: no alert channel is configured (--topic-arn, --slack-webhook-url or --finding-bus-name): nobody will be told of a violation; the output below is the only record.',
  );
}
