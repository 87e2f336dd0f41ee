import { stat } from 'node:fs/promises';
import type { AthenaClient } from '../aws/athena-client.js';
import type { CloudTrailClient } from '../aws/cloudtrail.js';
import type { S3Client } from '../aws/s3.js';
import { resolveRegions } from '../aws/regions.js';
import { UsageError } from '../errors.js';
import type { AuditReport } from './audit-report.js';
import type { MonthEvidence } from './evidence-source.js';
import type { LookupTarget } from './lookup-source.js';
import { directoryArchive, type ArchiveFile } from './sources.js';

/**
 * Where an audit's calls come from, built once from the source spec by `auditSource` for the CLI
 * and the history Lambda alike:
 * - `lookup`: CloudTrail LookupEvents (the last 90 days), every account and region asked for;
 * - `s3://BUCKET/PREFIX`: a trail's S3 archive, only the period's day folders;
 * - `athena:DATABASE.TABLE`: one Athena query over the trail's table (its cost joins the scope);
 * - a local directory of log files (the trail's layout or flat): no AWS at all;
 * - `evidence:BUCKET`: the monthly reports the history Lambda filed, merged (no records to read).
 */
export type AuditSource = RecordsSource | EvidenceSource;

export interface RecordsSource {
  kind: 'lookup' | 's3' | 'athena' | 'directory';
  /** The spec as given: the report's `scope.source`. */
  spec: string;
  /** The CloudTrail files to read (pages of LookupEvents or Athena rows are files too). */
  files: AsyncIterable<ArchiveFile>;
  /** What the source adds to the report's scope once its files are read (Athena: the query and its cost). */
  scope: () => Partial<AuditReport['scope']>;
}

export interface EvidenceSource {
  kind: 'evidence';
  spec: string;
  bucket: string;
  /** The latest filed report of each month of the period (a missing month is named, not skipped). */
  months: () => Promise<MonthEvidence[]>;
}

/**
 * The AWS pieces a source may need, each asked for only by the source that needs it: the CLI
 * passes loaders, so an audit of a local folder never loads the AWS SDK.
 */
export interface AuditSourceAws {
  s3: () => Promise<S3Client>;
  cloudTrailFor: (target: LookupTarget) => CloudTrailClient | Promise<CloudTrailClient>;
  athena: () => Promise<AthenaClient>;
  /** The member accounts to audit ([]: this account only). */
  accounts: () => Promise<string[]>;
}

export interface AuditSourceOptions {
  from: Date;
  to: Date;
  /**
   * The regions setting as configured (`[]`: none given, `['all']`: every SageMaker region). None
   * given: LookupEvents asks the home region; an archive and an Athena table give every region they
   * hold (an organisation trail's), not only this one.
   */
  regions: readonly string[];
  /** The region the run is in. */
  home: string;
  athena: { workgroup: string; outputLocation: string | null; timeoutMs?: number };
}

const none = (): Partial<AuditReport['scope']> => ({});

/** The source a spec names, with the AWS pieces it needs passed in. */
export async function auditSource(spec: string, options: AuditSourceOptions, aws: AuditSourceAws): Promise<AuditSource> {
  const period = { from: options.from, to: options.to };
  const asked = options.regions.length > 0 ? resolveRegions(options.regions, options.home) : null;
  if (spec.startsWith('evidence:')) {
    const bucket = spec.slice('evidence:'.length);
    const { readMonthlyReports } = await import('./evidence-source.js');
    return { kind: 'evidence', spec, bucket, months: async () => readMonthlyReports(await aws.s3(), bucket, period) };
  }
  if (spec.startsWith('athena:')) {
    const [{ athenaArchive }, client, accounts] = await Promise.all([import('./athena-source.js'), aws.athena(), aws.accounts()]);
    // Partition pruning: the accounts and regions asked for; none: every one the table projects.
    const archive = athenaArchive(client, spec, period, {
      workgroup: options.athena.workgroup,
      outputLocation: options.athena.outputLocation,
      accounts,
      regions: asked ?? [],
      ...(options.athena.timeoutMs ? { poll: { timeoutMs: options.athena.timeoutMs } } : {}),
    });
    return {
      kind: 'athena',
      spec,
      files: archive.files,
      scope: () => {
        const athena = archive.scope();
        return athena ? { athena } : {};
      },
    };
  }
  if (spec === 'lookup') {
    const [{ lookupEventsArchive }, accounts] = await Promise.all([import('./lookup-source.js'), aws.accounts()]);
    const regions = asked ?? [options.home];
    const targets = (accounts.length > 0 ? accounts : [null]).flatMap((account) => regions.map((region) => ({ account, region })));
    return { kind: 'lookup', spec, files: lookupEventsArchive(aws.cloudTrailFor, targets, period), scope: none };
  }
  if (spec.startsWith('s3://')) {
    const [{ s3Archive }, s3] = await Promise.all([import('./s3-archive.js'), aws.s3()]);
    return { kind: 's3', spec, files: s3Archive(s3, spec, { ...period, regions: asked }), scope: none };
  }
  const info = await stat(spec).catch(() => null);
  if (!info?.isDirectory()) throw new UsageError(`--source: ${spec} is not lookup, an s3:// URL or a directory`);
  return { kind: 'directory', spec, files: directoryArchive(spec, { ...period, regions: asked }), scope: none };
}
