// What every dataset operation shares: wording a missing identity or dataset, who a write
// is attributed to, and how many items a page holds.
import type { Principal } from '../../auth/principal.ts';
import type { Dataset, DescribeDatasetRequest, Record as RecordWire } from '../../model/cognito-sync-types.ts';
import { invalidParameter, resourceNotFound, ServiceError } from '../../protocol/errors.ts';
import type { DatasetAddress, DatasetInfo, IdentityNotFound, SyncRecord } from '../../store/store.ts';

/** The URI members every dataset operation carries. */
export type DatasetInput = Pick<DescribeDatasetRequest, 'IdentityPoolId' | 'IdentityId' | 'DatasetName'>;

export const addressOf = (input: DatasetInput): DatasetAddress => ({
  identityPoolId: input.IdentityPoolId,
  identityId: input.IdentityId,
  datasetName: input.DatasetName,
});

export function identityNotFoundError(identityPoolId: string, identityId: string, result: IdentityNotFound): ServiceError {
  if (result.mergedInto) {
    return resourceNotFound(`Identity '${identityId}' was merged into '${result.mergedInto}'; its datasets are now under that identity.`);
  }
  return resourceNotFound(`Identity '${identityId}' not found in identity pool '${identityPoolId}'.`);
}

export const datasetNotFound = (address: DatasetAddress) =>
  resourceNotFound(`Dataset '${address.datasetName}' not found for identity '${address.identityId}'.`);

/** LastModifiedBy: the identity id for identity credentials, the account id for developer credentials. */
export function writerOf(principal: Principal): string {
  if (principal.kind === 'identity') return principal.identityId;
  if (principal.kind === 'developer') return principal.accountId;
  throw new ServiceError('NotAuthorizedException', 'Missing credentials: this operation must be signed.');
}

/** MaxResults: absent → the default; below 1 → 400; above the most a page holds → that most. */
export function pageSize(maxResults: number | undefined, defaults: { default: number; max: number }): number {
  if (maxResults === undefined) return defaults.default;
  if (maxResults < 1) throw invalidParameter(`MaxResults must be at least 1, got ${maxResults}.`);
  return Math.min(maxResults, defaults.max);
}

export const datasetToWire = (dataset: DatasetInfo): Dataset => ({
  IdentityId: dataset.identityId,
  DatasetName: dataset.datasetName,
  CreationDate: dataset.createdAt,
  LastModifiedDate: dataset.lastModifiedAt,
  LastModifiedBy: dataset.lastModifiedBy,
  DataStorage: dataset.dataStorage,
  NumRecords: dataset.numRecords,
});

/** A record without Value is a tombstone: clients treat it as deleted. */
export const recordToWire = (record: SyncRecord): RecordWire => ({
  Key: record.key,
  Value: record.value,
  SyncCount: record.syncCount,
  LastModifiedDate: record.lastModifiedAt,
  LastModifiedBy: record.lastModifiedBy,
  DeviceLastModifiedDate: record.deviceLastModifiedAt,
});
