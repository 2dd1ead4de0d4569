// Row shapes and the checks every dataset operation starts with, shared by datasets.ts, records.ts and
// sync-usage.ts.
import type { DatasetInfo, IdentityNotFound, SyncRecord } from '../store.ts';
import type { Queryable } from './database.ts';

/** Named columns, not `*`: statements are prepared (database.ts), and a prepared `SELECT *` fails on a node
 *  still running the old release once a rolling upgrade adds a column. */
export const DATASET_COLUMNS =
  'identity_id, dataset_name, identity_pool_id, sync_count, deleted_through, created_at, last_modified_at, last_modified_by, num_records, data_storage, merged_base_name';

export interface DatasetRow {
  identity_id: string;
  dataset_name: string;
  identity_pool_id: string;
  sync_count: number;
  deleted_through: number;
  created_at: Date;
  last_modified_at: Date;
  last_modified_by: string;
  num_records: number;
  data_storage: number;
  merged_base_name: string | null;
}

export interface RecordRow {
  record_key: string;
  value: string | null;
  sync_count: number;
  size: number;
  last_modified_at: Date;
  last_modified_by: string;
  device_last_modified_at: Date | null;
}

export const toDatasetInfo = (row: DatasetRow): DatasetInfo => ({
  identityId: row.identity_id,
  datasetName: row.dataset_name,
  createdAt: row.created_at,
  lastModifiedAt: row.last_modified_at,
  lastModifiedBy: row.last_modified_by,
  dataStorage: row.data_storage,
  numRecords: row.num_records,
  syncCount: row.sync_count,
});

export function toSyncRecord(row: RecordRow): SyncRecord {
  const record: SyncRecord = {
    key: row.record_key,
    syncCount: row.sync_count,
    lastModifiedAt: row.last_modified_at,
    lastModifiedBy: row.last_modified_by,
  };
  if (row.value !== null) record.value = row.value;
  if (row.device_last_modified_at !== null) record.deviceLastModifiedAt = row.device_last_modified_at;
  return record;
}

/**
 * Undefined when the identity exists in the pool and may hold data. A merged identity no longer does: its
 * datasets now live under the survivor. `lock` takes the identity's row lock (see records.ts for when).
 */
export async function identityNotFound(db: Queryable, identityPoolId: string, identityId: string, lock = false): Promise<IdentityNotFound | undefined> {
  const row = (
    await db.query<{ identity_pool_id: string; merged_into: string | null }>(
      `SELECT identity_pool_id, merged_into FROM identities WHERE identity_id = $1${lock ? ' FOR UPDATE' : ''}`,
      [identityId],
    )
  ).rows[0];
  if (!row || row.identity_pool_id !== identityPoolId) return { outcome: 'identity-not-found' };
  if (row.merged_into !== null) return { outcome: 'identity-not-found', mergedInto: row.merged_into };
  return undefined;
}

export async function readDataset(db: Queryable, identityId: string, datasetName: string, lock = false): Promise<DatasetRow | undefined> {
  return (
    await db.query<DatasetRow>(`SELECT ${DATASET_COLUMNS} FROM datasets WHERE identity_id = $1 AND dataset_name = $2${lock ? ' FOR UPDATE' : ''}`, [
      identityId,
      datasetName,
    ])
  ).rows[0];
}

export async function deletedMarker(db: Queryable, identityId: string, datasetName: string): Promise<number | undefined> {
  return (
    await db.query<{ sync_count: number }>('SELECT sync_count FROM deleted_datasets WHERE identity_id = $1 AND dataset_name = $2', [
      identityId,
      datasetName,
    ])
  ).rows[0]?.sync_count;
}
