import { parseDateInput } from '../dates.js';
import type { ScanFinding } from './types.js';
import { isObject } from '../model/is-object.js';

/**
 * An exemption written in the code beside the resource, reviewed like code: a Terraform comment
 * `# isolation-guard:exempt reason="..." expires=YYYY-MM-DD` directly above the resource, or a
 * CloudFormation `Metadata: {isolation-guard: {exempt: {reason, expires}}}`. Both need a reason and
 * an expiry; the expiry follows every other exemption's rule (a date holds through that UTC day,
 * a date-time until that instant).
 */
export interface InlineExemption {
  reason: string | null;
  expires: string | null;
}


export const TERRAFORM_EXEMPT_MARKER = 'isolation-guard:exempt';

/** The marker comment in the comment lines directly above `line` (1-based), or null. */
export function terraformCommentExemption(lines: readonly string[], line: number): InlineExemption | null {
  for (let i = line - 2; i >= 0; i--) {
    const text = lines[i]!.trim();
    const comment = /^(#|\/\/)(.*)$/.exec(text);
    if (!comment) return null;
    const body = comment[2]!;
    const at = body.indexOf(TERRAFORM_EXEMPT_MARKER);
    if (at < 0) continue;
    const attributes = body.slice(at + TERRAFORM_EXEMPT_MARKER.length);
    const reason = /\breason\s*=\s*"([^"]*)"/.exec(attributes)?.[1]?.trim() ?? null;
    const expires = /\bexpires\s*=\s*"?([^\s"]+)"?/.exec(attributes)?.[1] ?? null;
    return { reason: reason === '' ? null : reason, expires };
  }
  return null;
}

/** The exemption in a CloudFormation resource's Metadata, or null (a malformed one is kept, to be refused with its reason). */
export function cloudFormationMetadataExemption(metadata: unknown): InlineExemption | null {
  if (!isObject(metadata)) return null;
  const guard = metadata['isolation-guard'];
  if (!isObject(guard) || !('exempt' in guard)) return null;
  const exempt = guard.exempt;
  if (!isObject(exempt)) return { reason: null, expires: null };
  const text = (value: unknown): string | null => {
    if (value instanceof Date) return value.toISOString().slice(0, 10);
    return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
  };
  return { reason: text(exempt.reason), expires: text(exempt.expires) };
}

export type ExemptionJudgement = { applies: true; reason: string } | { applies: false; reason: string };

/** Whether an inline exemption holds at `now`; when it does not, why (for the finding's reasons). */
export function judgeInlineExemption(exemption: InlineExemption, now: Date): ExemptionJudgement {
  if (exemption.reason === null) return { applies: false, reason: 'inline exemption ignored: it gives no reason' };
  if (exemption.expires === null) return { applies: false, reason: 'inline exemption ignored: it gives no expiry (expires=YYYY-MM-DD)' };
  // The grammar of every other expiry (shared/dates.ts): a real day, or a date-time with its offset.
  const until = parseDateInput(exemption.expires, 'end');
  if (until === null) {
    return { applies: false, reason: `inline exemption ignored: expires '${exemption.expires}' is not a date (YYYY-MM-DD) or an ISO 8601 date-time` };
  }
  if (until.getTime() <= now.getTime()) {
    return { applies: false, reason: `inline exemption expired on ${exemption.expires} and no longer exempts (reason was: ${exemption.reason})` };
  }
  return { applies: true, reason: `exempt until ${exemption.expires}: ${exemption.reason}` };
}

/** Applies an inline exemption to a finding: only a failing finding becomes `exempt`; a refused one says why. */
export function withInlineExemption(finding: ScanFinding, exemption: InlineExemption | null, now: Date): ScanFinding {
  if (exemption === null) return finding;
  const judgement = judgeInlineExemption(exemption, now);
  if (finding.verdict === 'compliant') return judgement.applies ? finding : { ...finding, reasons: [...finding.reasons, judgement.reason] };
  if (!judgement.applies) return { ...finding, reasons: [...finding.reasons, judgement.reason] };
  return { ...finding, verdict: 'exempt', reasons: [...finding.reasons, judgement.reason] };
}
