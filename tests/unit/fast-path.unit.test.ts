import { isUtf8 } from 'node:buffer';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { candidateOffsets, logFileRecords, mayHoldString, recordsAt } from '../../shared/cloudtrail/fast-path.js';
import { createParsePool } from '../../shared/cloudtrail/parse-pool.js';
import { readFiles, type InputFile } from '../../shared/cloudtrail/read-files.js';
import { chunksOf, readRecords, type RecordItem } from '../../shared/cloudtrail/record-reader.js';
import { AUDITED_CALLS } from '../../shared/audit/collect.js';
import { cloudTrailLogFile, createModelRecord, realisticRecord, remediationRecord } from '../support/archive-generator.js';

const holds = (text: string, words: readonly string[] = ['CreateModel']) => mayHoldString(Buffer.from(text, 'latin1'), words);

describe('mayHoldString: sound on every spelling, not fooled by mentions', () => {
  it('finds the plain string', () => {
    expect(holds('{"eventName":"CreateModel"}')).toBe(true);
    expect(holds('{"eventName":"DeleteModel"}', AUDITED_CALLS)).toBe(true);
  });

  it('finds any spelling with \\u escapes of its letters, in either case of hex', () => {
    for (const spelling of ['Cr\\u0065ateModel', '\\u0043reateModel', 'CreateMode\\u006C', 'CreateMode\\u006c', '\\u0043\\u0072\\u0065\\u0061\\u0074\\u0065\\u004d\\u006f\\u0064\\u0065\\u006c']) {
      expect(holds(`{"eventName":"${spelling}"}`), spelling).toBe(true);
      expect(JSON.parse(`{"eventName":"${spelling}"}`).eventName).toBe('CreateModel');
    }
  });

  it('finds the string after an escaped backslash (its opening quote is real)', () => {
    expect(holds('{"a":"x\\\\","eventName":"CreateModel"}')).toBe(true);
  });

  it('is not fooled by mentions: longer names, policy text, JSON-encoded policies, CloudTrail escapes', () => {
    expect(holds('{"eventName":"CreateModelPackage"}')).toBe(false);
    expect(holds('{"Action":"sagemaker:CreateModel"}')).toBe(false);
    expect(holds('{"policyDocument":"{\\"Action\\":\\"CreateModel\\"}"}')).toBe(false);
    expect(holds('{"userAgent":"\\u003cscript\\u003e \\u0026"}')).toBe(false);
  });
});

describe('the parse pool fast path against a full parse', () => {
  const pool = createParsePool(2);
  afterAll(() => pool.close());
  const account = '111122223333';
  const time = '2026-10-05T10:00:00Z';
  const spec = (modelName: string) => ({ account, region: 'eu-west-1', time, modelName });
  /** A log file written as CloudTrail writes it, from text already made (some cases need their own spelling). */
  const framed = (text: string) => gzipSync(Buffer.from(text.replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026')));

  /**
   * Files of realistic traffic with the audited calls among decoys, written plainly or with escapes,
   * and files whose framing is not CloudTrail's (the parser reads them). `recordLevel`: the files the
   * record-level path must read (CloudTrail's framing, records that parse on their own).
   */
  function archive(): { files: Array<{ name: string; bytes: Buffer }>; recordLevel: string[] } {
    const files: Array<{ name: string; bytes: Buffer }> = [];
    const recordLevel: string[] = [];
    const add = (name: string, bytes: Buffer, byRecord: boolean) => {
      files.push({ name, bytes });
      if (byRecord) recordLevel.push(name);
    };
    const traffic = (f: number, n = 150) => Array.from({ length: n }, (_, r) => realisticRecord(account, 'eu-west-1', time, f * 1000 + r));
    for (let f = 0; f < 24; f++) {
      const records = traffic(f);
      if (f % 4 === 0) records.splice(70, 0, createModelRecord({ ...spec(`m-${f}`), isolation: f % 8 === 0 ? undefined : true }));
      if (f % 6 === 1) records.splice(10, 0, remediationRecord(f % 12 === 1 ? 'deleted' : 'quarantined', spec(`m-${f}`)));
      let bytes = cloudTrailLogFile(records);
      if (f % 4 === 2) {
        // A CreateModel call whose name another writer escaped: the fast path must not skip it.
        const text = JSON.stringify({ Records: [...records, createModelRecord({ ...spec(`m-${f}`), isolation: true })] });
        bytes = gzipSync(Buffer.from(text.replace('"eventName":"CreateModel"', '"eventName":"Cr\\u0065ate\\u004dodel"')));
      }
      add(`f${f}.json.gz`, bytes, f !== 23);
    }
    // NDJSON: not a log file, the parser reads it.
    files[23] = { name: 'f23.json.gz', bytes: gzipSync(Buffer.from(`${JSON.stringify(traffic(23)[0])}\n${JSON.stringify(createModelRecord(spec('m-23')))}\n`)) };
    // Decoys only, but a record that is not an object: the full parse names it, so must the pool.
    add('f24-null-record.json.gz', cloudTrailLogFile([realisticRecord(account, 'eu-west-1', time, 1), null, realisticRecord(account, 'eu-west-1', time, 2)]), false);
    const withCall = (f: number) => {
      const records: unknown[] = traffic(f, 40);
      records.splice(20, 0, createModelRecord({ ...spec(`m-${f}`), isolation: undefined }));
      return records;
    };
    // Records split across lines (pretty-printed, or one record a line): not CloudTrail's framing.
    add('f25-pretty.json.gz', gzipSync(Buffer.from(JSON.stringify({ Records: withCall(25) }, null, 2))), false);
    add('f26-record-a-line.json.gz', gzipSync(Buffer.from(`{"Records":[\n${withCall(26).map((r) => JSON.stringify(r)).join(',\n')}\n]}`)), false);
    // Unusual key orders: eventName first (no record starts with eventVersion: the parser), and
    // eventVersion first with the rest reversed (CloudTrail's framing still: record by record).
    const reorder = (r: unknown, keys: (k: string[]) => string[]) => Object.fromEntries(keys(Object.keys(r as object)).map((k) => [k, (r as Record<string, unknown>)[k]]));
    add('f27-name-first.json.gz', cloudTrailLogFile(withCall(27).map((r) => reorder(r, (k) => ['eventName', ...k.filter((x) => x !== 'eventName')]))), false);
    add('f28-reversed.json.gz', cloudTrailLogFile(withCall(28).map((r) => reorder(r, (k) => ['eventVersion', ...k.filter((x) => x !== 'eventVersion').reverse()]))), true);
    // A record holding objects that start with eventVersion, the call among them: the framing lies,
    // the call's record does not parse on its own, and the whole file is parsed.
    const nested = withCall(29);
    nested[5] = { ...(nested[5] as object), items: [{ a: 1 }, { eventVersion: '1.09', eventSource: 'sagemaker.amazonaws.com', eventName: 'CreateModel' }], trailer: 'x' };
    add('f29-nested-record.json.gz', cloudTrailLogFile(nested), false);
    // Strings with escaped quotes and backslashes around the name, and the name as a value of other records.
    const tricky = withCall(30);
    tricky[3] = { ...(tricky[3] as object), note: 'a "CreateModel" of \\ and \\"', path: 'C:\\', eventName: 'PutRolePolicy', actions: ['CreateModel', 'AddTags'] };
    tricky[4] = { eventVersion: '1.09', eventSource: 'sagemaker.amazonaws.com', eventName: 'DescribeModel', requestParameters: { modelName: 'CreateModel' }, eventTime: time, awsRegion: 'eu-west-1' };
    add('f30-escapes-and-values.json.gz', cloudTrailLogFile(tricky), true);
    // The name split by an escape in a record of its own, in CloudTrail's framing.
    add('f31-escaped-in-framing.json.gz', framed(JSON.stringify({ Records: withCall(31) }).replace('"eventName":"CreateModel"', '"eventName":"CreateMode\\u006c"')), true);
    // A record cut short (a broken file in the framing): the record does not parse, the parser names the file.
    add('f32-broken-call.json.gz', framed(JSON.stringify({ Records: withCall(32) }).replace('"eventName":"CreateModel",', '"eventName":"CreateModel",,')), false);
    // An empty log file.
    add('f33-empty.json.gz', gzipSync(Buffer.from('{"Records":[]}')), true);
    return { files, recordLevel };
  }

  const tally = async (items: AsyncIterable<RecordItem>) => {
    const counts = { createModel: 0, records: 0, remediations: 0, problems: 0, fastPath: 0 };
    for await (const item of items) {
      if (item.kind === 'counted') {
        counts.records += item.count;
        if (item.unparsed) counts.fastPath++;
      } else if (item.kind === 'problem') counts.problems++;
      else {
        counts.records++;
        if (item.kind === 'create-model') counts.createModel++;
        else if (item.record?.eventName === 'DeleteModel' || item.record?.eventName === 'AddTags') counts.remediations++;
      }
    }
    return counts;
  };

  it('gives the same counts as parsing every file, parsing only the records that may hold an audited call', async () => {
    const { files, recordLevel } = archive();
    async function* inputs(): AsyncGenerator<InputFile> {
      for (const file of files) yield { name: file.name, read: async () => Buffer.from(file.bytes) };
    }
    const fast: Record<string, Awaited<ReturnType<typeof tally>>> = {};
    for await (const { file, items } of readFiles(inputs(), { words: AUDITED_CALLS, pool })) fast[file.name] = await tally(items);
    const full: typeof fast = {};
    for (const file of files) full[file.name] = await tally(readRecords(chunksOf(file.bytes)));

    for (const file of files) {
      const { fastPath: _f, ...fastCounts } = fast[file.name]!;
      const { fastPath: _p, ...fullCounts } = full[file.name]!;
      expect(fastCounts, file.name).toEqual(fullCounts);
    }
    expect(fast['f24-null-record.json.gz']!.problems).toBe(1);
    expect(fast['f32-broken-call.json.gz']!.problems).toBe(1);
    const sum = (which: typeof fast, key: 'createModel' | 'fastPath') => Object.values(which).reduce((n, c) => n + c[key], 0);
    // plain, escaped, NDJSON; pretty, a line each, name first, reversed, nested, escapes around, escaped in framing
    expect(sum(full, 'createModel')).toBe(6 + 6 + 1 + 7);
    // The record-level path read the files in CloudTrail's framing, calls or not (and no other), so this test compares two different paths.
    expect(Object.entries(fast).filter(([, c]) => c.fastPath > 0).map(([name]) => name).sort()).toEqual(recordLevel.filter((name) => name !== 'f33-empty.json.gz').sort());
  });

  it('gives the same counts when the workers read the files by their path, into buffers kept from file to file', async () => {
    const { files, recordLevel } = archive();
    // Sizes that make the kept buffers grow and shrink back from one file to the next, and gzip
    // trailers that understate the text (the last of several members states only its own size):
    // inflated past the kept buffer, the text must still come out whole.
    const big = Array.from({ length: 3_600 }, (_, r) => (r % 900 === 450 ? createModelRecord(spec(`big-${r}`)) : realisticRecord(account, 'eu-west-1', time, r)));
    const bigText = gunzipSync(cloudTrailLogFile(big));
    expect(bigText.length).toBeGreaterThan(4 * 1024 * 1024);
    // One worker: the understating file comes while its kept buffer is still the first 4 MiB.
    files.push({ name: 'g1-trailer-understates.json.gz', bytes: Buffer.concat([gzipSync(bigText.subarray(0, bigText.length - 10)), gzipSync(bigText.subarray(bigText.length - 10))]) });
    files.push({ name: 'g2-big.json.gz', bytes: cloudTrailLogFile(big) });
    // Past the 16 MiB a worker keeps between files: its buffers are let go, and the next file reads into new ones.
    files.push({ name: 'g2-huge.json.gz', bytes: cloudTrailLogFile([...big, ...big, ...big, ...big]) });
    files.push({ name: 'g3-small.json.gz', bytes: cloudTrailLogFile(big.slice(0, 30)) });
    files.push({ name: 'g4-plain.json', bytes: gunzipSync(cloudTrailLogFile(big.slice(400, 500))) });
    recordLevel.push('g1-trailer-understates.json.gz', 'g2-big.json.gz', 'g2-huge.json.gz', 'g3-small.json.gz', 'g4-plain.json');
    const dir = mkdtempSync(join(tmpdir(), 'fast-path-'));
    const single = createParsePool(1);
    try {
      async function* inputs(): AsyncGenerator<InputFile> {
        for (const file of files) {
          const path = join(dir, file.name);
          writeFileSync(path, file.bytes);
          // The bytes never pass through the main thread: a read() would fail the file.
          yield { name: file.name, path, size: file.bytes.length, read: () => Promise.reject(new Error('read on the main thread')) };
        }
        yield { name: 'missing.json.gz', path: join(dir, 'missing.json.gz'), size: 10, read: () => Promise.reject(new Error('read on the main thread')) };
      }
      const fast: Record<string, Awaited<ReturnType<typeof tally>>> = {};
      const problems: string[] = [];
      for await (const { file, items } of readFiles(inputs(), { words: AUDITED_CALLS, pool: single })) {
        const seen: RecordItem[] = [];
        fast[file.name] = await tally((async function* () {
          for await (const item of items) {
            seen.push(item);
            yield item;
          }
        })());
        if (file.name === 'missing.json.gz') problems.push(...seen.map((item) => (item.kind === 'problem' ? item.message : item.kind)));
      }
      for (const file of files) {
        const { fastPath: _f, ...fastCounts } = fast[file.name]!;
        const { fastPath: _p, ...fullCounts } = await tally(readRecords(chunksOf(file.bytes)));
        expect(fastCounts, file.name).toEqual(fullCounts);
      }
      expect(fast['g1-trailer-understates.json.gz']!.createModel).toBe(4);
      expect(fast['g2-big.json.gz']!.records).toBe(3_600);
      expect(fast['g2-huge.json.gz']!.records).toBe(14_400);
      expect(fast['g3-small.json.gz']!.records).toBe(30);
      expect(problems).toEqual(['cannot read (ENOENT)']);
      expect(Object.entries(fast).filter(([, c]) => c.fastPath > 0).map(([name]) => name).sort()).toEqual(recordLevel.filter((name) => name !== 'f33-empty.json.gz').sort());
    } finally {
      await single.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('parses exactly the records that may hold a call, found by their bytes, each bounded as JSON.stringify wrote it', () => {
    const records: unknown[] = [];
    for (let r = 0; r < 2_500; r++) {
      records.push(r % 100 === 50 ? createModelRecord(spec(`dense-${r}`)) : realisticRecord(account, 'eu-west-1', time, r));
    }
    const bytes = gunzipSync(cloudTrailLogFile(records));
    const framing = logFileRecords(bytes, isUtf8)!;
    expect(framing.starts).toHaveLength(2_500);
    const picked = recordsAt(bytes, framing, candidateOffsets(bytes, AUDITED_CALLS))!;
    // IAM policies naming sagemaker:CreateModel (one record in ten), CreateModelPackage: none of them is a candidate.
    expect(picked.indexes).toEqual(Array.from({ length: 25 }, (_, i) => i * 100 + 50));
    expect(picked.records).toEqual(picked.indexes.map((i) => records[i]));
  });

  it('reads ahead at most 48 MiB of compressed files, not eight files whatever their size', async () => {
    let started = 0;
    const small = cloudTrailLogFile([realisticRecord(account, 'eu-west-1', time, 1)]);
    async function* inputs(): AsyncGenerator<InputFile> {
      for (let i = 0; i < 12; i++) yield { name: `big-${i}.json.gz`, size: 20 * 1024 * 1024, read: async () => (started++, Buffer.from(small)) };
    }
    const aheadWhenConsumed: number[] = [];
    for await (const { items } of readFiles(inputs(), { words: AUDITED_CALLS, pool })) {
      aheadWhenConsumed.push(started - aheadWhenConsumed.length); // files read and not yet handed over, this one included
      await tally(items);
    }
    // 20 MiB each: the one handed over and one more read ahead (48 MiB), never eight.
    expect(Math.max(...aheadWhenConsumed)).toBe(2);
    expect(started).toBe(12);
  });
});
