// ListRecords and UpdateRecords on PostgreSQL.
//
// UpdateRecords takes row locks before it reads anything it decides on: the dataset row (`FOR UPDATE`) when
// the dataset exists; when it does not, the identity row first (so two first writes of one dataset, or racing
// creations of different datasets against the per-identity quota, take turns), then the dataset row again in
// case a writer that held the identity lock just created it. Identity before dataset, always, so lock order
// never inverts. Writers of one dataset on any node therefore run one after another and each sees the count,
// records and sizes the previous one committed: SyncCount rises by exactly one per success, a stale patch is a
// conflict, and quotas hold.
import type pg from 'pg';
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
import { inReadTransaction, inTransaction, type Queryable } from './database.ts';
import { addStreamEntryIfEnabled } from './outbox.ts';
import { addPushEntries } from './push.ts';
import { type DatasetRow, deletedMarker, identityNotFound, type RecordRow, readDataset, toDatasetInfo, toSyncRecord } from './dataset-rows.ts';

/**
 * The reads run on one REPEATABLE READ snapshot. The pool's sync-session counter is bumped afterwards in its
 * own statement: an atomic increment inside that snapshot would fail with a serialization error whenever two
 * ListRecords of one pool overlap, and the counter is a usage statistic that no sync decision reads.
 */
export async function listRecords(
  db: pg.Pool,
  address: DatasetAddress,
  options: { lastSyncCount: number; limit: number; after?: RecordPosition; startsSession: boolean },
): Promise<ListRecordsResult> {
  const result = await inReadTransaction(db, (client) => readRecords(client, address, options));
  if (options.startsSession && result.outcome === 'ok') {
    await db.query(
      `INSERT INTO sync_pool_usage (identity_pool_id, sync_sessions_count) VALUES ($1, 1)
       ON CONFLICT (identity_pool_id) DO UPDATE SET sync_sessions_count = sync_pool_usage.sync_sessions_count + 1`,
      [address.identityPoolId],
    );
  }
  return result;
}

async function readRecords(
  client: Queryable,
  address: DatasetAddress,
  options: { lastSyncCount: number; limit: number; after?: RecordPosition },
): Promise<ListRecordsResult> {
  const { identityPoolId, identityId, datasetName } = address;
  const missing = await identityNotFound(client, identityPoolId, identityId);
  if (missing) return missing;
  const mergedDatasetNames = (
    await client.query<{ dataset_name: string }>(
      'SELECT dataset_name FROM datasets WHERE identity_id = $1 AND merged_base_name = $2 ORDER BY dataset_name',
      [identityId, datasetName],
    )
  ).rows.map((m) => m.dataset_name);
  const { lastSyncCount } = options;
  const row = await readDataset(client, identityId, datasetName);
  if (!row) {
    const marker = await deletedMarker(client, identityId, datasetName);
    return {
      outcome: 'ok',
      records: [],
      mergedDatasetNames,
      deletedAfterRequestedSyncCount: marker !== undefined && lastSyncCount > 0 && lastSyncCount <= marker,
    };
  }
  if (lastSyncCount > row.sync_count) return { outcome: 'no-such-sync-count', datasetSyncCount: row.sync_count };
  const after = options.after ?? { syncCount: lastSyncCount, key: '' };
  // Records after `after` in (sync_count, key) order; a first page starts at (lastSyncCount, '') which is
  // below every key of a record with that count, so only counts above lastSyncCount come back.
  const rows = (
    await client.query<RecordRow>(
      `SELECT record_key, value, sync_count, size, last_modified_at, last_modified_by, device_last_modified_at
       FROM dataset_records
       WHERE identity_id = $1 AND dataset_name = $2 AND sync_count > $3 AND (sync_count, record_key) > ($4, $5)
       ORDER BY sync_count, record_key LIMIT $6`,
      [identityId, datasetName, lastSyncCount, after.syncCount, after.key, options.limit + 1],
    )
  ).rows;
  const records = rows.slice(0, options.limit).map(toSyncRecord);
  const last = records.at(-1);
  return {
    outcome: 'ok',
    dataset: toDatasetInfo(row),
    records,
    nextAfter: rows.length > options.limit && last ? { syncCount: last.syncCount, key: last.key } : undefined,
    mergedDatasetNames,
    deletedAfterRequestedSyncCount: lastSyncCount > 0 && lastSyncCount <= row.deleted_through,
  };
}

export function updateRecords(
  db: pg.Pool,
  address: DatasetAddress,
  change: { patches: RecordPatchInput[]; modifiedBy: string; now: Date; quotas: SyncQuotas; writerDeviceId?: string },
): Promise<UpdateRecordsResult> {
  const { identityPoolId, identityId, datasetName } = address;
  const { patches, modifiedBy, now, quotas } = change;
  return inTransaction(db, async (client): Promise<UpdateRecordsResult> => {
    let missing = await identityNotFound(client, identityPoolId, identityId);
    if (missing) return missing;
    let existing = await readDataset(client, identityId, datasetName, true);
    if (!existing) {
      // Re-checked under the identity's lock: a merge may have moved it away meanwhile.
      missing = await identityNotFound(client, identityPoolId, identityId, true);
      if (missing) return missing;
      existing = await readDataset(client, identityId, datasetName, true);
    }
    let deletedThrough = existing?.deleted_through ?? 0;
    if (!existing) deletedThrough = (await deletedMarker(client, identityId, datasetName)) ?? 0;
    const currentCount = existing?.sync_count ?? deletedThrough;

    const stored = new Map<string, StoredRecordState>();
    if (existing) {
      const rows = (
        await client.query<RecordRow>(
          'SELECT record_key, value, sync_count, size FROM dataset_records WHERE identity_id = $1 AND dataset_name = $2 AND record_key = ANY($3)',
          [identityId, datasetName, [...new Set(patches.map((p) => p.key))]],
        )
      ).rows;
      for (const row of rows) stored.set(row.record_key, { value: row.value, syncCount: row.sync_count, size: row.size });
    }
    const identityDatasetCount = existing
      ? undefined
      : (await client.query<{ n: number }>('SELECT count(*) AS n FROM datasets WHERE identity_id = $1', [identityId])).rows[0]!.n;
    const plan = planRecordPatches(
      { syncCount: currentCount, numRecords: existing?.num_records ?? 0, dataStorage: existing?.data_storage ?? 0, exists: existing !== undefined, identityDatasetCount },
      stored,
      patches,
      quotas,
    );
    if (plan.outcome !== 'accepted') return plan;
    const { syncCount, numRecords, dataStorage, sizes } = plan;
    if (existing) {
      await client.query(
        `UPDATE datasets SET sync_count = $1, last_modified_at = $2, last_modified_by = $3, num_records = $4, data_storage = $5
         WHERE identity_id = $6 AND dataset_name = $7`,
        [syncCount, now, modifiedBy, numRecords, dataStorage, identityId, datasetName],
      );
    } else {
      await client.query(
        `INSERT INTO datasets (identity_id, dataset_name, identity_pool_id, sync_count, deleted_through, created_at,
           last_modified_at, last_modified_by, num_records, data_storage)
         VALUES ($1, $2, $3, $4, $5, $6, $6, $7, $8, $9)`,
        [identityId, datasetName, identityPoolId, syncCount, deletedThrough, now, modifiedBy, numRecords, dataStorage],
      );
      await client.query('DELETE FROM deleted_datasets WHERE identity_id = $1 AND dataset_name = $2', [identityId, datasetName]);
    }

    const records: SyncRecord[] = patches.map((patch, i) =>
      toSyncRecord({
        record_key: patch.key,
        value: patch.op === 'replace' ? (patch.value ?? '') : null,
        sync_count: syncCount,
        size: sizes[i]!,
        last_modified_at: now,
        last_modified_by: modifiedBy,
        device_last_modified_at: patch.deviceLastModifiedAt ?? null,
      }),
    );
    // One statement for the whole batch. A key patched twice in one batch ends as its last patch left it (as
    // writing the patches one by one would), and ON CONFLICT may touch each row only once.
    const lastByKey = new Map<string, SyncRecord & { size: number }>();
    records.forEach((record, i) => lastByKey.set(record.key, { ...record, size: sizes[i]! }));
    const rows = [...lastByKey.values()];
    await client.query(
      `INSERT INTO dataset_records (identity_id, dataset_name, record_key, value, sync_count, size, last_modified_at,
         last_modified_by, device_last_modified_at)
       SELECT $1, $2, k, v, $3, s, $4, $5, d FROM unnest($6::text[], $7::text[], $8::bigint[], $9::timestamptz[]) AS t (k, v, s, d)
       ON CONFLICT (identity_id, dataset_name, record_key) DO UPDATE SET value = excluded.value,
         sync_count = excluded.sync_count, size = excluded.size, last_modified_at = excluded.last_modified_at,
         last_modified_by = excluded.last_modified_by, device_last_modified_at = excluded.device_last_modified_at`,
      [
        identityId,
        datasetName,
        syncCount,
        now,
        modifiedBy,
        rows.map((r) => r.key),
        rows.map((r) => r.value ?? null),
        rows.map((r) => r.size),
        rows.map((r) => r.deviceLastModifiedAt ?? null),
      ],
    );

    const dataset: DatasetInfo = toDatasetInfo({
      ...(existing ?? ({} as DatasetRow)),
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
    const streamed = await addStreamEntryIfEnabled(client, identityPoolId, now, () => syncStreamEntry(address, dataset, records));
    // Same transaction too: a push for every subscribed device but the writer's.
    const pushes = await addPushEntries(client, address, syncCount, change.writerDeviceId, now);
    return { outcome: 'ok', records, dataset, outboxed: streamed || pushes > 0 };
  });
}
