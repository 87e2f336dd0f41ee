import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DocumentSplitter } from '../../shared/cloudtrail/document-splitter.js';
import { READ_BOUNDS, readRecords, type ReaderOptions, type RecordItem } from '../../shared/cloudtrail/record-reader.js';
import { readFiles } from '../../shared/cloudtrail/read-files.js';
import { directoryArchive } from '../../shared/audit/sources.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decideCreateModel } from '../../shared/decision/decide-create-model.js';

const bytes = (text: string) => Buffer.from(text, 'utf8');
const record = (name: string, extra: Record<string, unknown> = {}) => ({
  eventVersion: '1.09',
  eventID: `id-${name}`,
  eventTime: '2026-11-02T09:14:27Z',
  eventSource: 'sagemaker.amazonaws.com',
  eventName: 'CreateModel',
  awsRegion: 'eu-west-1',
  recipientAccountId: '111122223333',
  requestParameters: { modelName: name },
  responseElements: { modelArn: `arn:aws:sagemaker:eu-west-1:111122223333:model/${name}` },
  ...extra,
});
const options = { exemptions: [], now: new Date('2026-11-22T00:00:00Z') };

async function* chunked(input: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < input.length; i += size) yield input.subarray(i, i + size);
}

/** Everything the reader gives for the input, fed in chunks of `size` bytes. */
async function read(input: Uint8Array, size = 64 * 1024, readerOptions: ReaderOptions = {}) {
  const items: RecordItem[] = [];
  for await (const item of readRecords(chunked(input, size), readerOptions)) items.push(item);
  const calls = items.flatMap((i) => (i.kind === 'create-model' ? [i] : []));
  return {
    items,
    calls,
    names: calls.map((c) => decideCreateModel(c.record, options).decision.modelName),
    problems: items.flatMap((i) => (i.kind === 'problem' ? [i.message] : [])),
    skipped: items.filter((i) => i.kind === 'skipped').length,
  };
}

describe('DocumentSplitter', () => {
  it('splits documents run together, whatever the chunking, keeping braces inside strings', () => {
    const docs = [JSON.stringify({ Records: [record('a{')] }), JSON.stringify(record('b"}]')), '[1,{"x":"\\\\"}]', '"s"', '42'];
    const text = bytes(`${docs[0]}${docs[1]}${docs[2]}\n${docs[3]} ${docs[4]}`);
    for (const size of [1, 2, 3, 7, 64, text.length]) {
      const splitter = new DocumentSplitter();
      const out = [];
      for (let i = 0; i < text.length; i += size) out.push(...splitter.push(text.subarray(i, i + size)).map((e) => (e.kind === 'document' ? Buffer.from(e.bytes).toString() : e.message)));
      out.push(...splitter.end().map((e) => (e.kind === 'document' ? Buffer.from(e.bytes).toString() : e.message)));
      expect(out, `chunks of ${size}`).toEqual(docs);
    }
  });
});

describe('readRecords', () => {
  it('reads one JSON document, naming its records by path only', async () => {
    const { names, items } = await read(bytes(JSON.stringify({ Records: [record('a'), record('b')] })));
    expect(names).toEqual(['a', 'b']);
    expect(items.map((i) => ('where' in i ? i.where : ''))).toEqual(['Records[0]', 'Records[1]']);
  });

  it('reads concatenated log files with no newline between them (zcat of CloudTrail files)', async () => {
    const file = (n: string) => JSON.stringify({ Records: [record(n), { eventSource: 'ec2.amazonaws.com', eventName: 'RunInstances' }] });
    const { names, skipped, problems } = await read(bytes(`${file('a')}${file('b')}${file('c')}`), 100);
    expect({ names, skipped, problems }).toEqual({ names: ['a', 'b', 'c'], skipped: 3, problems: [] });
  });

  it('reads NDJSON line by line and names a bad line without losing the lines after it', async () => {
    const text = [JSON.stringify(record('a')), '', '{broken', JSON.stringify(record('b')), 'nope', JSON.stringify(record('c'))].join('\n');
    const { names, problems } = await read(bytes(text), 5);
    expect(names).toEqual(['a', 'b', 'c']);
    expect(problems).toEqual([expect.stringMatching(/^line 3: not JSON/), expect.stringMatching(/^line 5: not JSON/)]);
  });

  it('reads gzip by its magic number, several members in a row too', async () => {
    const one = gzipSync(bytes(JSON.stringify({ Records: [record('a')] })));
    const two = gzipSync(bytes(JSON.stringify({ Records: [record('b')] })));
    expect((await read(Buffer.concat([one, two]), 10)).names).toEqual(['a', 'b']);
  });

  it('names invalid gzip', async () => {
    const corrupt = gzipSync(bytes(JSON.stringify(record('a')))).subarray(0, 20);
    expect((await read(corrupt)).problems).toEqual([expect.stringMatching(/invalid gzip data/)]);
  });

  it('names text that is not JSON', async () => {
    expect((await read(bytes('<html>'))).problems).toEqual([expect.stringMatching(/not JSON/)]);
    expect((await read(bytes('{\n  "Records": [\n'))).problems[0]).toMatch(/^line 1: not JSON \(the document is not closed/);
  });

  it('reads an empty input, and one of blanks, as no records', async () => {
    expect((await read(new Uint8Array())).items).toEqual([]);
    expect((await read(bytes(' \n\n '))).items).toEqual([]);
  });

  it('skips a UTF-8 byte order mark', async () => {
    expect((await read(bytes(`\ufeff${JSON.stringify(record('a'))}`))).names).toEqual(['a']);
  });

  it('stops at a NUL byte with a problem naming where it stood, after reading what came before', async () => {
    const text = Buffer.concat([bytes(`${JSON.stringify(record('a'))}\n`), Buffer.from([0]), bytes(JSON.stringify(record('b')))]);
    const { names, problems } = await read(text);
    expect(names).toEqual(['a']);
    expect(problems).toEqual([expect.stringMatching(/NUL byte at byte \d+: not a text input/)]);
  });

  it('names bytes that are not UTF-8', async () => {
    const text = Buffer.concat([bytes('{"eventName":"'), Buffer.from([0xff, 0xfe]), bytes('"}')]);
    expect((await read(text)).problems).toEqual([expect.stringMatching(/not UTF-8 text/)]);
  });

  it('bounds a document: an endless one is an input error, not endless memory', async () => {
    const endless = bytes(`{"Records":[${'{"a":"b"},'.repeat(20_000)}`);
    const { problems } = await read(endless, 4096, { maxDocumentBytes: 64 * 1024 });
    expect(problems).toEqual([expect.stringMatching(/^a JSON document larger than .*stopped reading/)]);
  });

  it('stops after too many unreadable documents', async () => {
    const { problems } = await read(bytes('x\n'.repeat(1000)), 64 * 1024, { maxProblems: 10 });
    expect(problems).toHaveLength(11);
    expect(problems.at(-1)).toMatch(/stopped reading/);
  });

  it('keeps markup and long unicode names intact, and reads \\u003c escapes as their characters', async () => {
    const name = `模型-${'é'.repeat(50_000)}-😀 <!channel> & <https://evil.example|x>`;
    expect((await read(bytes(JSON.stringify(record(name))), 1000)).names).toEqual([name]);
    const raw = JSON.stringify(record('PLACEHOLDER')).replace('"PLACEHOLDER"', '"a\\u003cb\\u003e\\u0026c"');
    expect((await read(bytes(raw), 3)).names).toEqual(['a<b>&c']);
  });

  it('names a malformed CreateModel record by field and still reads its neighbours', async () => {
    const bad = record('bad', { eventTime: 'not a time' });
    const { names, problems } = await read(bytes(JSON.stringify({ Records: [record('a'), bad, record('b')] })));
    expect(names).toEqual(['a', 'b']);
    expect(problems).toEqual(['Records[1].eventTime: expected an ISO 8601 date-time']);
  });

  it('prefixes record problems of several documents with their line', async () => {
    const text = `${JSON.stringify(record('a'))}\n${JSON.stringify(record('b', { awsRegion: '' }))}`;
    expect((await read(bytes(text))).problems).toEqual(['line 2: awsRegion: expected a region']);
  });

  it('reads every record of a 10 MB file', async () => {
    const records = Array.from({ length: 12_000 }, (_, i) =>
      record(`m${i}`, i % 2 ? { requestParameters: { modelName: `m${i}`, enableNetworkIsolation: true, padding: 'x'.repeat(400) } } : {}),
    );
    const { calls, problems } = await read(bytes(JSON.stringify({ Records: records })));
    expect(problems).toEqual([]);
    expect(calls).toHaveLength(12_000);
    expect(calls.filter((c) => decideCreateModel(c.record, options).decision.verdict === 'violation')).toHaveLength(6_000);
  });
});

describe('bounded work per input (issue 19, item 9)', () => {
  afterEach(() => vi.restoreAllMocks());

  /** `count` copies of `line`, in chunks of 64 KiB, counting the bytes the reader pulled. */
  function repeated(line: string, count: number) {
    const pulled = { bytes: 0 };
    const chunkLines = Math.max(1, Math.floor((64 * 1024) / line.length));
    async function* chunks(): AsyncGenerator<Uint8Array> {
      for (let sent = 0; sent < count; sent += chunkLines) {
        const chunk = bytes(line.repeat(Math.min(chunkLines, count - sent)));
        pulled.bytes += chunk.length;
        yield chunk;
      }
    }
    return { chunks, pulled };
  }
  const drain = async (items: AsyncIterable<RecordItem>) => {
    const out = { records: 0, problems: [] as string[] };
    for await (const item of items) {
      if (item.kind === 'problem') out.problems.push(item.message);
      else out.records++;
    }
    return out;
  };

  it('stops a flood of documents that hold no record ([] lines: 9 MB of gzip was minutes of CPU), at the default bound', async () => {
    const { chunks, pulled } = repeated('[]\n', 3 * READ_BOUNDS.emptyDocuments);
    const { problems } = await drain(readRecords(chunks()));
    expect(problems).toEqual([`more than ${READ_BOUNDS.emptyDocuments} documents holding no record (such as [] or {"Records":[]}); not a CloudTrail input, stopped reading`]);
    // Read up to the bound (and the chunk it stood in), not the rest.
    expect(pulled.bytes).toBeLessThan(3 * (READ_BOUNDS.emptyDocuments + 1) + 128 * 1024);
  });

  it('stops the same flood in a gzip file read through the parse pool (audit, evaluate)', async () => {
    const bomb = gzipSync(bytes('[]\n'.repeat(12 * 1024 * 1024)), { level: 9 }); // 36 MiB of text: the pool streams it
    const problems: string[] = [];
    for await (const { items } of readFiles((async function* () { yield { name: 'bomb.json.gz', read: async () => Buffer.from(bomb) }; })(), { words: ['CreateModel'] })) {
      problems.push(...(await drain(items)).problems);
    }
    expect(problems).toEqual([expect.stringMatching(/^more than 100000 documents holding no record/)]);
  });

  it('stops past a number of records, documents or bytes in one input', async () => {
    const line = `${JSON.stringify(record('a'))}\n`;
    const records = repeated(line, 5_000);
    expect(await drain(readRecords(records.chunks(), { bounds: { records: 1_000 } }))).toEqual({ records: 1_000, problems: ['more than 1000 records in one input; stopped reading (split the input)'] });
    expect(records.pulled.bytes).toBeLessThan(1_001 * line.length + 128 * 1024);

    const documents = repeated('{"Records":[]}\n', 5_000);
    expect((await drain(readRecords(documents.chunks(), { bounds: { documents: 1_000 } }))).problems).toEqual(['more than 1000 JSON documents in one input; stopped reading (split the input)']);

    const blanks = repeated(' '.repeat(1024), 4_096);
    expect((await drain(readRecords(blanks.chunks(), { bounds: { inputBytes: 1024 * 1024 } }))).problems).toEqual(['more than 1 MiB of text in one input; stopped reading (split the input)']);
    expect(blanks.pulled.bytes).toBeLessThan(1024 * 1024 + 128 * 1024);
  });

  it('stops an input read for longer than the time bound (a clock given: one minute a chunk)', async () => {
    let now = 0;
    const clock = () => (now += 60_000);
    const lines = repeated(`${JSON.stringify(record('a'))}\n`, 100_000);
    const { records, problems } = await drain(readRecords(lines.chunks(), { clock, bounds: { readMs: 10 * 60_000 } }));
    expect(problems).toEqual([expect.stringMatching(/^line \d+: reading this input took more than 10 min; stopped reading \(split the input\)$/)]);
    expect(lines.pulled.bytes).toBeLessThanOrEqual(11 * 64 * 1024);
    expect(records).toBeGreaterThan(0);
    expect(READ_BOUNDS.readMs).toBe(30 * 60_000);
  });

  it('stops gzip that inflates like a bomb (one record repeated), past 16 MiB of text, by the ratio', async () => {
    const line = `${JSON.stringify(record('same', { padding: 'x'.repeat(1200) }))}\n`;
    const bomb = gzipSync(bytes(line.repeat(20_000)));
    expect(bomb.length * 100).toBeLessThan(16 * 1024 * 1024); // a ratio no CloudTrail file has
    const { records, problems } = await drain(readRecords(chunked(bomb, 4096)));
    expect(problems).toEqual([expect.stringMatching(/^line \d+: gzip data inflating more than 100 times its size \(16 MiB from \d+ KiB\): a decompression bomb, not CloudTrail; stopped reading$/)]);
    expect(records).toBeLessThan((16 * 1024 * 1024 + 128 * 1024) / line.length);
  });

  it('streams an archive file too large to hold instead of reading it whole (audit --source DIR)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'big-archive-'));
    try {
      // 40 MB of NDJSON in a gzip that stores it as it is: over the 32 MiB a file may be read whole.
      const line = `{"eventVersion":"1.09","eventName":"X","pad":"${'x'.repeat(1000)}"}\n`;
      writeFileSync(join(dir, 'big.json.gz'), gzipSync(bytes(line.repeat(40_000)), { level: 0 }));
      const reads: string[] = [];
      const files = (async function* () {
        for await (const file of directoryArchive(dir, { from: new Date('2026-10-01'), to: new Date('2026-11-01'), regions: null })) {
          yield { ...file, read: () => (reads.push(file.name), file.read()) };
        }
      })();
      let records = 0;
      for await (const { items } of readFiles(files, { words: ['CreateModel'] })) records += (await drain(items)).records;
      expect(records).toBe(40_000);
      expect(reads).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads a large log file record by record (never parsed whole: a 1M-record document took 357 MB), and refuses a large document of another shape', async () => {
    const records = Array.from({ length: 3_000 }, (_, i) => (i % 1000 === 7 ? record(`m${i}`) : { eventVersion: '1.09', eventSource: 'ec2.amazonaws.com', eventName: 'DescribeInstances', n: i }));
    const logFile = bytes(JSON.stringify({ Records: records }));
    const bound = 64 * 1024;
    expect(logFile.length).toBeGreaterThan(4 * bound);
    const parse = vi.spyOn(JSON, 'parse');
    const read = await drain(readRecords(chunked(logFile, 4096), { bounds: { wholeDocumentBytes: bound } }));
    expect(read).toEqual({ records: 3_000, problems: [] });
    expect(Math.max(...parse.mock.calls.map(([text]) => String(text).length))).toBeLessThan(bound);
    const names = [];
    for await (const item of readRecords(chunked(logFile, 4096), { bounds: { wholeDocumentBytes: bound } })) if (item.kind === 'create-model') names.push(`${item.where} ${item.record.requestParameters && (item.record.requestParameters as { modelName: string }).modelName}`);
    expect(names).toEqual(['Records[7] m7', 'Records[1007] m1007', 'Records[2007] m2007']);

    const pretty = bytes(JSON.stringify({ Records: records }, null, 1));
    expect((await drain(readRecords(chunked(pretty, 4096), { bounds: { wholeDocumentBytes: bound } }))).problems).toEqual([
      expect.stringMatching(/^a JSON document of more than 64 KiB that is not a log file in CloudTrail's own framing/),
    ]);
  });
});
