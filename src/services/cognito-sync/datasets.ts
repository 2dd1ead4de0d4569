// ListDatasets, DescribeDataset, DeleteDataset: dataset metadata. Datasets themselves are made by their first
// UpdateRecords (records.ts).
import type { DeleteDatasetResponse, DescribeDatasetResponse, ListDatasetsResponse } from '../../model/cognito-sync-types.ts';
import type { DatasetStore, IdentityPoolStore } from '../../store/store.ts';
import type { CognitoSyncHandlers } from '../context.ts';
import type { PageTokens } from '../pagination.ts';
import { requireOwnedPool } from '../pool-access.ts';
import { addressOf, datasetNotFound, datasetToWire, identityNotFoundError, pageSize } from './dataset-access.ts';

/** Android asks for 64 per page; an identity holds 20 at AWS's quota (more only through merges). */
const DATASETS_PAGE = { default: 64, max: 1024 };

export function datasetHandlers(
  store: IdentityPoolStore & DatasetStore,
  pageTokens: PageTokens,
): Pick<CognitoSyncHandlers, 'ListDatasets' | 'DescribeDataset' | 'DeleteDataset'> {
  return {
    async ListDatasets(input, ctx): Promise<ListDatasetsResponse> {
      const limit = pageSize(input.MaxResults, DATASETS_PAGE);
      await requireOwnedPool(store, ctx.principal, input.IdentityPoolId);
      const listing = `ListDatasets:${input.IdentityPoolId}:${input.IdentityId}`;
      const result = await store.listDatasets(input.IdentityPoolId, input.IdentityId, limit, pageTokens.resume(listing, input.NextToken));
      if (result.outcome === 'identity-not-found') throw identityNotFoundError(input.IdentityPoolId, input.IdentityId, result);
      return {
        Datasets: result.page.items.map(datasetToWire),
        Count: result.page.items.length,
        NextToken: pageTokens.issue(listing, result.page.nextAfter),
      };
    },

    async DescribeDataset(input, ctx): Promise<DescribeDatasetResponse> {
      const address = addressOf(input);
      await requireOwnedPool(store, ctx.principal, address.identityPoolId);
      const result = await store.describeDataset(address);
      if (result.outcome === 'identity-not-found') throw identityNotFoundError(address.identityPoolId, address.identityId, result);
      if (!result.dataset) throw datasetNotFound(address);
      return { Dataset: datasetToWire(result.dataset) };
    },

    async DeleteDataset(input, ctx): Promise<DeleteDatasetResponse> {
      const address = addressOf(input);
      await requireOwnedPool(store, ctx.principal, address.identityPoolId);
      const result = await store.deleteDataset(address, ctx.now);
      if (result.outcome === 'identity-not-found') throw identityNotFoundError(address.identityPoolId, address.identityId, result);
      if (!result.dataset) throw datasetNotFound(address);
      return { Dataset: datasetToWire(result.dataset) };
    },
  };
}
