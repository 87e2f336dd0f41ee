import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { AwsClientOptions } from './clients.js';
import { withErrorContext } from './error-context.js';

/**
 * CloudFormation in a region, its errors named like every other client's (the CLI loads this
 * module only for `enforce --from-dlq`, to find the step-ledger table among the stacks' outputs).
 */
export function createCloudFormationClient(options: { region: string; requestHandler?: AwsClientOptions['requestHandler'] }): CloudFormationClient {
  return withErrorContext(new CloudFormationClient({ region: options.region, ...(options.requestHandler ? { requestHandler: options.requestHandler } : {}) }));
}
