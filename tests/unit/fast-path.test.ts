import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { mayHoldString } from '../../shared/cloudtrail/fast-path.js';
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

  /** Files of realistic traffic; some hold audited calls, written plainly or with escapes; the rest hold decoys only. */
  function archive(): Array<{ name: string; bytes: Buffer }> {
    const files: Array<{ name: string; bytes: Buffer }> = [];
    const time = '2026-10-05T10:00:00Z';
    for (let f = 0; f < 24; f++) {
      const records: unknown[] = [];
      for (let r = 0; r < 150; r++) records.push(realisticRecord('111122223333', 'eu-west-1', time, f * 1000 + r));
      const spec = { account: '111122223333', region: 'eu-west-1', time, modelName: `m-${f}` };
      if (f % 4 === 0) records.splice(70, 0, createModelRecord({ ...spec, isolation: f % 8 === 0 ? undefined : true }));
      if (f % 6 === 1) records.splice(10, 0, remediationRecord(f % 12 === 1 ? 'deleted' : 'quarantined', spec));
      let bytes = cloudTrailLogFile(records);
      if (f % 4 === 2) {
        // A CreateModel call whose name another writer escaped: the fast path must not skip it.
        const text = JSON.stringify({ Records: [...records, createModelRecord({ ...spec, isolation: true })] });
        bytes = gzipSync(Buffer.from(text.replace('"eventName":"CreateModel"', '"eventName":"Cr\\u0065ate\\u004dodel"')));
      }
      if (f === 23) bytes = gzipSync(Buffer.from(`${JSON.stringify(records[0])}\n${JSON.stringify(createModelRecord(spec))}\n`)); // NDJSON
      files.push({ name: `f${f}.json.gz`, bytes });
    }
    // Decoys only, but a record that is not an object: the full parse names it, so must the pool.
    const odd = [realisticRecord('111122223333', 'eu-west-1', time, 1), null, realisticRecord('111122223333', 'eu-west-1', time, 2)];
    files.push({ name: 'f24-null-record.json.gz', bytes: cloudTrailLogFile(odd) });
    return files;
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

  it('gives the same counts as parsing every file, while skipping the files that hold no audited call', async () => {
    const files = archive();
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
    const sum = (which: typeof fast, key: 'createModel' | 'fastPath') => Object.values(which).reduce((n, c) => n + c[key], 0);
    expect(sum(full, 'createModel')).toBe(6 + 6 + 1); // plain, escaped, NDJSON
    // The fast path did skip the files with decoys only (and no other), so this test compares two different paths.
    expect(Object.entries(fast).filter(([, c]) => c.fastPath > 0).map(([name]) => name)).toEqual(
      files.map((f, i) => (i % 4 === 1 || i % 4 === 3) && i % 6 !== 1 && i !== 23 ? f.name : null).filter(Boolean),
    );
  });
});
