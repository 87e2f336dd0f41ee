import { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';
import type { EnforcementResult } from '../enforcement/pipeline.js';

export const SERVICE_NAME = 'sagemaker-isolation-guard';

/** One logger and one metrics object per cold start: structured JSON logs and CloudWatch EMF. */
export const logger = new Logger({ serviceName: SERVICE_NAME });
export const metrics = new Metrics({ namespace: 'SageMakerIsolationGuard', serviceName: SERVICE_NAME });

/** What the enforcement metrics count for one handled event. */
export function recordEnforcementMetrics(
  target: { addMetric(name: string, unit: (typeof MetricUnit)[keyof typeof MetricUnit], value: number): unknown },
  result: EnforcementResult,
  now: Date,
): void {
  const { verdict, eventTime } = result.decision;
  // Every event counts, so a quiet hour still shows the service is alive (and EMF is never empty).
  target.addMetric('EventsHandled', MetricUnit.Count, 1);
  if (verdict === 'violation') target.addMetric('Violations', MetricUnit.Count, 1);
  if (verdict === 'exempt') target.addMetric('ExemptionsUsed', MetricUnit.Count, 1);
  if (result.action.status === 'done') {
    target.addMetric('Remediations', MetricUnit.Count, 1);
    target.addMetric('EventToActionMs', MetricUnit.Milliseconds, Math.max(0, now.getTime() - Date.parse(eventTime)));
  }
  for (const [channel, status] of Object.entries(result.channels)) {
    if (status === 'failed') target.addMetric(`AlertFailures_${channel}`, MetricUnit.Count, 1);
  }
}
