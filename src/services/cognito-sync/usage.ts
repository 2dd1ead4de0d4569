// DescribeIdentityUsage, DescribeIdentityPoolUsage, ListIdentityPoolUsage: how much an identity or a pool
// stores, and how many sync sessions (ListRecords pulls) a pool has served.
import type { Principal } from '../../auth/principal.ts';
import type {
  DescribeIdentityPoolUsageResponse,
  DescribeIdentityUsageResponse,
  IdentityPoolUsage,
  ListIdentityPoolUsageResponse,
} from '../../model/cognito-sync-types.ts';
import type { DatasetStore, IdentityPoolStore, PoolUsageFigures } from '../../store/store.ts';
import type { CognitoSyncHandlers } from '../context.ts';
import type { PageTokens } from '../pagination.ts';
import { requireOwnedPool } from '../pool-access.ts';
import { identityNotFoundError, pageSize } from './dataset-access.ts';

/** The same page bounds as ListIdentityPools. */
const POOLS_PAGE = { default: 60, max: 60 };

const poolUsageToWire = (usage: PoolUsageFigures): IdentityPoolUsage => ({
  IdentityPoolId: usage.identityPoolId,
  SyncSessionsCount: usage.syncSessionsCount,
  DataStorage: usage.dataStorage,
  LastModifiedDate: usage.lastModifiedAt,
});

function accountOf(principal: Principal): string {
  if (principal.kind === 'anonymous') throw new Error('pool usage needs a signed caller');
  return principal.accountId;
}

export function usageHandlers(
  store: IdentityPoolStore & DatasetStore,
  pageTokens: PageTokens,
): Pick<CognitoSyncHandlers, 'DescribeIdentityUsage' | 'DescribeIdentityPoolUsage' | 'ListIdentityPoolUsage'> {
  return {
    async DescribeIdentityUsage(input, ctx): Promise<DescribeIdentityUsageResponse> {
      await requireOwnedPool(store, ctx.principal, input.IdentityPoolId);
      const result = await store.describeIdentityUsage(input.IdentityPoolId, input.IdentityId);
      if (result.outcome === 'identity-not-found') throw identityNotFoundError(input.IdentityPoolId, input.IdentityId, result);
      return {
        IdentityUsage: {
          IdentityId: input.IdentityId,
          IdentityPoolId: input.IdentityPoolId,
          LastModifiedDate: result.usage.lastModifiedAt,
          DatasetCount: result.usage.datasetCount,
          DataStorage: result.usage.dataStorage,
        },
      };
    },

    async DescribeIdentityPoolUsage(input, ctx): Promise<DescribeIdentityPoolUsageResponse> {
      await requireOwnedPool(store, ctx.principal, input.IdentityPoolId);
      return { IdentityPoolUsage: poolUsageToWire(await store.describeIdentityPoolUsage(input.IdentityPoolId)) };
    },

    async ListIdentityPoolUsage(input, ctx): Promise<ListIdentityPoolUsageResponse> {
      const limit = pageSize(input.MaxResults, POOLS_PAGE);
      const accountId = accountOf(ctx.principal);
      const listing = `ListIdentityPoolUsage:${accountId}`;
      const page = await store.listIdentityPoolUsage(accountId, limit, pageTokens.resume(listing, input.NextToken));
      return {
        IdentityPoolUsages: page.items.map(poolUsageToWire),
        MaxResults: limit,
        Count: page.items.length,
        NextToken: pageTokens.issue(listing, page.nextAfter),
      };
    },
  };
}
