// The developer provider's user identifiers: LookupDeveloperIdentity, MergeDeveloperIdentities,
// UnlinkDeveloperIdentity. Developer credentials only; the pool must belong to the caller's account.
import type { LookupDeveloperIdentityResponse, MergeDeveloperIdentitiesResponse } from '../../model/cognito-identity-types.ts';
import { invalidParameter, resourceNotFound, ServiceError } from '../../protocol/errors.ts';
import type { IdentityPool, Store } from '../../store/store.ts';
import type { CognitoIdentityHandlers } from '../context.ts';
import type { PageTokens } from '../pagination.ts';
import { requireOwnedPool } from '../pool-access.ts';
import { requireIdentityInPool } from './identity-access.ts';
import { MAX_LINKED_LOGINS, mergeIdentityInto } from './link-logins.ts';
const DEFAULT_LOOKUP_RESULTS = 60;

function requireDeveloperProvider(pool: IdentityPool, named?: string): string {
  const provider = pool.spec.DeveloperProviderName;
  if (provider === undefined) {
    throw invalidParameter(`Identity pool '${pool.identityPoolId}' has no developer provider (DeveloperProviderName).`);
  }
  if (named !== undefined && named !== provider) {
    throw invalidParameter(`DeveloperProviderName '${named}' is not the developer provider of identity pool '${pool.identityPoolId}'.`);
  }
  return provider;
}

const userNotLinked = (userIdentifier: string, pool: IdentityPool) =>
  resourceNotFound(`Developer user identifier '${userIdentifier}' is not linked to any identity in identity pool '${pool.identityPoolId}'.`);

export function developerIdentityHandlers(
  store: Store,
  pageTokens: PageTokens,
): Pick<CognitoIdentityHandlers, 'LookupDeveloperIdentity' | 'MergeDeveloperIdentities' | 'UnlinkDeveloperIdentity'> {
  return {
    async LookupDeveloperIdentity(input, ctx): Promise<LookupDeveloperIdentityResponse> {
      const pool = await requireOwnedPool(store, ctx.principal, input.IdentityPoolId);
      if (input.IdentityId === undefined && input.DeveloperUserIdentifier === undefined) {
        throw invalidParameter('Either IdentityId or DeveloperUserIdentifier must be given.');
      }
      const provider = requireDeveloperProvider(pool);
      let identityId: string;
      if (input.DeveloperUserIdentifier !== undefined) {
        const owner = await store.findIdentityByLogin(pool.identityPoolId, { providerName: provider, userIdentifier: input.DeveloperUserIdentifier });
        if (owner === undefined) throw userNotLinked(input.DeveloperUserIdentifier, pool);
        if (input.IdentityId !== undefined && input.IdentityId !== owner) {
          throw new ServiceError(
            'ResourceConflictException',
            `Developer user identifier '${input.DeveloperUserIdentifier}' is linked to another identity than '${input.IdentityId}'.`,
          );
        }
        identityId = owner;
      } else {
        identityId = (await requireIdentityInPool(store, pool, input.IdentityId!)).identityId;
      }
      const listing = `LookupDeveloperIdentity:${identityId}`;
      const page = await store.listLoginUserIdentifiers(
        identityId,
        provider,
        input.MaxResults ?? DEFAULT_LOOKUP_RESULTS,
        pageTokens.resume(listing, input.NextToken),
      );
      return { IdentityId: identityId, DeveloperUserIdentifierList: page.items, NextToken: pageTokens.issue(listing, page.nextAfter) };
    },

    async MergeDeveloperIdentities(input, ctx): Promise<MergeDeveloperIdentitiesResponse> {
      const pool = await requireOwnedPool(store, ctx.principal, input.IdentityPoolId);
      const providerName = requireDeveloperProvider(pool, input.DeveloperProviderName);
      const source = await store.findIdentityByLogin(pool.identityPoolId, { providerName, userIdentifier: input.SourceUserIdentifier });
      if (source === undefined) throw userNotLinked(input.SourceUserIdentifier, pool);
      const destination = await store.findIdentityByLogin(pool.identityPoolId, { providerName, userIdentifier: input.DestinationUserIdentifier });
      if (destination === undefined) throw userNotLinked(input.DestinationUserIdentifier, pool);
      if (source === destination) return { IdentityId: destination };

      const linked = (await store.getIdentityLogins(source)).length + (await store.getIdentityLogins(destination)).length;
      if (linked > MAX_LINKED_LOGINS) {
        throw new ServiceError(
          'ResourceConflictException',
          `The merged identity would have ${linked} linked logins; at most ${MAX_LINKED_LOGINS} are allowed.`,
        );
      }
      // One transaction: datasets, logins and the merge mark together, so no write by the source can land between.
      await mergeIdentityInto(store, source, destination, ctx.now);
      return { IdentityId: destination };
    },

    async UnlinkDeveloperIdentity(input, ctx): Promise<void> {
      const pool = await requireOwnedPool(store, ctx.principal, input.IdentityPoolId);
      const providerName = requireDeveloperProvider(pool, input.DeveloperProviderName);
      const identity = await requireIdentityInPool(store, pool, input.IdentityId);
      const unlinked = await store.unlinkLogin(identity.identityId, { providerName, userIdentifier: input.DeveloperUserIdentifier }, ctx.now);
      if (!unlinked) {
        throw resourceNotFound(`Developer user identifier '${input.DeveloperUserIdentifier}' is not linked to identity '${identity.identityId}'.`);
      }
    },
  };
}
