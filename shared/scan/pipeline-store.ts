import type { S3Client } from '../aws/s3.js';
import { fileEvidence, JSON_CONTENT, listEvidenceKeys } from '../aws/evidence-store.js';
import { PIPELINE_PREFIX, pipelineDayPrefix } from '../aws/evidence-keys.js';
import { pipelineKey, type PipelineRecord } from './pipeline-evidence.js';

/** Files a scan's result in the evidence bucket; returns its `s3://` address. */
export async function filePipelineRecord(s3: S3Client, bucket: string, record: PipelineRecord): Promise<string> {
  const [file] = await fileEvidence(s3, bucket, [{ key: pipelineKey(record), body: JSON.stringify(record, null, 2), contentType: JSON_CONTENT }]);
  return file!;
}

/** The keys filed from the day of `from` through the day of `to` (one listing, starting at `from`'s day). */
export function listPipelineKeys(s3: S3Client, bucket: string, from: Date, to: Date): Promise<string[]> {
  return listEvidenceKeys(s3, bucket, PIPELINE_PREFIX, { startAfter: pipelineDayPrefix(from), through: `${pipelineDayPrefix(to)}\uffff` });
}
