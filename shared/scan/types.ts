/** What `isolation-guard scan` reports: one finding per SageMaker model resource found in the code. */
export const SCAN_FORMATS = ['terraform', 'terraform-plan', 'cloudformation'] as const;
export type ScanSourceFormat = (typeof SCAN_FORMATS)[number];

export const SCAN_VERDICTS = ['compliant', 'violation', 'exempt', 'unknown'] as const;
export type ScanVerdict = (typeof SCAN_VERDICTS)[number];

export interface ScanFinding {
  file: string;
  /** 1-based line of the resource's declaration (its logical id, its `resource` block, its plan address). */
  line: number;
  format: ScanSourceFormat;
  /** Terraform address (`module.ml.aws_sagemaker_model.churn`, `...churn[0]` in plans) or CloudFormation logical id. */
  resource: string;
  verdict: ScanVerdict;
  /** The value the model would get: null when it cannot be known before deployment. */
  networkIsolation: boolean | null;
  reasons: string[];
  /** CDK synth output: the construct path (`aws:cdk:path`); null otherwise. */
  cdkPath: string | null;
  /**
   * Terraform: the root configuration's folder the finding was reached from (a module called from
   * two configurations gives two findings with the same file and address). Not part of the JSON
   * line contract; it keys the SARIF fingerprint and the baseline.
   */
  configuration?: string;
}

/** The JSON line contract: exactly these fields, in this order. */
export const SCAN_FINDING_FIELDS = ['file', 'line', 'format', 'resource', 'verdict', 'networkIsolation', 'reasons', 'cdkPath'] as const;

/** An input that could not be read or parsed, with the parser's position when it gave one. */
export interface ScanProblem {
  file: string;
  line: number | null;
  column: number | null;
  message: string;
}

export interface ScanResult {
  findings: ScanFinding[];
  problems: ScanProblem[];
  /** Files looked at (IaC or not). */
  filesSeen: number;
}

/** A value resolved statically: `value` null means it cannot be known before deployment. */
export interface Resolved {
  value: boolean | null;
  reasons: string[];
}

/** Verdict of a resolved value: a value that cannot be known fails the gate like a violation (fail closed). */
export function verdictOf(resolved: Resolved): ScanVerdict {
  if (resolved.value === true) return 'compliant';
  return resolved.value === false ? 'violation' : 'unknown';
}

export const failsGate = (verdict: ScanVerdict): boolean => verdict === 'violation' || verdict === 'unknown';

/** 1-based line of a character offset. */
export function lineAt(text: string, offset: number): number {
  if (offset <= 0) return 1;
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}
