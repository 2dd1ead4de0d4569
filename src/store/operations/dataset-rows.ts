// Dataset and record rows, and the checks every dataset operation starts with (datasets.ts, records.ts,
// sync-usage.ts, push.ts, bulk-publish.ts, imports.ts).
import type { RowShape, SqlDatabase, SqlRunner } from '../sql/database.ts';
import { asDate, asOptionalDate } from '../sql/row-values.ts';
import { empty, forUpdate, sql, type SqlValue } from '../sql/sql.ts';
import type { DatasetAddress, DatasetInfo, IdentityNotFound, SyncRecord } from '../store.ts';

export interface DatasetRow {
  identity_id: string;
  dataset_name: string;
  identity_pool_id: string;
  sync_count: number;
  deleted_through: number;
  created_at: number | Date;
  last_modified_at: number | Date;
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
  last_modified_at: number | Date;
  last_modified_by: string;
  device_last_modified_at: number | Date | null;
}

/** Named columns, not `*`: PostgreSQL statements are prepared, and a prepared `SELECT *` fails on a node still
 *  running the old release once a rolling upgrade adds a column. */
export const DATASET_COLUMNS = sql`identity_id, dataset_name, identity_pool_id, sync_count, deleted_through, created_at,
  last_modified_at, last_modified_by, num_records, data_storage, merged_base_name`;
export const RECORD_COLUMNS = sql`record_key, value, sync_count, size, last_modified_at, last_modified_by, device_last_modified_at`;

export const toDatasetInfo = (row: DatasetRow): DatasetInfo => ({
  identityId: row.identity_id,
  datasetName: row.dataset_name,
  createdAt: asDate(row.created_at),
  lastModifiedAt: asDate(row.last_modified_at),
  lastModifiedBy: row.last_modified_by,
  dataStorage: row.data_storage,
  numRecords: row.num_records,
  syncCount: row.sync_count,
});

export function toSyncRecord(row: RecordRow): SyncRecord {
  const record: SyncRecord = {
    key: row.record_key,
    syncCount: row.sync_count,
    lastModifiedAt: asDate(row.last_modified_at),
    lastModifiedBy: row.last_modified_by,
  };
  if (row.value !== null) record.value = row.value;
  const device = asOptionalDate(row.device_last_modified_at);
  if (device) record.deviceLastModifiedAt = device;
  return record;
}

const lockClause = (lock: boolean) => (lock ? forUpdate : empty);

/**
 * Undefined when the identity exists in the pool and may hold data. A merged identity no longer does: its
 * datasets now live under the survivor. `lock` takes the identity's row lock (PostgreSQL; see records.ts).
 */
export async function identityNotFound(tx: SqlRunner, identityPoolId: string, identityId: string, lock = false): Promise<IdentityNotFound | undefined> {
  const row = await tx.get<{ identity_pool_id: string; merged_into: string | null }>(
    sql`SELECT identity_pool_id, merged_into FROM identities WHERE identity_id = ${identityId}${lockClause(lock)}`,
  );
  if (!row || row.identity_pool_id !== identityPoolId) return { outcome: 'identity-not-found' };
  if (row.merged_into !== null) return { outcome: 'identity-not-found', mergedInto: row.merged_into };
  return undefined;
}

export function readDataset(tx: SqlRunner, identityId: string, datasetName: string, lock = false): Promise<DatasetRow | undefined> {
  return tx.get<DatasetRow>(
    sql`SELECT ${DATASET_COLUMNS} FROM datasets WHERE identity_id = ${identityId} AND dataset_name = ${datasetName}${lockClause(lock)}`,
  );
}

/** The last SyncCount of a deleted incarnation of the dataset, if it was deleted and not recreated. */
export async function deletedMarker(tx: SqlRunner, identityId: string, datasetName: string): Promise<number | undefined> {
  const row = await tx.get<{ sync_count: number }>(
    sql`SELECT sync_count FROM deleted_datasets WHERE identity_id = ${identityId} AND dataset_name = ${datasetName}`,
  );
  return row?.sync_count;
}

/**
 * The start of every write to one dataset (UpdateRecords, imports): the identity must hold data, and the dataset
 * row is locked when it exists; otherwise the identity row is locked, then the dataset row read again in case a
 * writer that held the identity lock just created it. Identity before dataset, always, so lock order never
 * inverts (PostgreSQL; on SQLite the one writer at a time makes the locks unnecessary).
 */
export async function lockDatasetForWrite(tx: SqlRunner, address: DatasetAddress): Promise<IdentityNotFound | { existing: DatasetRow | undefined }> {
  const { identityPoolId, identityId, datasetName } = address;
  const missing = await identityNotFound(tx, identityPoolId, identityId);
  if (missing) return missing;
  const existing = await readDataset(tx, identityId, datasetName, true);
  if (existing) return { existing };
  // Re-checked under the identity's lock: a merge may have moved it away meanwhile.
  return (await identityNotFound(tx, identityPoolId, identityId, true)) ?? { existing: await readDataset(tx, identityId, datasetName, true) };
}

const RECORD_ROWS: RowShape = {
  table: 'dataset_records',
  columns: [
    ['identity_id', 'text'], ['dataset_name', 'text'], ['record_key', 'text'], ['value', 'text'], ['sync_count', 'bigint'], ['size', 'bigint'],
    ['last_modified_at', 'timestamptz'], ['last_modified_by', 'text'], ['device_last_modified_at', 'timestamptz'],
  ],
  onConflict: `ON CONFLICT (identity_id, dataset_name, record_key) DO UPDATE SET value = excluded.value,
    sync_count = excluded.sync_count, size = excluded.size, last_modified_at = excluded.last_modified_at,
    last_modified_by = excluded.last_modified_by, device_last_modified_at = excluded.device_last_modified_at`,
};

/**
 * Writes records, replacing stored ones of the same keys (UpdateRecords, imports). Each row gives the columns
 * of RECORD_ROWS, in that order; no key may appear twice (PostgreSQL's ON CONFLICT touches a row once per statement).
 */
export function upsertRecords(db: SqlDatabase, tx: SqlRunner, rows: SqlValue[][]): Promise<void> {
  return db.insertRows(tx, { shape: RECORD_ROWS, rows });
}
