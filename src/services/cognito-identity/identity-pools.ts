// Cognito Identity's pool management: CreateIdentityPool, DescribeIdentityPool, ListIdentityPools,
// UpdateIdentityPool, DeleteIdentityPool. Developer credentials only (operation-rules.ts).
import { randomUUID } from 'node:crypto';
import type { Principal } from '../../auth/principal.ts';
import type { IdentityPool as IdentityPoolWire, ListIdentityPoolsResponse } from '../../model/cognito-identity-types.ts';
import { invalidParameter, resourceNotFound } from '../../protocol/errors.ts';
import type { IdentityPool, IdentityPoolSpec, IdentityPoolStore } from '../../store/store.ts';
import type { CognitoIdentityHandlers } from '../context.ts';
import type { PageTokens } from '../pagination.ts';
import { requireOwnedPool } from '../pool-access.ts';
import { checkPoolTags } from './pool-tags.ts';

const SPEC_KEYS: Array<keyof IdentityPoolSpec> = [
  'IdentityPoolName', 'AllowUnauthenticatedIdentities', 'AllowClassicFlow', 'SupportedLoginProviders',
  'DeveloperProviderName', 'OpenIdConnectProviderARNs', 'CognitoIdentityProviders', 'SamlProviderARNs', 'IdentityPoolTags',
];

function specFrom(input: Partial<IdentityPoolSpec>): IdentityPoolSpec {
  const spec: Record<string, unknown> = {};
  for (const key of SPEC_KEYS) if (input[key] !== undefined) spec[key] = input[key];
  return spec as unknown as IdentityPoolSpec;
}

const toWire = (pool: IdentityPool): IdentityPoolWire => ({ IdentityPoolId: pool.identityPoolId, ...pool.spec });

function accountOf(principal: Principal): string {
  if (principal.kind !== 'developer') throw new Error('identity pool operations require a developer principal');
  return principal.accountId;
}

export function identityPoolHandlers(
  store: IdentityPoolStore,
  pageTokens: PageTokens,
): Pick<CognitoIdentityHandlers, 'CreateIdentityPool' | 'DescribeIdentityPool' | 'ListIdentityPools' | 'UpdateIdentityPool' | 'DeleteIdentityPool'> {
  return {
    async CreateIdentityPool(input, ctx): Promise<IdentityPoolWire> {
      checkPoolTags(input.IdentityPoolTags);
      const pool: IdentityPool = {
        identityPoolId: `${ctx.region}:${randomUUID()}`,
        accountId: accountOf(ctx.principal),
        spec: specFrom(input),
        createdAt: ctx.now,
      };
      await store.createIdentityPool(pool);
      return toWire(pool);
    },

    async DescribeIdentityPool(input, ctx): Promise<IdentityPoolWire> {
      return toWire(await requireOwnedPool(store, ctx.principal, input.IdentityPoolId));
    },

    async ListIdentityPools(input, ctx): Promise<ListIdentityPoolsResponse> {
      const accountId = accountOf(ctx.principal);
      const listing = `ListIdentityPools:${accountId}`;
      const page = await store.listIdentityPools(accountId, input.MaxResults, pageTokens.resume(listing, input.NextToken));
      return {
        IdentityPools: page.items.map((p) => ({ IdentityPoolId: p.identityPoolId, IdentityPoolName: p.spec.IdentityPoolName })),
        NextToken: pageTokens.issue(listing, page.nextAfter),
      };
    },

    async UpdateIdentityPool(input, ctx): Promise<IdentityPoolWire> {
      checkPoolTags(input.IdentityPoolTags);
      const pool = await requireOwnedPool(store, ctx.principal, input.IdentityPoolId);
      // Read, checked and written in one step, so a TagResource racing this update is not lost.
      const spec = await store.changeIdentityPoolSpec(pool.identityPoolId, (current) => {
        const next = specFrom(input);
        const existingProvider = current.DeveloperProviderName;
        if (existingProvider !== undefined && next.DeveloperProviderName !== undefined && next.DeveloperProviderName !== existingProvider) {
          throw invalidParameter('DeveloperProviderName cannot be changed once it is set.');
        }
        if (existingProvider !== undefined) next.DeveloperProviderName = existingProvider;
        // Tags are managed by TagResource/UntagResource; an update that names none keeps them.
        if (next.IdentityPoolTags === undefined && current.IdentityPoolTags !== undefined) next.IdentityPoolTags = current.IdentityPoolTags;
        return next;
      });
      if (!spec) throw resourceNotFound(`IdentityPool '${pool.identityPoolId}' not found.`);
      return toWire({ ...pool, spec });
    },

    async DeleteIdentityPool(input, ctx): Promise<void> {
      await requireOwnedPool(store, ctx.principal, input.IdentityPoolId);
      await store.deleteIdentityPool(input.IdentityPoolId);
    },
  };
}
