// ListRecords and UpdateRecords on the embedded store. UpdateRecords runs under BEGIN IMMEDIATE, so racing
// writers on one dataset (in this process or another) take turns and each sees the count the last one left.
import type {
  DatasetAddress,
  DatasetInfo,
  ListRecordsResult,
  RecordPatchInput,
  RecordPosition,
  SyncQuotas,
  SyncRecord,
  UpdateRecordsResult,
} from '../store.ts';
import { planRecordPatches, type StoredRecordState } from '../record-patch-plan.ts';
import { syncStreamEntry } from '../stream-outbox-entries.ts';
import { type Db, inReadTransaction, inTransaction } from './database.ts';
import { addStreamEntryIfEnabled } from './outbox.ts';
import { addPushEntries } from './push.ts';
import { identityNotFound, type RecordRow, readDataset, toDatasetInfo, toSyncRecord } from './dataset-rows.ts';

export function listRecords(
  db: Db,
  address: DatasetAddress,
  options: { lastSyncCount: number; limit: number; after?: RecordPosition; startsSession: boolean },
): ListRecordsResult {
  const run = () => {
    const { identityPoolId, identityId, datasetName } = address;
    const missing = identityNotFound(db, identityPoolId, identityId);
    if (missing) return missing;
    const merged = db
      .prepare('SELECT dataset_name FROM datasets WHERE identity_id = ? AND merged_base_name = ? ORDER BY dataset_name')
      .all(identityId, datasetName) as Array<{ dataset_name: string }>;
    const mergedDatasetNames = merged.map((m) => m.dataset_name);
    const { lastSyncCount } = options;
    const row = readDataset(db, identityId, datasetName);
    let result: ListRecordsResult;
    if (!row) {
      const marker = db
        .prepare('SELECT sync_count FROM deleted_datasets WHERE identity_id = ? AND dataset_name = ?')
        .get(identityId, datasetName) as { sync_count: number } | undefined;
      result = {
        outcome: 'ok',
        records: [],
        mergedDatasetNames,
        deletedAfterRequestedSyncCount: marker !== undefined && lastSyncCount > 0 && lastSyncCount <= marker.sync_count,
      };
    } else {
      if (lastSyncCount > row.sync_count) return { outcome: 'no-such-sync-count' as const, datasetSyncCount: row.sync_count };
      const after = options.after ?? { syncCount: lastSyncCount, key: '' };
      // Records after `after` in (sync_count, key) order; a first page starts at (lastSyncCount, '') which is
      // below every key of a record with that count, so only counts above lastSyncCount come back.
      const rows = db
        .prepare(
          `SELECT record_key, value, sync_count, size, last_modified_at, last_modified_by, device_last_modified_at
           FROM dataset_records
           WHERE identity_id = ? AND dataset_name = ? AND sync_count > ? AND (sync_count, record_key) > (?, ?)
           ORDER BY sync_count, record_key LIMIT ?`,
        )
        .all(identityId, datasetName, lastSyncCount, after.syncCount, after.key, options.limit + 1) as unknown as RecordRow[];
      const records = rows.slice(0, options.limit).map(toSyncRecord);
      const last = records.at(-1);
      result = {
        outcome: 'ok',
        dataset: toDatasetInfo(row),
        records,
        nextAfter: rows.length > options.limit && last ? { syncCount: last.syncCount, key: last.key } : undefined,
        mergedDatasetNames,
        deletedAfterRequestedSyncCount: lastSyncCount > 0 && lastSyncCount <= row.deleted_through,
      };
    }
    if (options.startsSession) {
      db.prepare(
        `INSERT INTO sync_pool_usage (identity_pool_id, sync_sessions_count) VALUES (?, 1)
         ON CONFLICT (identity_pool_id) DO UPDATE SET sync_sessions_count = sync_sessions_count + 1`,
      ).run(identityPoolId);
    }
    return result;
  };
  return options.startsSession ? inTransaction(db, run) : inReadTransaction(db, run);
}

export function updateRecords(
  db: Db,
  address: DatasetAddress,
  change: { patches: RecordPatchInput[]; modifiedBy: string; now: Date; quotas: SyncQuotas; writerDeviceId?: string },
): UpdateRecordsResult {
  const { identityPoolId, identityId, datasetName } = address;
  const { patches, modifiedBy, now, quotas } = change;
  return inTransaction(db, (): UpdateRecordsResult => {
    const missing = identityNotFound(db, identityPoolId, identityId);
    if (missing) return missing;
    const existing = readDataset(db, identityId, datasetName);
    let deletedThrough = existing?.deleted_through ?? 0;
    if (!existing) {
      const marker = db
        .prepare('SELECT sync_count FROM deleted_datasets WHERE identity_id = ? AND dataset_name = ?')
        .get(identityId, datasetName) as { sync_count: number } | undefined;
      deletedThrough = marker?.sync_count ?? 0;
    }
    const currentCount = existing?.sync_count ?? deletedThrough;

    const readRecord = db.prepare(
      'SELECT record_key, value, sync_count, size FROM dataset_records WHERE identity_id = ? AND dataset_name = ? AND record_key = ?',
    );
    const stored = new Map<string, StoredRecordState>();
    for (const key of new Set(patches.map((p) => p.key))) {
      const row = readRecord.get(identityId, datasetName, key) as RecordRow | undefined;
      if (row) stored.set(key, { value: row.value, syncCount: row.sync_count, size: row.size });
    }
    const identityDatasetCount = existing
      ? undefined
      : (db.prepare('SELECT count(*) AS n FROM datasets WHERE identity_id = ?').get(identityId) as { n: number }).n;
    const plan = planRecordPatches(
      { syncCount: currentCount, numRecords: existing?.num_records ?? 0, dataStorage: existing?.data_storage ?? 0, exists: existing !== undefined, identityDatasetCount },
      stored,
      patches,
      quotas,
    );
    if (plan.outcome !== 'accepted') return plan;
    const { numRecords, dataStorage, sizes } = plan;

    const { syncCount } = plan;
    const at = now.getTime();
    if (existing) {
      db.prepare(
        `UPDATE datasets SET sync_count = ?, last_modified_at = ?, last_modified_by = ?, num_records = ?, data_storage = ?
         WHERE identity_id = ? AND dataset_name = ?`,
      ).run(syncCount, at, modifiedBy, numRecords, dataStorage, identityId, datasetName);
    } else {
      db.prepare(
        `INSERT INTO datasets (identity_id, dataset_name, identity_pool_id, sync_count, deleted_through, created_at,
           last_modified_at, last_modified_by, num_records, data_storage)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(identityId, datasetName, identityPoolId, syncCount, deletedThrough, at, at, modifiedBy, numRecords, dataStorage);
      db.prepare('DELETE FROM deleted_datasets WHERE identity_id = ? AND dataset_name = ?').run(identityId, datasetName);
    }

    const write = db.prepare(
      `INSERT INTO dataset_records (identity_id, dataset_name, record_key, value, sync_count, size, last_modified_at,
         last_modified_by, device_last_modified_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (identity_id, dataset_name, record_key) DO UPDATE SET value = excluded.value,
         sync_count = excluded.sync_count, size = excluded.size, last_modified_at = excluded.last_modified_at,
         last_modified_by = excluded.last_modified_by, device_last_modified_at = excluded.device_last_modified_at`,
    );
    const records: SyncRecord[] = patches.map((patch, i) => {
      const value = patch.op === 'replace' ? (patch.value ?? '') : null;
      const device = patch.deviceLastModifiedAt?.getTime() ?? null;
      write.run(identityId, datasetName, patch.key, value, syncCount, sizes[i]!, at, modifiedBy, device);
      return toSyncRecord({
        record_key: patch.key,
        value,
        sync_count: syncCount,
        size: sizes[i]!,
        last_modified_at: at,
        last_modified_by: modifiedBy,
        device_last_modified_at: device,
      });
    });

    const dataset: DatasetInfo = toDatasetInfo({
      identity_id: identityId,
      dataset_name: datasetName,
      identity_pool_id: identityPoolId,
      sync_count: syncCount,
      deleted_through: deletedThrough,
      created_at: existing?.created_at ?? at,
      last_modified_at: at,
      last_modified_by: modifiedBy,
      num_records: numRecords,
      data_storage: dataStorage,
      merged_base_name: existing?.merged_base_name ?? null,
    });
    // Same transaction: the stream gets this sync exactly when it committed.
    const streamed = addStreamEntryIfEnabled(db, identityPoolId, now, () => syncStreamEntry(address, dataset, records));
    // Same transaction too: a push for every subscribed device but the writer's.
    const pushes = addPushEntries(db, address, syncCount, change.writerDeviceId, now);
    return { outcome: 'ok', records, dataset, outboxed: streamed || pushes > 0 };
  });
}
