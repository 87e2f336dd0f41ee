import { describe, expect, it } from 'vitest';
import { lenientCreateModelRecord } from '../../shared/cloudtrail/lenient-record.js';
import { nearMiss } from '../../shared/cloudtrail/near-miss.js';
import { readRecords, type RecordItem } from '../../shared/cloudtrail/record-reader.js';
import { runCli } from '../support/cli.js';
import { ownRecord } from '../support/fixtures.js';

const record = ownRecord('createmodel_absent_terraform.json') as Record<string, unknown>;
/** Every item the one reader of CloudTrail input gives for a value written as JSON. */
async function itemsOf(value: unknown): Promise<RecordItem[]> {
  const items: RecordItem[] = [];
  for await (const item of readRecords((async function* () { yield new TextEncoder().encode(JSON.stringify(value)); })())) items.push(item);
  return items;
}

describe('near-miss records', () => {
  it.each([
    ['an event-name typo', { ...record, eventName: 'CreateModle' }],
    ['another case', { ...record, eventName: 'createModel' }],
    ['an event source in capitals', { ...record, eventSource: 'SageMaker.amazonaws.com' }],
    ['a detail-type in another case', { 'detail-type': 'AWS API call via CloudTrail', detail: record }],
  ])('%s is named', (_what, value) => {
    expect(nearMiss(value)).toMatch(/nearly a SageMaker CreateModel call|is not "AWS API Call via CloudTrail"/);
  });

  it.each([
    ['CreateModel itself', record],
    ['another SageMaker call', { ...record, eventName: 'CreateEndpoint' }],
    ['CreateModelPackage', { ...record, eventName: 'CreateModelPackage' }],
    ['another service', { ...record, eventSource: 's3.amazonaws.com', eventName: 'PutObject' }],
  ])('%s is not a near miss', (_what, value) => {
    expect(nearMiss(value)).toBeNull();
  });

  it('evaluate counts them and says when an input holds no CreateModel call', async () => {
    const input = { Records: [{ ...record, eventName: 'createmodel' }, { ...record, eventSource: 's3.amazonaws.com', eventName: 'GetObject' }] };
    const items = await itemsOf(input);
    expect(items.map((item) => item.kind)).toEqual(['skipped', 'skipped']);
    expect(items.map((item) => (item.kind === 'skipped' && item.record ? nearMiss(item.record) : null))).toEqual([expect.stringMatching(/"createmodel"/), null]);
    const run = await runCli(['evaluate', '-'], { stdin: JSON.stringify(input) });
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/skipped Records\[0\]: eventSource "sagemaker.amazonaws.com", eventName "createmodel"/);
    expect(run.stderr).toMatch(/holds no SageMaker CreateModel call \(2 other record\(s\) skipped, 1 of them nearly one\)/);
  });
});

describe('recipientAccountId', () => {
  it('that is not 12 digits is an input problem named by its field, not an account', async () => {
    const bad = { ...record, recipientAccountId: 'prod' };
    // The problem carries the record, so enforcement can still alert on it (fail closed).
    expect(await itemsOf(bad)).toEqual([{ kind: 'problem', message: 'recipientAccountId: expected a 12-digit account id', record: bad }]);
    expect((await itemsOf(record)).map((item) => item.kind)).toEqual(['create-model']);
  });
});

describe('a CreateModel record read leniently, for the fail-closed path', () => {
  it('keeps what has its shape and drops or replaces what does not', () => {
    const now = new Date('2026-11-29T10:00:00Z');
    const lenient = lenientCreateModelRecord({ ...record, eventTime: 'yesterday', recipientAccountId: '12', awsRegion: 42 }, { now, region: 'eu-west-1' });
    expect(lenient).toMatchObject({ eventTime: now.toISOString(), recipientAccountId: null, awsRegion: 'eu-west-1', requestParameters: record.requestParameters });
    expect(lenientCreateModelRecord({ ...record, eventName: 'DeleteModel' }, { now, region: 'eu-west-1' })).toBeNull();
  });
});
