import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeInput } from '../../shared/cloudtrail/decode.js';
import { InputParseError } from '../../shared/errors.js';
import { evaluateInput } from '../../shared/evaluation.js';

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

describe('decodeInput', () => {
  it('decodes one JSON document', () => {
    expect(decodeInput(bytes(JSON.stringify(record('a')))).values).toHaveLength(1);
  });

  it('decodes NDJSON line by line and names a bad line without losing the others', () => {
    const text = [JSON.stringify(record('a')), '', '{broken', JSON.stringify(record('b'))].join('\n');
    const { values, errors } = decodeInput(bytes(text));
    expect(values.map((v) => v.location)).toEqual(['line 1', 'line 4']);
    expect(errors.map((e) => e.message)).toEqual([expect.stringMatching(/^line 3: not JSON/)]);
  });

  it('decodes gzip by its magic number, whatever the name', () => {
    const { values } = decodeInput(gzipSync(bytes(JSON.stringify({ Records: [record('a')] }))));
    expect(values).toHaveLength(1);
  });

  it('rejects invalid gzip with a typed error', () => {
    const corrupt = gzipSync(bytes(JSON.stringify(record('a')))).subarray(0, 20);
    expect(() => decodeInput(corrupt)).toThrow(InputParseError);
    expect(() => decodeInput(corrupt)).toThrow(/invalid gzip data/);
  });

  it('rejects text that is neither JSON nor NDJSON', () => {
    expect(() => decodeInput(bytes('{\n  "Records": [\n'))).toThrow(/not JSON or NDJSON/);
    expect(() => decodeInput(bytes('<html>'))).toThrow(InputParseError);
  });

  it('decodes an empty input, and one of blanks, to no values', () => {
    expect(decodeInput(new Uint8Array()).values).toEqual([]);
    expect(decodeInput(bytes(' \n\n ')).values).toEqual([]);
  });

  it('skips a UTF-8 byte order mark', () => {
    expect(decodeInput(bytes(`\ufeff${JSON.stringify(record('a'))}`)).values).toHaveLength(1);
  });
});

describe('evaluateInput: hostile input', () => {
  it('keeps a very long unicode model name intact', () => {
    const name = `模型-${'é'.repeat(50_000)}-😀`;
    const { decided } = evaluateInput(bytes(JSON.stringify(record(name))), options);
    expect(decided[0]!.decision.modelName).toBe(name);
  });

  it('keeps markup characters as data (escaping belongs to each output)', () => {
    const name = '<!channel> & <https://evil.example|x>';
    const { decided } = evaluateInput(bytes(JSON.stringify(record(name))), options);
    expect(decided[0]!.decision.modelName).toBe(name);
  });

  it('reads CloudTrail\'s \\u003c escapes as the characters they stand for', () => {
    const raw = JSON.stringify(record('PLACEHOLDER')).replace('"PLACEHOLDER"', '"a\\u003cb\\u003e\\u0026c"');
    const { decided } = evaluateInput(bytes(raw), options);
    expect(decided[0]!.decision.modelName).toBe('a<b>&c');
  });

  it('decides every record of a 10 MB file', () => {
    const records = Array.from({ length: 12_000 }, (_, i) =>
      record(`m${i}`, i % 2 ? { requestParameters: { modelName: `m${i}`, enableNetworkIsolation: true, padding: 'x'.repeat(400) } } : {}),
    );
    const text = JSON.stringify({ Records: records });
    expect(text.length).toBeGreaterThan(10 * 1024 * 1024 * 0.5);
    const padded = `${text}${' '.repeat(Math.max(0, 10 * 1024 * 1024 - text.length))}`;
    const { decided, problems } = evaluateInput(bytes(padded), options);
    expect(problems).toEqual([]);
    expect(decided).toHaveLength(12_000);
    expect(decided.filter((d) => d.decision.verdict === 'violation')).toHaveLength(6_000);
  });

  it('reports invalid gzip as a problem instead of throwing', () => {
    const { decided, problems } = evaluateInput(Buffer.from([0x1f, 0x8b, 1, 2, 3]), options);
    expect(decided).toEqual([]);
    expect(problems).toEqual([expect.stringMatching(/invalid gzip data/)]);
  });

  it('reports a malformed CreateModel record by field and still decides its neighbours', () => {
    const bad = record('bad', { eventTime: 'not a time' });
    const { decided, problems } = evaluateInput(bytes(JSON.stringify({ Records: [record('a'), bad, record('b')] })), options);
    expect(decided.map((d) => d.decision.modelName)).toEqual(['a', 'b']);
    expect(problems).toEqual(['Records[1].eventTime: expected an ISO 8601 date-time']);
  });

  it('prefixes NDJSON record problems with their line', () => {
    const text = `${JSON.stringify(record('a'))}\n${JSON.stringify(record('b', { awsRegion: '' }))}`;
    expect(evaluateInput(bytes(text), options).problems).toEqual(['line 2: awsRegion: expected a region']);
  });
});
