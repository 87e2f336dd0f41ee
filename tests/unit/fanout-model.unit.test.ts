import { describe, expect, it } from 'vitest';
import { fanOut, fanOutMaxModelsPerUnit, LAMBDA_LIMIT_MS, singleProcess, singleProcessMaxAccounts, type CallLatencies } from '../../bench/fanout-model.js';

const lat: CallLatencies = {
  assumeRole: 10, listAccountsPage: 10, listModelsPage: 10, describeModel: 5, listTags: 5, snsPublish: 10, ledgerWrite: 5,
  sqsSendBatch: 10, sqsReceiveDelete: 10, s3Put: 10, s3Get: 10, s3List: 10, counter: 5,
};
const settings = { perUnitConcurrency: 8, workers: 50, coldStartMs: 100, mergeConcurrency: 16, limitMs: LAMBDA_LIMIT_MS };
const scenario = { accounts: 10, regions: 4, modelsPerUnit: 80, violationShare: 0 };

describe('the fan-out simulation', () => {
  it('counts the same SageMaker calls either way, and AssumeRole per unit only in the fan-out', () => {
    const single = singleProcess(scenario, lat, settings);
    const fan = fanOut(scenario, lat, settings);
    for (const name of ['ListModels', 'DescribeModel', 'ListTags']) expect(fan.calls[name]).toBe(single.calls[name]);
    expect(single.calls.DescribeModel).toBe(10 * 4 * 80);
    expect(single.calls['STS AssumeRole']).toBe(10);
    expect(fan.calls['STS AssumeRole']).toBe(40);
    expect(fan.calls['SQS SendMessageBatch']).toBe(4);
  });

  it("adds units' times in the single process and runs them side by side in the fan-out", () => {
    // a unit: 1 page (10) + 10 rounds of describe+tags (100) = 110 ms
    expect(singleProcess(scenario, lat, settings).wallMs).toBe(1 * 10 + 10 * 10 + 40 * 110 + 20);
    const fan = fanOut(scenario, lat, settings);
    expect(fan.unitMs).toBe(10 + 10 + 110 + 10 + 5);
    expect(fan.wallMs).toBe(fan.plannerMs + 100 + fan.unitMs + fan.mergeMs); // 40 units, 50 workers: one wave
    expect(fanOut(scenario, lat, { ...settings, workers: 20 }).wallMs).toBe(fan.wallMs + fan.unitMs); // two waves
  });

  it('finds where each hits the 15-minute limit', () => {
    const maxAccounts = singleProcessMaxAccounts({ regions: 4, modelsPerUnit: 80, violationShare: 0 }, lat, settings);
    expect(singleProcess({ ...scenario, accounts: maxAccounts }, lat, settings).withinLimit).toBe(true);
    expect(singleProcess({ ...scenario, accounts: maxAccounts + 1 }, lat, settings).withinLimit).toBe(false);
    const maxModels = fanOutMaxModelsPerUnit({ accounts: 10, regions: 4, violationShare: 0 }, lat, settings);
    expect(fanOut({ ...scenario, modelsPerUnit: maxModels }, lat, settings).withinLimit).toBe(true);
    expect(fanOut({ ...scenario, modelsPerUnit: maxModels + 1 }, lat, settings).withinLimit).toBe(false);
  });
});
