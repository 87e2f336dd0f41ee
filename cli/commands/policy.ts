import { networkIsolationScp, type ScpOptions } from '../../shared/policy/scp.js';
import { servicePolicies } from '../../shared/policy/service-policies.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import type { CliIo } from '../io.js';

/** `isolation-guard policy scp`: the service control policy, as JSON (options checked by cli/declarations.ts). */
export async function policyScpCommand(options: ScpOptions, io: CliIo): Promise<ExitCode> {
  io.stdout(JSON.stringify(networkIsolationScp(options), null, 2));
  return EXIT.ok;
}

/** `isolation-guard policy iam`: the service's own least-privilege policies, as JSON. */
export async function policyIamCommand(options: Parameters<typeof servicePolicies>[0], io: CliIo): Promise<ExitCode> {
  io.stdout(JSON.stringify(servicePolicies(options), null, 2));
  return EXIT.ok;
}
