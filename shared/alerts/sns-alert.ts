import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { AlertInput } from '../enforcement/outcome.js';
import { alertDocument, boundedJson } from './alert-document.js';

export interface SnsAlert {
  subject: string;
  message: string;
  attributes: Record<string, { DataType: 'String'; StringValue: string }>;
}

/** SNS allows 256 KB per message; keep room for the envelope and attributes. */
const MAX_MESSAGE_BYTES = 240 * 1024;
const MAX_SUBJECT = 99;

/**
 * Subjects must be ASCII, without line breaks, under 100 characters (SNS rejects the publish
 * otherwise): a hostile model name must not cost us the alert.
 */
export function snsSubject(text: string): string {
  const ascii = text.replace(/[^\x20-\x7e]+/g, ' ').replace(/\s+/g, ' ').trim();
  return ascii.length <= MAX_SUBJECT ? ascii : `${ascii.slice(0, MAX_SUBJECT - 3)}...`;
}

const attribute = (value: string | null | undefined) => ({ DataType: 'String' as const, StringValue: value ? value : '-' });

/** The alert as SNS carries it: subject, JSON body, and attributes subscribers filter on. */
export function snsAlert(input: AlertInput): SnsAlert {
  const { decision, action } = input;
  const what = decision.verdict === 'violation' ? 'VIOLATION' : decision.verdict === 'exempt' ? 'EXEMPTION USED' : decision.verdict.toUpperCase();
  const dry = `${input.dryRun ? ' (dry run)' : ''}${input.unconfirmed ? ' (unconfirmed)' : ''}`;
  return {
    subject: snsSubject(`[isolation-guard] ${what}${dry}: SageMaker model ${decision.modelName ?? '(unknown)'} in ${input.accountName ? `${input.accountName} (${decision.account})` : (decision.account ?? '?')}/${decision.region}`),
    message: boundedJson(alertDocument(input), MAX_MESSAGE_BYTES, 2),
    attributes: {
      severity: attribute(input.severity),
      account: attribute(decision.account),
      region: attribute(decision.region),
      action: attribute(action.kind),
      verdict: attribute(decision.verdict),
    },
  };
}

export async function publishSnsAlert(client: SNSClient, topicArn: string, alert: SnsAlert): Promise<{ messageId: string }> {
  const output = await client.send(
    new PublishCommand({ TopicArn: topicArn, Subject: alert.subject, Message: alert.message, MessageAttributes: alert.attributes }),
  );
  return { messageId: output.MessageId ?? '' };
}
