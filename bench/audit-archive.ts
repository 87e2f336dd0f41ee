/**
 * Generates the audit benchmark's archive once (bench/.data/archive): at least 1 million records in
 * gzip log files in a trail's layout, about 1% of them CreateModel calls.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createModelRecord, gzipRecords, logFileKey, noiseRecord } from '../tests/support/archive-generator.js';

export const ARCHIVE_ROOT = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '.data', 'archive');
export const RECORDS = Number(process.env.BENCH_AUDIT_RECORDS ?? 1_000_000);
const PER_FILE = 2_000;

export function ensureArchive(): { root: string; files: number; records: number; createModels: number } {
  const marker = join(ARCHIVE_ROOT, `.complete-${RECORDS}`);
  const files = Math.ceil(RECORDS / PER_FILE);
  const createModels = Math.floor(RECORDS / 100);
  if (existsSync(marker)) return { root: ARCHIVE_ROOT, files, records: files * PER_FILE, createModels };
  let created = 0;
  for (let f = 0; f < files; f++) {
    const day = `2026/10/${String(1 + (f % 28)).padStart(2, '0')}`;
    const time = `${day.replace(/\//g, '-')}T${String(f % 24).padStart(2, '0')}:00:00Z`;
    const region = f % 2 ? 'eu-west-1' : 'us-east-1';
    const records: unknown[] = [];
    for (let r = 0; r < PER_FILE; r++) {
      const index = f * PER_FILE + r;
      if (index % 100 === 0 && created < createModels) {
        records.push(createModelRecord({ account: '111111111111', region, time, modelName: `bench-${index}`, isolation: index % 300 === 0 ? undefined : true }));
        created++;
      } else {
        records.push(noiseRecord('111111111111', region, time, index));
      }
    }
    const key = logFileKey({ account: '111111111111', region, day, time });
    mkdirSync(dirname(join(ARCHIVE_ROOT, key)), { recursive: true });
    writeFileSync(join(ARCHIVE_ROOT, key), gzipRecords(records));
  }
  writeFileSync(marker, '');
  return { root: ARCHIVE_ROOT, files, records: files * PER_FILE, createModels };
}
