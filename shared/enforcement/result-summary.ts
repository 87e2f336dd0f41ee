import type { EnforcementResult } from './pipeline.js';

/**
 * One sentence on what handling an event did, for the CLI's output and the Lambda's log: a duplicate
 * delivery (CloudTrail reaches EventBridge at least once) says "already done" instead of looking like
 * a second incident. Pure.
 */
export function resultSummary(result: Pick<EnforcementResult, 'decision' | 'action' | 'channels' | 'failures'>): string {
  const { decision, action, channels } = result;
  const model = decision.modelName ?? '(unknown model)';
  if (decision.verdict === 'compliant') return `compliant: ${model} has network isolation; nothing to do.`;
  if (decision.verdict === 'not-applicable') return `not applicable: ${decision.reasons.join(' ')}`;
  const failed = Object.keys(result.failures);
  if (failed.length > 0) return `${decision.verdict}: ${model}; ${failed.join(', ')} failed; the event will be retried.`;
  const statuses = Object.values(channels);
  const sentBefore = statuses.includes('already-sent');
  const sentNow = statuses.includes('sent');
  if (sentBefore && !sentNow && (action.status === 'already-done' || action.status === 'not-needed' || action.status === 'would-do')) {
    return `already done: an earlier delivery of event ${decision.eventId ?? '(no id)'} handled ${model}; nothing was repeated.`;
  }
  if (statuses.includes('in-progress') && !sentNow) {
    return `in progress: another delivery of event ${decision.eventId ?? '(no id)'} is handling ${model} and reports the outcome; nothing was repeated.`;
  }
  const told = statuses.filter((status) => status === 'sent').length;
  return `${decision.verdict}: ${model}; ${action.kind === 'none' ? 'alert only' : `${action.kind} ${action.status}`}; ${told} channel(s) told.`;
}
