import { CloudFormationClient, paginateDescribeStacks } from '@aws-sdk/client-cloudformation';
import { clientConfig, configured, type AwsClientOptions } from './client-config.js';

export type { CloudFormationClient };

/**
 * CloudFormation in a region, from the one client configuration (the CLI loads this module only
 * for `enforce --from-dlq`, to find the step-ledger table among the stacks' outputs).
 */
export function createCloudFormationClient(options: { region: string; requestHandler?: AwsClientOptions['requestHandler'] }): CloudFormationClient {
  return configured(new CloudFormationClient(clientConfig(options)));
}

/** Every stack of the region with its outputs (DescribeStacks, every page). */
export async function* stacksWithOutputs(cloudFormation: CloudFormationClient): AsyncGenerator<{ name: string | null; outputs: Record<string, string | undefined> }> {
  for await (const page of paginateDescribeStacks({ client: cloudFormation }, {})) {
    for (const stack of page.Stacks ?? []) {
      yield { name: stack.StackName ?? null, outputs: Object.fromEntries((stack.Outputs ?? []).map((o) => [o.OutputKey, o.OutputValue])) };
    }
  }
}
