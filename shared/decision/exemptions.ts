import type { ExceptionRef, ExemptionKind, Verdict } from '../model/decision.js';
import { globToRegExp } from './glob.js';
import { instantOf } from '../dates.js';

/**
 * An exemption from the control. `pattern` is a glob (see glob.ts): a model name, a principal ARN,
 * or a tag `KEY` / `KEY=VALUE`. `expires`, when set, is a date (`2027-01-31`: exempt through that
 * UTC day) or a date-time (exempt until that instant); an expired exemption no longer exempts.
 */
export interface Exemption {
  kind: ExemptionKind;
  pattern: string;
  expires: string | null;
  /** An exception register entry (shared/governance/exception-register.ts): its id and approval. */
  id?: string;
  /** Register entries: every given matcher must match (several narrow the match). */
  match?: ExceptionMatchers;
  reason?: string | null;
  ticket?: string | null;
  approvedBy?: string | null;
  /** Who expiry reminders are for (register entries); the approver when absent. */
  owner?: string | null;
  /** Register entries missing `reason`, `ticket`, `approvedBy` or `expires`: they never exempt (fail closed). */
  missing?: string[];
}

/** What a register entry matches: globs on the model name and principal, a `KEY`/`KEY=VALUE` tag glob, an account id. */
export interface ExceptionMatchers {
  modelName?: string;
  principal?: string;
  tag?: string;
  account?: string;
}


const SETTING_OF_KIND: Record<Exclude<ExemptionKind, 'register'>, string> = {
  tag: 'exemptTagKeys',
  'model-name': 'exemptModelNamePatterns',
  principal: 'exemptPrincipalPatterns',
};

/**
 * The exception a decision reports. An exemption setting (the pre-register globs) has no approval:
 * it is reported with its setting as id, `approvedBy: null`, and a reason that says so.
 */
export function exceptionRef(exemption: Exemption): ExceptionRef {
  if (exemption.kind === 'register') {
    return {
      id: exemption.id ?? exemption.pattern,
      reason: exemption.reason ?? null,
      ticket: exemption.ticket ?? null,
      approvedBy: exemption.approvedBy ?? null,
      expires: exemption.expires,
    };
  }
  const setting = SETTING_OF_KIND[exemption.kind];
  return {
    id: `${setting}:${exemption.pattern}`,
    reason: `Exemption setting ${setting} (not in the exception register: no reason, ticket or approval recorded).`,
    ticket: null,
    approvedBy: null,
    expires: exemption.expires,
  };
}

export interface ExemptionSubject {
  modelName: string | null;
  /** The model's account; register entries with `account` match only it. */
  account?: string | null;
  /** Every ARN that names the caller: the session ARN and the role that issued it. */
  principalArns: string[];
  tags: Record<string, string>;
}

export interface ExemptionMatch {
  /** The first matching exemption still in force. */
  active: Exemption | null;
  /** Matching exemptions that have expired: reported, so an owner sees why an alert is back. */
  expired: Exemption[];
  /** Matching register entries that lack an approval field: reported, never applied. */
  incomplete?: Exemption[];
}

/** The instant an exemption stops applying; a bare date holds through the end of that UTC day (shared/dates.ts). */
export const expiryInstant = (expires: string): Date => instantOf(expires, 'end');

function matchesTag(pattern: string, tags: Record<string, string>): boolean {
  const separator = pattern.indexOf('=');
  const keyRe = globToRegExp(separator < 0 ? pattern : pattern.slice(0, separator));
  const valueRe = separator < 0 ? null : globToRegExp(pattern.slice(separator + 1));
  return Object.entries(tags).some(([key, value]) => keyRe.test(key) && (valueRe === null || valueRe.test(value)));
}

/** Model names are case-insensitive in SageMaker (ARNs carry them lower-cased). */
const matchesModelName = (pattern: string, subject: ExemptionSubject) => subject.modelName !== null && globToRegExp(pattern, { caseInsensitive: true }).test(subject.modelName);

function matchesPrincipal(pattern: string, subject: ExemptionSubject): boolean {
  const re = globToRegExp(pattern);
  return subject.principalArns.some((arn) => re.test(arn));
}

/** A register entry matches when every matcher it gives matches; one without matchers matches nothing. */
function matchesRegisterEntry(match: ExceptionMatchers, subject: ExemptionSubject): boolean {
  const given = Object.values(match).filter((value) => value !== undefined);
  if (given.length === 0) return false;
  if (match.modelName !== undefined && !matchesModelName(match.modelName, subject)) return false;
  if (match.principal !== undefined && !matchesPrincipal(match.principal, subject)) return false;
  if (match.tag !== undefined && !matchesTag(match.tag, subject.tags)) return false;
  if (match.account !== undefined && subject.account !== match.account) return false;
  return true;
}

function matchesExemption(exemption: Exemption, subject: ExemptionSubject): boolean {
  switch (exemption.kind) {
    case 'register':
      return matchesRegisterEntry(exemption.match ?? {}, subject);
    case 'model-name':
      return matchesModelName(exemption.pattern, subject);
    case 'principal':
      return matchesPrincipal(exemption.pattern, subject);
    case 'tag':
      return matchesTag(exemption.pattern, subject.tags);
  }
}

function findExemption(exemptions: readonly Exemption[], subject: ExemptionSubject, now: Date): ExemptionMatch {
  const expired: Exemption[] = [];
  const incomplete: Exemption[] = [];
  for (const exemption of exemptions) {
    if (!matchesExemption(exemption, subject)) continue;
    if (exemption.missing && exemption.missing.length > 0) {
      incomplete.push(exemption);
      continue;
    }
    if (exemption.expires !== null && expiryInstant(exemption.expires).getTime() <= now.getTime()) {
      expired.push(exemption);
      continue;
    }
    return { active: exemption, expired, incomplete };
  }
  return { active: null, expired, incomplete };
}

/** The reasons a decision gives for matching exemptions that did not apply. */
function unappliedExemptionReasons(match: ExemptionMatch): string[] {
  return [
    ...match.expired.map((e) => `The exemption by ${describeExemption(e)} has expired and no longer applies.`),
    ...(match.incomplete ?? []).map(
      (e) => `The exception ${e.id ?? e.pattern} matches but lacks ${(e.missing ?? []).join(', ')}: it does not apply until the register entry is complete.`,
    ),
  ];
}

export interface ExemptionStep {
  /** `exempt` when an exemption in force matched a violation; otherwise the verdict given. */
  verdict: Verdict;
  /** The exemption applied (a copy), or null. */
  exemption: Exemption | null;
  /** Why matching exemptions did not apply (expired, incomplete). */
  unapplied: string[];
  /** Which exemption applied (`Exempt by ...`), or null. */
  applied: string | null;
}

/** The reasons an exemption step adds to a decision: the exemptions that did not apply, then the one that did. */
export const exemptionReasons = (step: ExemptionStep): string[] => (step.applied === null ? step.unapplied : [...step.unapplied, step.applied]);

/**
 * The exemption step of a decision, for a CreateModel call and a described model alike: only a
 * violation can be exempted, by the first matching exemption still in force; matching ones that
 * did not apply are given as reasons, so an owner sees why an alert is back.
 */
export function applyExemptions(verdict: Verdict, exemptions: readonly Exemption[], subject: ExemptionSubject, now: Date): ExemptionStep {
  if (verdict !== 'violation') return { verdict, exemption: null, unapplied: [], applied: null };
  const match = findExemption(exemptions, subject, now);
  const unapplied = unappliedExemptionReasons(match);
  if (match.active === null) return { verdict, exemption: null, unapplied, applied: null };
  return { verdict: 'exempt', exemption: { ...match.active }, unapplied, applied: `Exempt by ${describeExemption(match.active)}.` };
}

const KIND_WORDS: Record<ExemptionKind, string> = {
  tag: 'tag',
  'model-name': 'model name pattern',
  principal: 'principal pattern',
  register: 'exception',
};

export function describeExemption(exemption: Exemption): string {
  if (exemption.kind === 'register') {
    const until = exemption.expires === null ? 'no expiry' : `until ${exemption.expires}`;
    const approval = exemption.approvedBy ? `approved by ${exemption.approvedBy}` : 'not approved';
    return `exception ${exemption.id ?? '?'} (${exemption.pattern}; ${approval}; ${until})`;
  }
  const until = exemption.expires === null ? 'no expiry' : `until ${exemption.expires}`;
  return `${KIND_WORDS[exemption.kind]} '${exemption.pattern}' (${until})`;
}
