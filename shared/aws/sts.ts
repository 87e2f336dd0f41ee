import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';

export type { STSClient };

/** Who this client calls as (STS GetCallerIdentity): its account id and the partition of its ARN. */
export async function callerIdentity(sts: STSClient): Promise<{ account: string; partition: string }> {
  const identity = await sts.send(new GetCallerIdentityCommand({}));
  return { account: identity.Account ?? '', partition: identity.Arn?.split(':')[1] || 'aws' };
}
