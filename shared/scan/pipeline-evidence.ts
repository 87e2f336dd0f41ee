import { parsePipelineKey, pipelineRecordKey, type PipelineResult } from '../aws/evidence-keys.js';
import { failsGate, type ScanResult } from './types.js';

/**
 * The KPI "deployment pipeline rejections": with `--evidence-bucket`, each scan files its result
 * under `pipeline/YYYY/MM/DD/<time>-<passed|rejected>-<run>.json`; the audit counts a period's
 * runs from the keys alone. Pure: the CI context is read by the CLI and passed in.
 */
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

export type { PipelineResult };

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

/** The record's key (shared/aws/evidence-keys.ts): its time, result and run. */
export const pipelineKey = (record: PipelineRecord): string => pipelineRecordKey(record.scannedAt, record.result, record.context.runId);

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
