import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { extractRecords, type ExtractedItem } from '../../shared/cloudtrail/extract.js';
import { ownFixturePath, publicFixtureNames, publicFixturePath, readJson } from '../support/fixtures.js';

const kinds = (items: Iterable<ExtractedItem>) => Array.from(items, (item) => item.kind);
const only = (items: Iterable<ExtractedItem>) => {
  const all = Array.from(items);
  expect(all).toHaveLength(1);
  return all[0]!;
};

describe('extractRecords: the shapes that may arrive', () => {
  it('takes a bare CloudTrail record (AWS documentation example)', () => {
    const item = only(extractRecords(readJson(publicFixturePath('01_createmodel_doc_iamuser_isolation_absent.json'))));
    expect(item.kind).toBe('create-model');
  });

  it('unwraps an EventBridge event whose detail is a CloudTrail record', () => {
    const item = only(extractRecords(readJson(ownFixturePath('eventbridge_createmodel_isolated.json'))));
    expect(item).toMatchObject({ kind: 'create-model', location: 'detail' });
  });

  it('reads every record of a real gzipped CloudTrail log file and keeps only CreateModel', () => {
    const file = JSON.parse(gunzipSync(readFileSync(publicFixturePath('35_cloudtrail_logfile_verbatim_records_mixed.json.gz'))).toString('utf8'));
    const items = Array.from(extractRecords(file));
    expect(items).toHaveLength(19);
    const createModels = items.filter((item) => item.kind === 'create-model');
    expect(createModels.map((item) => item.location)).toEqual(['Records[1]']);
    // eventVersion 1.0 records without eventID, Insights records without eventName: skipped, not invalid.
    expect(items.filter((item) => item.kind === 'invalid')).toEqual([]);
  });

  it.each(publicFixtureNames().filter((name) => name.includes('neighbour') && name.endsWith('.json')))(
    'skips the public neighbour %s without error',
    (name) => {
      expect(kinds(extractRecords(readJson(publicFixturePath(name))))).toEqual(['skipped']);
    },
  );

  it('skips a CloudTrail digest file', () => {
    const digest = JSON.parse(gunzipSync(readFileSync(publicFixturePath('cloudtrail_digest_example.json.gz'))).toString('utf8'));
    expect(only(extractRecords(digest))).toMatchObject({ kind: 'skipped', why: 'CloudTrail digest file' });
  });

  it('takes a JSON array mixing events, records and log files', () => {
    const record = readJson(ownFixturePath('createmodel_false_cli.json'));
    const event = readJson(ownFixturePath('eventbridge_createmodel_isolated.json'));
    const items = Array.from(extractRecords([record, event, { Records: [record, { eventName: 'Other', eventSource: 'x' }] }]));
    expect(items.map((item) => [item.kind, item.location])).toEqual([
      ['create-model', '[0]'],
      ['create-model', '[1].detail'],
      ['create-model', '[2].Records[0]'],
      ['skipped', '[2].Records[1]'],
    ]);
  });
});

describe('extractRecords: malformed input yields typed errors naming the field', () => {
  const record = () => readJson(ownFixturePath('createmodel_false_cli.json')) as Record<string, unknown>;
  const invalid = (value: unknown) => {
    const item = only(extractRecords(value));
    if (item.kind !== 'invalid') throw new Error(`expected invalid, got ${item.kind}`);
    return item.error;
  };

  it('names a missing eventTime', () => {
    const { eventTime: _gone, ...rest } = record();
    const error = invalid({ Records: [rest] });
    expect(error.name).toBe('RecordValidationError');
    expect(error.field).toBe('Records[0].eventTime');
  });

  it('names an eventTime that is not a date', () => {
    expect(invalid({ ...record(), eventTime: 'yesterday' }).message).toBe('eventTime: expected an ISO 8601 date-time');
  });

  it('names a region that is not a string', () => {
    expect(invalid({ ...record(), awsRegion: 42 }).field).toBe('awsRegion');
  });

  it('names userIdentity fields of the wrong type', () => {
    expect(invalid({ ...record(), userIdentity: { arn: ['x'] } }).field).toBe('userIdentity.arn');
  });

  it('reports Records that is not an array', () => {
    expect(invalid({ Records: 'nope' }).message).toBe('Records: expected an array, got string');
  });

  it('reports a record that is not an object', () => {
    expect(invalid({ Records: [null] }).message).toMatch(/^Records\[0\]: expected a CloudTrail record object, got null/);
  });

  it('reports an object of unknown shape instead of ignoring it', () => {
    expect(invalid({ hello: 'world' }).message).toMatch(/not a CloudTrail record/);
  });

  it('reports nested arrays without recursing into deeply nested junk', () => {
    let junk: unknown = [];
    for (let i = 0; i < 100_000; i++) junk = [junk];
    expect(invalid(junk).message).toMatch(/^\[0\]: .*got a nested array/);
  });

  it('treats deeply nested junk inside requestParameters as data, not as a crash', () => {
    let nested: unknown = { enableNetworkIsolation: true };
    for (let i = 0; i < 100_000; i++) nested = { nested };
    const item = only(extractRecords({ ...record(), requestParameters: nested }));
    expect(item.kind).toBe('create-model');
  });

  it('names a scalar top-level value', () => {
    expect(invalid(42).message).toBe('(input): expected a CloudTrail record, EventBridge event or log file, got number');
  });
});
