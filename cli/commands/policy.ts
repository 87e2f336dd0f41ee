import { UsageError } from '../../shared/errors.js';
import { networkIsolationScp } from '../../shared/policy/scp.js';
import { servicePolicies } from '../../shared/policy/service-policies.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import type { CliIo } from '../io.js';

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** `isolation-guard policy scp`: the service control policy, as JSON. */
export async function policyScpCommand(values: Record<string, unknown>, io: CliIo): Promise<ExitCode> {
  const tag = text(values['exempt-principal-tag']);
  if (tag !== undefined && !/^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u.test(tag)) throw new UsageError('--exempt-principal-tag: not a valid tag key');
  const path = text(values['exempt-role-path']);
  if (path !== undefined && !/^\/?[\x21-\x7e]{1,510}\/?$/.test(path)) throw new UsageError('--exempt-role-path: not a valid IAM path');
  io.stdout(JSON.stringify(networkIsolationScp({ includeJobs: values['include-jobs'] === true, exemptPrincipalTag: tag, exemptRolePath: path }), null, 2));
  return EXIT.ok;
}

/** `isolation-guard policy iam`: the service's own least-privilege policies, as JSON. */
export async function policyIamCommand(values: Record<string, unknown>, io: CliIo): Promise<ExitCode> {
  const account = text(values.account);
  if (account !== undefined && !/^\d{12}$/.test(account)) throw new UsageError('--account: expected a 12-digit account id');
  const organization = text(values['organization-id']);
  if (organization !== undefined && !/^o-[a-z0-9]{10,32}$/.test(organization)) throw new UsageError('--organization-id: expected o- and 10 to 32 letters or digits');
  const policies = servicePolicies({
    deleteMode: values['delete-mode'] === true,
    account,
    region: text(values.region),
    partition: text(values.partition),
    memberRoleName: text(values['member-role-name']),
    org: values.org === true,
    securityHub: values['security-hub'] === true,
    organizationId: organization,
  });
  io.stdout(JSON.stringify(policies, null, 2));
  return EXIT.ok;
}
