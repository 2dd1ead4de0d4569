// ListRecords and UpdateRecords.
//
// UpdateRecords locks before it reads anything it decides on (lockDatasetForWrite), so writers of one dataset on
// any node run one after another and each sees the count, records and sizes the previous one committed:
// SyncCount rises by exactly one per success, a stale patch is a conflict, and quotas hold.
import { planRecordPatches, type StoredRecordState } from '../record-patch-plan.ts';
import type { SqlDatabase, SqlRunner } from '../sql/database.ts';
import { anyOf, sql } from '../sql/sql.ts';
import type {
  DatasetAddress,
  ListRecordsResult,
  RecordPatchInput,
  RecordPosition,
  SpendableSyncSession,
  SyncQuotas,
  SyncRecord,
  UpdateRecordsResult,
} from '../store.ts';
import { syncStreamEntry } from '../stream-outbox-entries.ts';
import { deletedMarker, identityNotFound, lockDatasetForWrite, RECORD_COLUMNS, type RecordRow, readDataset, toDatasetInfo, toSyncRecord, upsertRecords } from './dataset-rows.ts';
import { addStreamEntryIfEnabled } from './outbox.ts';
import { addPushEntries } from './push.ts';
import { spendSyncSession } from './sync-sessions.ts';

/** One snapshot: the dataset's state, the merged datasets' names and the page of records agree. */
export function listRecords(
  db: SqlDatabase,
  address: DatasetAddress,
  options: { lastSyncCount: number; limit: number; after?: RecordPosition },
): Promise<ListRecordsResult> {
  const { identityPoolId, identityId, datasetName } = address;
  const { lastSyncCount, limit } = options;
  return db.read(async (tx): Promise<ListRecordsResult> => {
    const missing = await identityNotFound(tx, identityPoolId, identityId);
    if (missing) return missing;
    const merged = await tx.all<{ dataset_name: string }>(
      sql`SELECT dataset_name FROM datasets WHERE identity_id = ${identityId} AND merged_base_name = ${datasetName} ORDER BY dataset_name`,
    );
    const mergedDatasetNames = merged.map((m) => m.dataset_name);
    const row = await readDataset(tx, identityId, datasetName);
    if (!row) {
      const marker = await deletedMarker(tx, identityId, datasetName);
      const deletedAfterRequestedSyncCount = marker !== undefined && lastSyncCount > 0 && lastSyncCount <= marker;
      return { outcome: 'ok', records: [], mergedDatasetNames, deletedAfterRequestedSyncCount };
    }
    if (lastSyncCount > row.sync_count) return { outcome: 'no-such-sync-count', datasetSyncCount: row.sync_count };
    const after = options.after ?? { syncCount: lastSyncCount, key: '' };
    // Records after `after` in (sync_count, key) order; a first page starts at (lastSyncCount, '') which is below
    // every key of a record with that count, so only counts above lastSyncCount come back.
    const rows = await tx.all<RecordRow>(
      sql`SELECT ${RECORD_COLUMNS} FROM dataset_records
          WHERE identity_id = ${identityId} AND dataset_name = ${datasetName} AND sync_count > ${lastSyncCount}
            AND (sync_count, record_key) > (${after.syncCount}, ${after.key})
          ORDER BY sync_count, record_key LIMIT ${limit + 1}`,
    );
    const records = rows.slice(0, limit).map(toSyncRecord);
    const last = records.at(-1);
    return {
      outcome: 'ok',
      dataset: toDatasetInfo(row),
      records,
      nextAfter: rows.length > limit && last ? { syncCount: last.syncCount, key: last.key } : undefined,
      mergedDatasetNames,
      deletedAfterRequestedSyncCount: lastSyncCount > 0 && lastSyncCount <= row.deleted_through,
    };
  });
}

export function updateRecords(
  db: SqlDatabase,
  address: DatasetAddress,
  change: { patches: RecordPatchInput[]; modifiedBy: string; now: Date; quotas: SyncQuotas; writerDeviceId?: string; syncSession?: SpendableSyncSession },
): Promise<UpdateRecordsResult> {
  const { identityPoolId, identityId, datasetName } = address;
  const { patches, modifiedBy, now, quotas } = change;
  return db.write(async (tx): Promise<UpdateRecordsResult> => {
    const locked = await lockDatasetForWrite(tx, address);
    if ('outcome' in locked) return locked;
    const { existing } = locked;
    const deletedThrough = existing ? existing.deleted_through : ((await deletedMarker(tx, identityId, datasetName)) ?? 0);
    const stored = existing ? await storedRecords(tx, address, patches) : new Map<string, StoredRecordState>();
    const identityDatasetCount = existing
      ? undefined
      : (await tx.get<{ n: number }>(sql`SELECT count(*) AS n FROM datasets WHERE identity_id = ${identityId}`))!.n;
    const plan = planRecordPatches(
      {
        syncCount: existing?.sync_count ?? deletedThrough,
        numRecords: existing?.num_records ?? 0,
        dataStorage: existing?.data_storage ?? 0,
        exists: existing !== undefined,
        identityDatasetCount,
      },
      stored,
      patches,
      quotas,
    );
    if (plan.outcome !== 'accepted') return plan;
    // Nothing has been written yet: a spent session refuses the batch with the transaction still clean.
    if (change.syncSession && !(await spendSyncSession(tx, change.syncSession))) return { outcome: 'session-spent' };
    const { syncCount, numRecords, dataStorage, sizes } = plan;

    if (existing) {
      await tx.run(
        sql`UPDATE datasets SET sync_count = ${syncCount}, last_modified_at = ${now}, last_modified_by = ${modifiedBy},
              num_records = ${numRecords}, data_storage = ${dataStorage}
            WHERE identity_id = ${identityId} AND dataset_name = ${datasetName}`,
      );
    } else {
      await tx.run(
        sql`INSERT INTO datasets (identity_id, dataset_name, identity_pool_id, sync_count, deleted_through, created_at,
              last_modified_at, last_modified_by, num_records, data_storage)
            VALUES (${identityId}, ${datasetName}, ${identityPoolId}, ${syncCount}, ${deletedThrough}, ${now}, ${now},
              ${modifiedBy}, ${numRecords}, ${dataStorage})`,
      );
      await tx.run(sql`DELETE FROM deleted_datasets WHERE identity_id = ${identityId} AND dataset_name = ${datasetName}`);
    }

    const records: SyncRecord[] = patches.map((patch) => {
      const record: SyncRecord = { key: patch.key, syncCount, lastModifiedAt: now, lastModifiedBy: modifiedBy };
      if (patch.op === 'replace') record.value = patch.value ?? '';
      if (patch.deviceLastModifiedAt) record.deviceLastModifiedAt = patch.deviceLastModifiedAt;
      return record;
    });
    // A key patched twice in one batch ends as its last patch left it, as writing the patches one by one would
    // (and PostgreSQL's ON CONFLICT may touch each row only once per statement).
    const lastByKey = new Map<string, { record: SyncRecord; size: number }>();
    records.forEach((record, i) => lastByKey.set(record.key, { record, size: sizes[i]! }));
    await upsertRecords(
      db,
      tx,
      [...lastByKey.values()].map(({ record, size }) => [
        identityId, datasetName, record.key, record.value ?? null, syncCount, size, now, modifiedBy, record.deviceLastModifiedAt ?? null,
      ]),
    );

    const dataset = toDatasetInfo({
      identity_id: identityId,
      dataset_name: datasetName,
      identity_pool_id: identityPoolId,
      sync_count: syncCount,
      deleted_through: deletedThrough,
      created_at: existing?.created_at ?? now,
      last_modified_at: now,
      last_modified_by: modifiedBy,
      num_records: numRecords,
      data_storage: dataStorage,
      merged_base_name: existing?.merged_base_name ?? null,
    });
    // Same transaction: the stream gets this sync exactly when it committed.
    const streamed = await addStreamEntryIfEnabled(tx, identityPoolId, now, () => syncStreamEntry(address, dataset, records));
    // Same transaction too: a push for every subscribed device but the writer's.
    const pushes = await addPushEntries(tx, address, syncCount, change.writerDeviceId, now);
    return { outcome: 'ok', records, dataset, outboxed: streamed || pushes > 0 };
  }, { grouped: true });
}

async function storedRecords(tx: SqlRunner, address: DatasetAddress, patches: RecordPatchInput[]): Promise<Map<string, StoredRecordState>> {
  const rows = await tx.all<RecordRow>(
    sql`SELECT record_key, value, sync_count, size FROM dataset_records
        WHERE identity_id = ${address.identityId} AND dataset_name = ${address.datasetName}
          AND record_key ${anyOf([...new Set(patches.map((p) => p.key))])}`,
  );
  return new Map(rows.map((row) => [row.record_key, { value: row.value, syncCount: row.sync_count, size: row.size }]));
}
