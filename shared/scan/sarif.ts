import { failsGate, type ScanFinding, type ScanProblem } from './types.js';

/**
 * SARIF 2.1.0 (OASIS), the format GitHub code scanning and GitLab read: one rule (the control), one
 * result per failing resource (violation or unknown) with its file and start line, and the inputs
 * that could not be read as tool notifications. Pure.
 */
export const SARIF_RULE_ID = 'SAGEMAKER_MODEL_ISOLATION_ENABLED';

const HELP_TEXT = [
  'Every Amazon SageMaker model must run with network isolation: a model without it can send training data, inputs or weights anywhere, and the setting cannot be changed after creation (the fix is delete and recreate).',
  'Terraform: set `enable_network_isolation = true` on the `aws_sagemaker_model` resource (the provider default is false).',
  'CloudFormation / SAM: set `EnableNetworkIsolation: true` on the `AWS::SageMaker::Model` resource (the default is false).',
  'CDK: `new sagemaker.CfnModel(this, id, { enableNetworkIsolation: true, ... })` (or the L2 construct\'s `networkIsolation: true`).',
  'A value that cannot be resolved before deployment (a resource attribute, a parameter without default) fails closed: make it a literal, or give the variable or parameter a value.',
  'Exemption, reviewed like code: `# isolation-guard:exempt reason="..." expires=YYYY-MM-DD` directly above the Terraform resource, or `Metadata: {isolation-guard: {exempt: {reason: ..., expires: YYYY-MM-DD}}}` on the CloudFormation resource.',
];

export interface SarifOptions {
  toolVersion: string;
  /** File paths as the report should show them (relative to the repository root, percent-encoded). */
  uriOf?: (file: string) => string;
}

/** The SARIF fingerprint's name: v2 keys the root configuration too (v1 merged two configurations of one module). */
export const FINGERPRINT_NAME = 'isolationGuardResource/v2';

/**
 * A finding's stable identity: its file (as a URI relative to the root), its address, and for a
 * Terraform module instance the root configuration it was reached from, so two configurations of
 * one module, and two instances of one block, never share it. The baseline is keyed by it too.
 */
export function fingerprintOf(finding: ScanFinding, uri: (file: string) => string = (file) => file): string {
  const base = `${uri(finding.file)}#${finding.resource}`;
  return finding.configuration === undefined ? base : `${base}@${uri(finding.configuration)}`;
}

/** The reason a baseline adds: how SARIF tells a baselined finding (external suppression) from an inline exemption (in source). */
export const BASELINE_REASON = 'accepted by the baseline';

function suppression(finding: ScanFinding): { kind: 'inSource' | 'external'; status: 'accepted'; justification: string } {
  const baselined = finding.reasons.find((reason) => reason.startsWith(BASELINE_REASON));
  if (baselined) return { kind: 'external', status: 'accepted', justification: baselined };
  return { kind: 'inSource', status: 'accepted', justification: finding.reasons.find((reason) => reason.startsWith('exempt until')) ?? finding.reasons.at(-1) ?? 'exempt' };
}

function message(finding: ScanFinding): string {
  const what =
    finding.verdict === 'unknown'
      ? 'network isolation cannot be known before deployment'
      : finding.verdict === 'exempt'
        ? `is exempt (network isolation: ${String(finding.networkIsolation)})`
        : 'is created without network isolation';
  return `SageMaker model ${finding.resource} ${what}: ${finding.reasons.join('; ')}.`;
}

export function renderSarif(findings: readonly ScanFinding[], problems: readonly ScanProblem[], options: SarifOptions): Record<string, unknown> {
  const uri = options.uriOf ?? ((file: string) => file);
  const location = (file: string, line: number | null, column: number | null) => ({
    physicalLocation: {
      artifactLocation: uri(file).startsWith('file:') ? { uri: uri(file) } : { uri: uri(file), uriBaseId: '%SRCROOT%' },
      ...(line === null ? {} : { region: { startLine: line, ...(column === null ? {} : { startColumn: column }) } }),
    },
  });
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'isolation-guard',
            semanticVersion: options.toolVersion,
            informationUri: 'https://github.com/sagemaker-isolation-guard/sagemaker-isolation-guard',
            rules: [
              {
                id: SARIF_RULE_ID,
                name: 'SageMakerModelNetworkIsolation',
                shortDescription: { text: 'SageMaker models must enable network isolation' },
                fullDescription: { text: HELP_TEXT[0] },
                help: { text: HELP_TEXT.join('\n'), markdown: HELP_TEXT.map((line) => `- ${line}`).join('\n') },
                defaultConfiguration: { level: 'error' },
                properties: {
                  tags: ['security', 'sagemaker', 'network-isolation'],
                  'security-severity': '7.5',
                  equivalents: ['AWS Config SAGEMAKER_MODEL_ISOLATION_ENABLED', 'Security Hub SageMaker.5', 'Checkov CKV_AWS_370'],
                },
              },
            ],
          },
        },
        originalUriBaseIds: { '%SRCROOT%': { uri: './' } },
        invocations: [
          {
            executionSuccessful: problems.length === 0,
            toolExecutionNotifications: problems.map((problem) => ({
              level: 'error',
              message: { text: `${problem.file}: ${problem.message}` },
              locations: [location(problem.file, problem.line, problem.column)],
            })),
          },
        ],
        // Failing resources, and exempt ones listed as suppressed (code scanning shows them as dismissed, not lost).
        results: findings.filter((f) => failsGate(f.verdict) || f.verdict === 'exempt').map((finding) => ({
          ruleId: SARIF_RULE_ID,
          ruleIndex: 0,
          level: 'error',
          message: { text: message(finding) },
          locations: [{ ...location(finding.file, finding.line, null), logicalLocations: [{ fullyQualifiedName: finding.resource, kind: 'resource' }] }],
          partialFingerprints: { [FINGERPRINT_NAME]: fingerprintOf(finding, uri) },
          ...(finding.verdict === 'exempt' ? { suppressions: [suppression(finding)] } : {}),
          properties: { verdict: finding.verdict, format: finding.format, ...(finding.cdkPath ? { cdkPath: finding.cdkPath } : {}), ...(finding.configuration ? { configuration: uri(finding.configuration) } : {}) },
        })),
      },
    ],
  };
}
