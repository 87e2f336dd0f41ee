/**
 * Generates the audit benchmark's archive once (bench/.data/archive-v2): a realistic trail of
 * BENCH_AUDIT_RECORDS records (300,000 by default, about 430 MB of JSON) in gzip log files of
 * 2,000 records, in a trail's layout. Records are about 1.4 KB, with session context and TLS
 * details, written as CloudTrail writes them (compact, `\u003c` escapes, no final newline), with
 * other SageMaker calls and IAM policies that mention sagemaker:CreateModel mixed in. As in a real
 * trail, most files hold no CreateModel call: one file in eight holds five.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { cloudTrailLogFile, createModelRecord, logFileKey, realisticRecord, remediationRecord } from '../tests/support/archive-generator.js';

const ARCHIVE_ROOT = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '.data', 'archive-v2');
const RECORDS = Number(process.env.BENCH_AUDIT_RECORDS ?? 300_000);
const PER_FILE = 2_000;
const ACCOUNT = '111111111111';

export interface BenchArchive {
  root: string;
  files: number;
  records: number;
  createModels: number;
  jsonBytes: number;
}

export function ensureArchive(): BenchArchive {
  const marker = join(ARCHIVE_ROOT, `.complete-${RECORDS}`);
  if (existsSync(marker)) return JSON.parse(readFileSync(marker, 'utf8')) as BenchArchive;
  rmSync(ARCHIVE_ROOT, { recursive: true, force: true });
  const files = Math.ceil(RECORDS / PER_FILE);
  let createModels = 0;
  let jsonBytes = 0;
  for (let f = 0; f < files; f++) {
    const day = `2026/10/${String(1 + (f % 28)).padStart(2, '0')}`;
    const time = `${day.replace(/\//g, '-')}T${String(f % 24).padStart(2, '0')}:00:00Z`;
    const region = f % 2 ? 'eu-west-1' : 'us-east-1';
    const records: unknown[] = [];
    for (let r = 0; r < PER_FILE; r++) {
      const index = f * PER_FILE + r;
      if (f % 8 === 0 && r % 400 === 7) {
        records.push(createModelRecord({ account: ACCOUNT, region, time, modelName: `bench-${index}`, isolation: index % 3 === 0 ? undefined : true }));
        createModels++;
      } else if (f % 8 === 0 && r === 1999) {
        records.push(remediationRecord('quarantined', { account: ACCOUNT, region, time, modelName: `bench-${index - 1992}` }));
      } else {
        records.push(realisticRecord(ACCOUNT, region, time, index));
      }
    }
    const body = cloudTrailLogFile(records);
    jsonBytes += JSON.stringify({ Records: records }).length; // close enough: the escapes add a few bytes
    const key = logFileKey({ account: ACCOUNT, region, day, time });
    mkdirSync(dirname(join(ARCHIVE_ROOT, key)), { recursive: true });
    writeFileSync(join(ARCHIVE_ROOT, key), body);
  }
  const archive: BenchArchive = { root: ARCHIVE_ROOT, files, records: files * PER_FILE, createModels, jsonBytes };
  writeFileSync(marker, JSON.stringify(archive));
  return archive;
}
