import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { STSClient } from '@aws-sdk/client-sts';
import { OrganizationsClient, paginateListAccounts } from '@aws-sdk/client-organizations';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { AccountClient, paginateListRegions } from '@aws-sdk/client-account';
import { ConfigurationError } from '../errors.js';
import type { AwsCredentialIdentity } from '@smithy/types';
import type { AwsClients } from './clients.js';
import { clientConfig, configured, type AwsClientOptions } from './client-config.js';
import { callerIdentity } from './sts.js';
import { errorText } from '../model/error-text.js';
import { once } from '../model/once.js';

/** The home account's clients a router needs. */
type HomeClients = Pick<AwsClients, 'sagemakerIn'>;

export interface MemberAccess {
  roleName: string;
  /** The id itself, or where to read it when first needed (the Lambdas: an SSM SecureString). */
  externalId: string | null | (() => Promise<string>);
}

/**
 * SageMaker clients for any account and region. In this account: the service's own clients. In a
 * member account: credentials from STS AssumeRole of the member role (with the external id),
 * cached by the SDK until shortly before they expire and then renewed.
 */
export function accountRouter(
  home: HomeClients,
  options: AwsClientOptions & {
    member: MemberAccess | null;
    /** SDK plugins for the STS client of AssumeRole: tests inject faults (a denied role) here. */
    stsPlugins?: Array<{ applyToStack: (stack: never) => void }>;
  },
) {
  // The one client configuration, in this account (member accounts: the same with the member role's credentials).
  const { member: _member, stsPlugins: _plugins, regions: _regions, sendRequestTimeout: _send, ...common } = options;
  // Made when the home account is first asked for (a cold start of enforce with no member role never does).
  const sts = once(() => configured(new STSClient(clientConfig(common))));
  let homeAccount: Promise<string> | null = null;
  const homeId = () => (homeAccount ??= callerIdentity(sts()).then((identity) => identity.account));
  const credentials = new Map<string, ReturnType<typeof fromTemporaryCredentials>>();
  const memberClients = new Map<string, SageMakerClient>();
  const memberTrails = new Map<string, CloudTrailClient>();
  const memberIdentities = new Map<string, () => Promise<AwsCredentialIdentity>>();

  /** One credential provider per member account, shared by its clients in every region. */
  const credentialsFor = (account: string) => {
    let provider = credentials.get(account);
    if (!provider) {
      const member = options.member!;
      const assume = (externalId: string | null) =>
        fromTemporaryCredentials({
          params: {
            RoleArn: `arn:aws:iam::${account}:role/${member.roleName}`,
            RoleSessionName: 'sagemaker-isolation-guard',
            ...(externalId ? { ExternalId: externalId } : {}),
          },
          clientConfig: clientConfig(common),
          ...(options.stsPlugins ? { clientPlugins: options.stsPlugins as never } : {}),
        });
      const { externalId } = member;
      if (typeof externalId === 'function') {
        // The id is read when a member account is first reached, then kept (the SDK refreshes the credentials).
        let inner: Promise<ReturnType<typeof fromTemporaryCredentials>> | null = null;
        provider = async (props) => {
          inner ??= externalId().then(assume, (error) => {
            inner = null;
            throw error;
          });
          return (await inner)(props);
        };
      } else {
        provider = assume(externalId);
      }
      credentials.set(account, provider);
    }
    return provider;
  };
  const memberClient = (account: string, region: string): SageMakerClient => {
    const key = `${account}/${region}`;
    if (!memberClients.has(key)) {
      memberClients.set(key, configured(new SageMakerClient({ ...clientConfig({ ...common, region }), credentials: credentialsFor(account) })));
    }
    return memberClients.get(key)!;
  };
  const homeTrails = new Map<string, CloudTrailClient>();

  return {
    /** Resolves which client serves an account: a promise, since the home account is learnt once from STS. */
    async sagemakerFor(where: { account: string | null; region: string }): Promise<SageMakerClient> {
      if (!options.member || where.account === null || where.account === (await homeId())) return home.sagemakerIn(where.region);
      return memberClient(where.account, where.region);
    },
    /** CloudTrail (LookupEvents) in an account and region: member accounts through the same role. */
    async cloudTrailFor(where: { account: string | null; region: string }): Promise<CloudTrailClient> {
      const member = options.member && where.account !== null && where.account !== (await homeId());
      const cache = member ? memberTrails : homeTrails;
      const key = `${member ? where.account : 'home'}/${where.region}`;
      if (!cache.has(key)) {
        cache.set(
          key,
          configured(new CloudTrailClient({
            ...clientConfig({ ...common, region: where.region }),
            // LookupEvents allows two calls a second per account and region: more attempts than the rest.
            maxAttempts: 8,
            ...(member ? { credentials: credentialsFor(where.account!) } : {}),
          })),
        );
      }
      return cache.get(key)!;
    },
    homeAccount: homeId,
    /**
     * The regions an account has enabled (account:ListRegions; member accounts through the member
     * role), or null when it cannot say (the role lacks the grant): every region is then tried, and
     * one that is not enabled answers as such.
     */
    async enabledRegionsOf(account: string | null): Promise<Set<string> | null> {
      const member = options.member && account !== null && account !== (await homeId());
      const client = configured(
        new AccountClient({ ...clientConfig({ ...common, region: 'us-east-1' }), ...(member ? { credentials: credentialsFor(account!) } : {}) }),
      );
      try {
        return await enabledRegions(client);
      } catch {
        return null;
      } finally {
        client.destroy();
      }
    },
    /**
     * The member role's credentials for an account (null: this account, or no member role), kept
     * until five minutes before they expire: for calls made outside an SDK client (Security Hub's
     * signed import), which would otherwise assume the role for every call.
     */
    async memberCredentials(account: string): Promise<(() => Promise<AwsCredentialIdentity>) | null> {
      if (!options.member || account === (await homeId())) return null;
      let cached = memberIdentities.get(account);
      if (!cached) {
        const provider = credentialsFor(account);
        let current: Promise<AwsCredentialIdentity> | null = null;
        cached = () => {
          current ??= provider();
          return current.then(
            (identity) => {
              if (identity.expiration && identity.expiration.getTime() - Date.now() < 5 * 60_000) current = null;
              return identity;
            },
            (error) => {
              current = null;
              throw error;
            },
          );
        };
        memberIdentities.set(account, cached);
      }
      return cached;
    },
  };
}

/** Every active account of the organisation, with its name (Organizations ListAccounts, every page). */
export async function organizationAccounts(client: OrganizationsClient): Promise<Array<{ id: string; name: string | null }>> {
  const accounts: Array<{ id: string; name: string | null }> = [];
  for await (const page of paginateListAccounts({ client }, {})) {
    for (const account of page.Accounts ?? []) {
      if (account.Id && (account.State ?? account.Status) === 'ACTIVE') accounts.push({ id: account.Id, name: account.Name ?? null });
    }
  }
  return accounts.sort((a, b) => a.id.localeCompare(b.id));
}

export type AccountRouter = ReturnType<typeof accountRouter>;

/**
 * The router of a configuration: member accounts through the member role when one is named, else
 * this account only. The external id is the configured one, or read from `externalIdParameter`
 * (SSM GetParameter with decryption) when a member account is first reached.
 */
export function routerFromConfig(
  config: { memberRoleName: string | null; externalId: string | null; externalIdParameter?: string | null },
  home: HomeClients,
  options: AwsClientOptions = {},
): AccountRouter {
  const parameter = config.externalIdParameter ?? null;
  const externalId = config.externalId ?? (parameter ? () => readExternalId(parameter, options) : null);
  return accountRouter(home, { ...options, member: config.memberRoleName ? { roleName: config.memberRoleName, externalId } : null });
}

/** The external id from its SSM SecureString; a parameter that cannot be read fails naming it (never its value). */
async function readExternalId(name: string, options: AwsClientOptions): Promise<string> {
  // Imported when first needed: evaluating the SSM client costs the enforce function's cold start ~14 ms.
  const { GetParameterCommand, SSMClient } = await import('./ssm-client.js');
  const ssm = configured(new SSMClient(clientConfig(options)));
  try {
    const { Parameter } = await ssm.send(new GetParameterCommand({ Name: name, WithDecryption: true }));
    if (!Parameter?.Value) throw new ConfigurationError('externalIdParameter', `SSM parameter ${name} has no value`);
    return Parameter.Value;
  } catch (error) {
    if (error instanceof ConfigurationError) throw error;
    throw new ConfigurationError('externalIdParameter', `SSM parameter ${name} could not be read: ${errorText(error)}`);
  } finally {
    ssm.destroy();
  }
}

/**
 * The accounts a sweep or audit covers: as listed, or `org`: every active account of the
 * organisation. Organizations' account names are added to `names` (configured names win), so
 * alerts can name the account.
 */
export async function resolveAccounts(accounts: readonly string[], options: AwsClientOptions = {}, names?: Record<string, string>): Promise<string[]> {
  if (!accounts.includes('org')) return [...accounts];
  const listed = await organizationAccounts(configured(new OrganizationsClient(clientConfig({ ...options, region: options.region ?? 'us-east-1' }))));
  if (names) for (const { id, name } of listed) if (name && names[id] === undefined) names[id] = name;
  return [...new Set([...accounts.filter((a) => a !== 'org'), ...listed.map((a) => a.id)])];
}

/** The regions an account has enabled (account:ListRegions, every page): those enabled by default and the opt-in ones turned on. */
export async function enabledRegions(client: AccountClient): Promise<Set<string>> {
  const enabled = new Set<string>();
  for await (const page of paginateListRegions({ client }, { RegionOptStatusContains: ['ENABLED', 'ENABLED_BY_DEFAULT'] })) {
    for (const region of page.Regions ?? []) if (region.RegionName) enabled.add(region.RegionName);
  }
  return enabled;
}
