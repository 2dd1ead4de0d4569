// Reading pools from the source: which pools (ListIdentityPools), their Cognito Identity settings
// (DescribeIdentityPool) and roles (GetIdentityPoolRoles), and their Cognito Sync configuration
// (GetIdentityPoolConfiguration, GetCognitoEvents).
import { DescribeIdentityPoolCommand, GetIdentityPoolRolesCommand, ListIdentityPoolsCommand } from '@aws-sdk/client-cognito-identity';
import { GetCognitoEventsCommand, GetIdentityPoolConfigurationCommand } from '@aws-sdk/client-cognito-sync';
import type { IdentityPoolRoles, IdentityPoolSpec, ImportedPoolConfiguration } from '../store/store.ts';
import type { Source } from './source-clients.ts';

export async function listSourcePoolIds(source: Source): Promise<string[]> {
  const ids: string[] = [];
  let NextToken: string | undefined;
  do {
    const page = await source.call(source.identity.send(new ListIdentityPoolsCommand({ MaxResults: 60, NextToken })));
    for (const pool of page.IdentityPools ?? []) if (pool.IdentityPoolId) ids.push(pool.IdentityPoolId);
    NextToken = page.NextToken;
  } while (NextToken);
  return ids;
}

export interface SourcePool {
  identityPoolId: string;
  spec: IdentityPoolSpec;
  configuration: ImportedPoolConfiguration;
}

// Everything DescribeIdentityPool answers about a pool, as the server keeps it (IdentityPoolSpec).
const SPEC_MEMBERS = [
  'IdentityPoolName', 'AllowUnauthenticatedIdentities', 'AllowClassicFlow', 'SupportedLoginProviders', 'DeveloperProviderName',
  'OpenIdConnectProviderARNs', 'CognitoIdentityProviders', 'SamlProviderARNs', 'IdentityPoolTags',
] as const;

export async function readSourcePool(source: Source, identityPoolId: string): Promise<SourcePool> {
  const described = await source.call(source.identity.send(new DescribeIdentityPoolCommand({ IdentityPoolId: identityPoolId })));
  const spec: Record<string, unknown> = {};
  for (const member of SPEC_MEMBERS) if (described[member] !== undefined) spec[member] = described[member];
  const configuration = await source.call(source.sync.send(new GetIdentityPoolConfigurationCommand({ IdentityPoolId: identityPoolId })));
  const events = await source.call(source.sync.send(new GetCognitoEventsCommand({ IdentityPoolId: identityPoolId })));
  const roles = await source.call(source.identity.send(new GetIdentityPoolRolesCommand({ IdentityPoolId: identityPoolId })));
  return {
    identityPoolId,
    spec: spec as unknown as IdentityPoolSpec,
    configuration: {
      pushSync: configuration.PushSync,
      cognitoStreams: configuration.CognitoStreams,
      // No events is kept as none, as SetCognitoEvents leaves it.
      cognitoEvents: events.Events && Object.keys(events.Events).length > 0 ? events.Events : undefined,
      // The SDK's types are AWS's wire shapes, which the store keeps as they are.
      roles: { roles: roles.Roles ?? {}, roleMappings: roles.RoleMappings ?? {} } as IdentityPoolRoles,
    },
  };
}
