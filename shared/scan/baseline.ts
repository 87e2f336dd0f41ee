import { z } from 'zod';
import { BASELINE_REASON, fingerprintOf } from './sarif.js';
import { failsGate, type ScanFinding } from './types.js';

/**
 * Baselines, as Checkov has them (`--create-baseline`, `--baseline FILE`): a team adopts the gate
 * on a repository with known findings, and only new ones fail. The file lists the failing findings
 * by their SARIF fingerprint (file relative to the root, address, root configuration), so a finding
 * keeps its entry while its line moves, and loses it when it is renamed, moved or repeated
 * somewhere new. A baselined finding is `exempt` with the reason `accepted by the baseline FILE`;
 * `networkIsolation` still says what the model gets. Pure.
 */
export const BASELINE_VERSION = 1;

export const baselineSchema = z
  .object({
    version: z.literal(BASELINE_VERSION),
    tool: z.literal('isolation-guard'),
    createdAt: z.string(),
    findings: z.array(z.object({ fingerprint: z.string().min(1), resource: z.string(), verdict: z.enum(['violation', 'unknown']) }).strict()),
  })
  .strict();
export type Baseline = z.infer<typeof baselineSchema>;

export function createBaseline(findings: readonly ScanFinding[], uri: (file: string) => string, now: Date): Baseline {
  const entries = findings
    .filter((f) => failsGate(f.verdict))
    .map((f) => ({ fingerprint: fingerprintOf(f, uri), resource: f.resource, verdict: f.verdict as 'violation' | 'unknown' }))
    .sort((a, b) => a.fingerprint.localeCompare(b.fingerprint));
  return { version: BASELINE_VERSION, tool: 'isolation-guard', createdAt: now.toISOString(), findings: entries };
}

/** The findings with those in the baseline exempt; `name` is how the reason names the file. */
export function applyBaseline(findings: readonly ScanFinding[], baseline: Baseline, uri: (file: string) => string, name: string): ScanFinding[] {
  const known = new Set(baseline.findings.map((entry) => entry.fingerprint));
  return findings.map((finding) => {
    if (!failsGate(finding.verdict) || !known.has(fingerprintOf(finding, uri))) return finding;
    return { ...finding, verdict: 'exempt', reasons: [...finding.reasons, `${BASELINE_REASON} ${name} (created ${baseline.createdAt.slice(0, 10)}): known before, not new`] };
  });
}
