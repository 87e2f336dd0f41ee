import { parseArgs } from 'node:util';
import { UsageError } from '../../shared/errors.js';
import { networkIsolationScp } from '../../shared/policy/scp.js';
import { servicePolicies } from '../../shared/policy/service-policies.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import type { CliIo } from '../io.js';

/** `isolation-guard policy scp|iam`: prints policy documents as JSON. */
export async function policyCommand(args: string[], io: CliIo): Promise<ExitCode> {
  const [kind, ...rest] = args;
  if (kind === 'scp') {
    const { values } = parseArgs({
      args: rest,
      strict: true,
      options: { 'include-jobs': { type: 'boolean', default: false }, 'exempt-principal-tag': { type: 'string' }, 'exempt-role-path': { type: 'string' } },
    });
    const tag = values['exempt-principal-tag'];
    if (tag !== undefined && !/^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u.test(tag)) throw new UsageError('--exempt-principal-tag: not a valid tag key');
    const path = values['exempt-role-path'];
    if (path !== undefined && !/^\/?[\x21-\x7e]{1,510}\/?$/.test(path)) throw new UsageError('--exempt-role-path: not a valid IAM path');
    io.stdout(JSON.stringify(networkIsolationScp({ includeJobs: values['include-jobs'], exemptPrincipalTag: tag, exemptRolePath: path }), null, 2));
    return EXIT.ok;
  }
  if (kind === 'iam') {
    const { values } = parseArgs({
      args: rest,
      strict: true,
      options: {
        'delete-mode': { type: 'boolean', default: false },
        account: { type: 'string' },
        region: { type: 'string' },
        partition: { type: 'string' },
        'member-role-name': { type: 'string' },
        org: { type: 'boolean', default: false },
      },
    });
    if (values.account !== undefined && !/^\d{12}$/.test(values.account)) throw new UsageError('--account: expected a 12-digit account id');
    const policies = servicePolicies({
      deleteMode: values['delete-mode'],
      account: values.account,
      region: values.region,
      partition: values.partition,
      memberRoleName: values['member-role-name'],
      org: values.org,
    });
    io.stdout(JSON.stringify(policies, null, 2));
    return EXIT.ok;
  }
  throw new UsageError(`policy: expected scp or iam, got ${JSON.stringify(kind)}`);
}
