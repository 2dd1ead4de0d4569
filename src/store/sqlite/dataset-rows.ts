// Row shapes and the checks every dataset operation starts with, shared by datasets.ts, records.ts and
// sync-usage.ts.
import type { DatasetInfo, IdentityNotFound, SyncRecord } from '../store.ts';
import type { Db } from './database.ts';

export interface DatasetRow {
  identity_id: string;
  dataset_name: string;
  identity_pool_id: string;
  sync_count: number;
  deleted_through: number;
  created_at: number;
  last_modified_at: number;
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
  last_modified_at: number;
  last_modified_by: string;
  device_last_modified_at: number | null;
}

export const toDatasetInfo = (row: DatasetRow): DatasetInfo => ({
  identityId: row.identity_id,
  datasetName: row.dataset_name,
  createdAt: new Date(row.created_at),
  lastModifiedAt: new Date(row.last_modified_at),
  lastModifiedBy: row.last_modified_by,
  dataStorage: row.data_storage,
  numRecords: row.num_records,
  syncCount: row.sync_count,
});

export function toSyncRecord(row: RecordRow): SyncRecord {
  const record: SyncRecord = {
    key: row.record_key,
    syncCount: row.sync_count,
    lastModifiedAt: new Date(row.last_modified_at),
    lastModifiedBy: row.last_modified_by,
  };
  if (row.value !== null) record.value = row.value;
  if (row.device_last_modified_at !== null) record.deviceLastModifiedAt = new Date(row.device_last_modified_at);
  return record;
}

/**
 * Undefined when the identity exists in the pool and may hold data. A merged identity no longer does: its
 * datasets now live under the survivor.
 */
export function identityNotFound(db: Db, identityPoolId: string, identityId: string): IdentityNotFound | undefined {
  const row = db.prepare('SELECT identity_pool_id, merged_into FROM identities WHERE identity_id = ?').get(identityId) as
    | { identity_pool_id: string; merged_into: string | null }
    | undefined;
  if (!row || row.identity_pool_id !== identityPoolId) return { outcome: 'identity-not-found' };
  if (row.merged_into !== null) return { outcome: 'identity-not-found', mergedInto: row.merged_into };
  return undefined;
}

export function readDataset(db: Db, identityId: string, datasetName: string): DatasetRow | undefined {
  return db.prepare('SELECT * FROM datasets WHERE identity_id = ? AND dataset_name = ?').get(identityId, datasetName) as
    | DatasetRow
    | undefined;
}
