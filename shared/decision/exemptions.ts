import type { ExemptionKind } from './decision.js';
import { globToRegExp } from './glob.js';

/**
 * An exemption from the control. `pattern` is a glob (see glob.ts): a model name, a principal ARN,
 * or a tag `KEY` / `KEY=VALUE`. `expires`, when set, is a date (`2027-01-31`: exempt through that
 * UTC day) or a date-time (exempt until that instant); an expired exemption no longer exempts.
 */
export interface Exemption {
  kind: ExemptionKind;
  pattern: string;
  expires: string | null;
}

export interface ExemptionSubject {
  modelName: string | null;
  /** Every ARN that names the caller: the session ARN and the role that issued it. */
  principalArns: string[];
  tags: Record<string, string>;
}

export interface ExemptionMatch {
  /** The first matching exemption still in force. */
  active: Exemption | null;
  /** Matching exemptions that have expired: reported, so an owner sees why an alert is back. */
  expired: Exemption[];
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** The instant an exemption stops applying; a bare date holds through the end of that UTC day. */
export function expiryInstant(expires: string): Date {
  if (DATE_ONLY.test(expires)) {
    const end = new Date(`${expires}T00:00:00Z`);
    end.setUTCDate(end.getUTCDate() + 1);
    return end;
  }
  return new Date(expires);
}

export function matchesExemption(exemption: Exemption, subject: ExemptionSubject): boolean {
  switch (exemption.kind) {
    case 'model-name':
      // Model names are case-insensitive in SageMaker (ARNs carry them lower-cased).
      return subject.modelName !== null && globToRegExp(exemption.pattern, { caseInsensitive: true }).test(subject.modelName);
    case 'principal': {
      const re = globToRegExp(exemption.pattern);
      return subject.principalArns.some((arn) => re.test(arn));
    }
    case 'tag': {
      const separator = exemption.pattern.indexOf('=');
      const keyPattern = separator < 0 ? exemption.pattern : exemption.pattern.slice(0, separator);
      const valuePattern = separator < 0 ? null : exemption.pattern.slice(separator + 1);
      const keyRe = globToRegExp(keyPattern);
      const valueRe = valuePattern === null ? null : globToRegExp(valuePattern);
      return Object.entries(subject.tags).some(([key, value]) => keyRe.test(key) && (valueRe === null || valueRe.test(value)));
    }
  }
}

export function findExemption(exemptions: readonly Exemption[], subject: ExemptionSubject, now: Date): ExemptionMatch {
  const expired: Exemption[] = [];
  for (const exemption of exemptions) {
    if (!matchesExemption(exemption, subject)) continue;
    if (exemption.expires !== null && expiryInstant(exemption.expires).getTime() <= now.getTime()) {
      expired.push(exemption);
      continue;
    }
    return { active: exemption, expired };
  }
  return { active: null, expired };
}

const KIND_WORDS: Record<ExemptionKind, string> = {
  tag: 'tag',
  'model-name': 'model name pattern',
  principal: 'principal pattern',
};

export function describeExemption(exemption: Exemption): string {
  const until = exemption.expires === null ? 'no expiry' : `until ${exemption.expires}`;
  return `${KIND_WORDS[exemption.kind]} '${exemption.pattern}' (${until})`;
}
