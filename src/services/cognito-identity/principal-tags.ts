// GetPrincipalTagAttributeMap and SetPrincipalTagAttributeMap: per pool and login provider, which claims of the
// provider's token become session tags (or the provider's default mapping). Kept and answered as AWS does; the
// credentials this server issues carry no IAM session, so the tags change nothing they may do.
import { invalidParameter, resourceNotFound } from '../../protocol/errors.ts';
import type { IdentityPool, IdentityPoolStore, PoolRoleStore } from '../../store/store.ts';
import type { CognitoIdentityHandlers } from '../context.ts';
import { requireOwnedPool } from '../pool-access.ts';
import { principalTagProviders } from './pool-providers.ts';
import { checkTagKeys } from './pool-tags.ts';

function requireConfiguredProvider(pool: IdentityPool, provider: string): void {
  if (!principalTagProviders(pool).has(provider)) {
    throw invalidParameter(`${provider} is not a configured provider of identity pool ${pool.identityPoolId}.`);
  }
}

export function principalTagHandlers(
  store: IdentityPoolStore & PoolRoleStore,
): Pick<CognitoIdentityHandlers, 'GetPrincipalTagAttributeMap' | 'SetPrincipalTagAttributeMap'> {
  return {
    async GetPrincipalTagAttributeMap(input, ctx) {
      const pool = await requireOwnedPool(store, ctx.principal, input.IdentityPoolId);
      requireConfiguredProvider(pool, input.IdentityProviderName);
      const map = await store.getPrincipalTagAttributeMap(pool.identityPoolId, input.IdentityProviderName);
      // Never set: attributes for access control are off for this provider.
      const principalTags = map?.principalTags ?? {};
      return {
        IdentityPoolId: pool.identityPoolId,
        IdentityProviderName: input.IdentityProviderName,
        UseDefaults: map?.useDefaults ?? false,
        ...(Object.keys(principalTags).length > 0 && { PrincipalTags: principalTags }),
      };
    },

    async SetPrincipalTagAttributeMap(input, ctx) {
      const pool = await requireOwnedPool(store, ctx.principal, input.IdentityPoolId);
      requireConfiguredProvider(pool, input.IdentityProviderName);
      checkTagKeys(Object.keys(input.PrincipalTags ?? {}));
      const map = { useDefaults: input.UseDefaults ?? false, principalTags: input.PrincipalTags ?? {} };
      if (!(await store.setPrincipalTagAttributeMap(pool.identityPoolId, input.IdentityProviderName, map))) {
        throw resourceNotFound(`IdentityPool '${pool.identityPoolId}' not found.`);
      }
      return {
        IdentityPoolId: pool.identityPoolId,
        IdentityProviderName: input.IdentityProviderName,
        UseDefaults: map.useDefaults,
        ...(Object.keys(map.principalTags).length > 0 && { PrincipalTags: map.principalTags }),
      };
    },
  };
}
