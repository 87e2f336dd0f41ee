/**
 * Generates the audit benchmark's archives once (bench/.data/<shape>), in a trail's layout, written
 * as CloudTrail writes its files (compact, `\u003c` escapes, no final newline). Three shapes:
 * - `realistic` (archive-v2): BENCH_AUDIT_RECORDS records (300,000 by default, about 430 MB of
 *   JSON) in gzip log files of 2,000 records of about 1.4 KB, with session context and TLS details,
 *   other SageMaker calls and IAM policies that mention sagemaker:CreateModel mixed in. As in a
 *   quiet account, most files hold no CreateModel call: one file in eight holds five.
 * - `third` (issue 25's second archive): 248 files of 1,200 records of about 1.4 KB, one CreateModel
 *   in every third file, an IAM policy mentioning `sagemaker:CreateModel` in one record in ten and
 *   other SageMaker calls in two in ten: the file-level fast path parses a third of the files.
 * - `dense` (an ML platform account): 125 files of 2,500 smaller records, 25 CreateModel calls in
 *   every file: no file can be skipped whole.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { cloudTrailLogFile, createModelRecord, logFileKey, noiseRecord, realisticRecord, remediationRecord } from '../tests/support/archive-generator.js';

const DATA = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '.data');
const ACCOUNT = '111111111111';

export type ArchiveShape = 'realistic' | 'third' | 'dense';

export interface BenchArchive {
  shape: ArchiveShape;
  root: string;
  files: number;
  records: number;
  createModels: number;
  jsonBytes: number;
}

interface ShapeSpec {
  folder: string;
  files: number;
  perFile: number;
  describe: string;
  /** The record at `r` of file `f` (its global index `index`), given a place and time. */
  record(f: number, r: number, index: number, where: { region: string; time: string }): { record: unknown; createModel?: boolean };
}

const REALISTIC_RECORDS = Number(process.env.BENCH_AUDIT_RECORDS ?? 300_000);

const SHAPES: Record<ArchiveShape, ShapeSpec> = {
  realistic: {
    folder: 'archive-v2',
    files: Math.ceil(REALISTIC_RECORDS / 2_000),
    perFile: 2_000,
    describe: 'a quiet account: one file in eight holds five CreateModel calls',
    record(f, r, index, { region, time }) {
      if (f % 8 === 0 && r % 400 === 7) return { record: createModelRecord({ account: ACCOUNT, region, time, modelName: `bench-${index}`, isolation: index % 3 === 0 ? undefined : true }), createModel: true };
      if (f % 8 === 0 && r === 1999) return { record: remediationRecord('quarantined', { account: ACCOUNT, region, time, modelName: `bench-${index - 1992}` }) };
      return { record: realisticRecord(ACCOUNT, region, time, index) };
    },
  },
  third: {
    folder: 'archive-third',
    files: 248,
    perFile: 1_200,
    describe: 'one CreateModel in every third file, IAM decoys in one record in ten, other SageMaker calls in two in ten',
    record(f, r, index, { region, time }) {
      if (f % 3 === 0 && r === 600) return { record: createModelRecord({ account: ACCOUNT, region, time, modelName: `third-${index}`, isolation: f % 2 ? true : undefined }), createModel: true };
      // realisticRecord: 0 is an IAM policy naming sagemaker:CreateModel, 1 another SageMaker call; 5 made SageMaker too.
      const kind = index % 10 === 5 ? index - 4 : index;
      return { record: realisticRecord(ACCOUNT, region, time, kind) };
    },
  },
  dense: {
    folder: 'archive-dense',
    files: 125,
    perFile: 2_500,
    describe: 'an ML platform account: 25 CreateModel calls in every file',
    record(_f, r, index, { region, time }) {
      if (r % 100 === 50) return { record: createModelRecord({ account: ACCOUNT, region, time, modelName: `dense-${index}`, isolation: r % 300 === 50 ? undefined : true }), createModel: true };
      return { record: noiseRecord(ACCOUNT, region, time, index) };
    },
  },
};

export function ensureArchive(shape: ArchiveShape = 'realistic'): BenchArchive {
  const spec = SHAPES[shape];
  const root = join(DATA, spec.folder);
  const marker = join(root, `.complete-${spec.files * spec.perFile}`);
  if (existsSync(marker)) return { ...(JSON.parse(readFileSync(marker, 'utf8')) as BenchArchive), shape };
  rmSync(root, { recursive: true, force: true });
  let createModels = 0;
  let jsonBytes = 0;
  for (let f = 0; f < spec.files; f++) {
    const day = `2026/10/${String(1 + (f % 28)).padStart(2, '0')}`;
    const time = `${day.replace(/\//g, '-')}T${String(f % 24).padStart(2, '0')}:00:00Z`;
    const region = f % 2 ? 'eu-west-1' : 'us-east-1';
    const records: unknown[] = [];
    for (let r = 0; r < spec.perFile; r++) {
      const made = spec.record(f, r, f * spec.perFile + r, { region, time });
      records.push(made.record);
      if (made.createModel) createModels++;
    }
    const body = cloudTrailLogFile(records);
    jsonBytes += JSON.stringify({ Records: records }).length; // close enough: the escapes add a few bytes
    const key = logFileKey({ account: ACCOUNT, region, day, time });
    mkdirSync(dirname(join(root, key)), { recursive: true });
    writeFileSync(join(root, key), body);
  }
  const archive: BenchArchive = { shape, root, files: spec.files, records: spec.files * spec.perFile, createModels, jsonBytes };
  writeFileSync(marker, JSON.stringify(archive));
  return archive;
}

export const describeShape = (shape: ArchiveShape) => SHAPES[shape].describe;
