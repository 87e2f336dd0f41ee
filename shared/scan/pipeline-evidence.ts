import { z } from 'zod';
import { failsGate, type ScanResult } from './types.js';

/**
 * The KPI "deployment pipeline rejections": with `--evidence-bucket`, each scan files its result
 * under `pipeline/YYYY/MM/DD/<time>-<passed|rejected>-<run>.json`; the audit counts a period's
 * runs from the keys alone. Pure: the CI context is read by the CLI and passed in.
 */
export const PIPELINE_PREFIX = 'pipeline/';

export interface PipelineContext {
  repository: string | null;
  commit: string | null;
  runId: string | null;
  provider: string | null;
}

const first = (env: Record<string, string | undefined>, ...names: string[]) => {
  for (const name of names) {
    const value = env[name]?.trim();
    if (value) return value;
  }
  return null;
};

/** Repository, commit and run id from the usual CI variables (GitHub Actions, GitLab CI, CodeBuild, Bitbucket, Azure, Jenkins). */
export function pipelineContext(env: Record<string, string | undefined>): PipelineContext {
  const github = env.GITHUB_RUN_ID ? `${env.GITHUB_RUN_ID}${env.GITHUB_RUN_ATTEMPT ? `.${env.GITHUB_RUN_ATTEMPT}` : ''}` : null;
  const provider = env.GITHUB_ACTIONS ? 'github-actions' : env.GITLAB_CI ? 'gitlab-ci' : env.CODEBUILD_BUILD_ID ? 'codebuild' : env.BITBUCKET_BUILD_NUMBER ? 'bitbucket' : env.TF_BUILD ? 'azure-pipelines' : env.JENKINS_URL ? 'jenkins' : null;
  return {
    repository: first(env, 'GITHUB_REPOSITORY', 'CI_PROJECT_PATH', 'BITBUCKET_REPO_FULL_NAME', 'BUILD_REPOSITORY_NAME', 'CODEBUILD_SOURCE_REPO_URL', 'GIT_URL'),
    commit: first(env, 'GITHUB_SHA', 'CI_COMMIT_SHA', 'BITBUCKET_COMMIT', 'BUILD_SOURCEVERSION', 'CODEBUILD_RESOLVED_SOURCE_VERSION', 'GIT_COMMIT'),
    runId: github ?? first(env, 'CI_PIPELINE_ID', 'BITBUCKET_BUILD_NUMBER', 'BUILD_BUILDID', 'CODEBUILD_BUILD_ID', 'BUILD_TAG'),
    provider,
  };
}

export const PIPELINE_RESULTS = ['passed', 'rejected'] as const;
export type PipelineResult = (typeof PIPELINE_RESULTS)[number];

export interface PipelineRecord {
  schemaVersion: 1;
  kind: 'isolation-guard-scan';
  scannedAt: string;
  result: PipelineResult;
  exitCode: number;
  context: PipelineContext;
  counts: { models: number; compliant: number; violations: number; unknown: number; exempt: number; unreadableInputs: number };
  failing: Array<{ file: string; line: number; resource: string; verdict: string }>;
}

/** A scan passes when nothing fails the gate and every input was read; anything else is a rejection. */
export function pipelineRecord(result: ScanResult, exitCode: number, context: PipelineContext, scannedAt: Date): PipelineRecord {
  const count = (verdict: string) => result.findings.filter((f) => f.verdict === verdict).length;
  return {
    schemaVersion: 1,
    kind: 'isolation-guard-scan',
    scannedAt: scannedAt.toISOString(),
    result: exitCode === 0 ? 'passed' : 'rejected',
    exitCode,
    context,
    counts: {
      models: result.findings.length,
      compliant: count('compliant'),
      violations: count('violation'),
      unknown: count('unknown'),
      exempt: count('exempt'),
      unreadableInputs: result.problems.length,
    },
    failing: result.findings.filter((f) => failsGate(f.verdict)).map(({ file, line, resource, verdict }) => ({ file, line, resource, verdict })),
  };
}

/** `pipeline/2026/11/29/2026-11-29T19-30-00-000Z-rejected-<run>.json`: keys sort by time and carry the result. */
export function pipelineKey(record: PipelineRecord): string {
  const time = record.scannedAt.replace(/[:.]/g, '-');
  const run = (record.context.runId ?? 'local').replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 100);
  return `${PIPELINE_PREFIX}${record.scannedAt.slice(0, 4)}/${record.scannedAt.slice(5, 7)}/${record.scannedAt.slice(8, 10)}/${time}-${record.result}-${run}.json`;
}

const KEY = z.string().regex(/^pipeline\/\d{4}\/\d{2}\/\d{2}\/(\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z)-(passed|rejected)-[^/]*\.json$/);

/** A filed key read back: its time and result; null for a key that is not ours. */
export function parsePipelineKey(key: string): { at: Date; result: PipelineResult } | null {
  const match = KEY.safeParse(key);
  if (!match.success) return null;
  const [, time, result] = /\/(\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z)-(passed|rejected)-/.exec(key)!;
  const iso = `${time!.slice(0, 10)}T${time!.slice(11, 13)}:${time!.slice(14, 16)}:${time!.slice(17, 19)}.${time!.slice(20, 23)}Z`;
  return { at: new Date(iso), result: result as PipelineResult };
}

/** The audit's KPI: pipeline runs filed in [from, to), rejected and passed. */
export function countPipelineRuns(keys: Iterable<string>, from: Date, to: Date): { runs: number; rejected: number; passed: number } {
  let rejected = 0;
  let passed = 0;
  for (const key of keys) {
    const parsed = parsePipelineKey(key);
    if (parsed === null || parsed.at < from || parsed.at >= to) continue;
    if (parsed.result === 'rejected') rejected++;
    else passed++;
  }
  return { runs: rejected + passed, rejected, passed };
}
