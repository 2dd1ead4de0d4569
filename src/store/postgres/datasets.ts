// Dataset metadata on PostgreSQL: describe, list, delete, and moving a merged identity's datasets.
import type pg from 'pg';
import type { DatasetAddress, DatasetInfo, DatasetResult, IdentityNotFound, Page } from '../store.ts';
import { deleteStreamEntry } from '../stream-outbox-entries.ts';
import { inReadTransaction, inTransaction } from './database.ts';
import { addStreamEntryIfEnabled } from './outbox.ts';
import { DATASET_COLUMNS, type DatasetRow, identityNotFound, readDataset, toDatasetInfo } from './dataset-rows.ts';

export function describeDataset(db: pg.Pool, address: DatasetAddress): Promise<DatasetResult> {
  return inReadTransaction(db, async (client) => {
    const missing = await identityNotFound(client, address.identityPoolId, address.identityId);
    if (missing) return missing;
    const row = await readDataset(client, address.identityId, address.datasetName);
    return { outcome: 'ok', dataset: row && toDatasetInfo(row) };
  });
}

/** Locks the dataset row first, so a delete waits for an UpdateRecords in progress on any node (and vice versa). */
export function deleteDataset(db: pg.Pool, address: DatasetAddress, now: Date): Promise<DatasetResult> {
  const { identityPoolId, identityId, datasetName } = address;
  return inTransaction(db, async (client): Promise<DatasetResult> => {
    const missing = await identityNotFound(client, identityPoolId, identityId);
    if (missing) return missing;
    const row = await readDataset(client, identityId, datasetName, true);
    if (!row) return { outcome: 'ok' };
    // The marker keeps the last count, so devices still on this incarnation learn it was deleted, and a
    // recreated dataset continues above it.
    await client.query(
      `INSERT INTO deleted_datasets (identity_id, dataset_name, identity_pool_id, sync_count, deleted_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (identity_id, dataset_name) DO UPDATE SET sync_count = excluded.sync_count, deleted_at = excluded.deleted_at`,
      [identityId, datasetName, identityPoolId, row.sync_count, now],
    );
    await client.query('DELETE FROM datasets WHERE identity_id = $1 AND dataset_name = $2', [identityId, datasetName]);
    const dataset = toDatasetInfo(row);
    const outboxed = await addStreamEntryIfEnabled(client, identityPoolId, now, () => deleteStreamEntry(address, dataset, now));
    return outboxed ? { outcome: 'ok', dataset, outboxed } : { outcome: 'ok', dataset };
  });
}

export function listDatasets(
  db: pg.Pool,
  identityPoolId: string,
  identityId: string,
  limit: number,
  after = '',
): Promise<IdentityNotFound | { outcome: 'ok'; page: Page<DatasetInfo> }> {
  return inReadTransaction(db, async (client) => {
    const missing = await identityNotFound(client, identityPoolId, identityId);
    if (missing) return missing;
    const rows = (
      await client.query<DatasetRow>(`SELECT ${DATASET_COLUMNS} FROM datasets WHERE identity_id = $1 AND dataset_name > $2 ORDER BY dataset_name LIMIT $3`, [
        identityId,
        after,
        limit + 1,
      ])
    ).rows;
    const items = rows.slice(0, limit).map(toDatasetInfo);
    return { outcome: 'ok' as const, page: { items, nextAfter: rows.length > limit ? items.at(-1)!.datasetName : undefined } };
  });
}

/** Both identities' rows are locked (in id order, so two merges cannot deadlock) before any dataset moves. */
export function mergeIdentityDatasets(db: pg.Pool, identityPoolId: string, fromIdentityId: string, toIdentityId: string): Promise<void> {
  return inTransaction(db, async (client) => {
    const locked = await client.query(
      'SELECT identity_id FROM identities WHERE identity_pool_id = $1 AND identity_id = ANY($2) ORDER BY identity_id FOR UPDATE',
      [identityPoolId, [fromIdentityId, toIdentityId]],
    );
    if (locked.rowCount !== 2) throw new Error(`identities ${fromIdentityId} and ${toIdentityId} are not both in pool ${identityPoolId}`);
    const moving = (
      await client.query<{ dataset_name: string }>('SELECT dataset_name FROM datasets WHERE identity_id = $1 ORDER BY dataset_name FOR UPDATE', [
        fromIdentityId,
      ])
    ).rows;
    for (const { dataset_name: name } of moving) {
      // `<name>.<fromIdentityId>` is free unless the survivor made one by hand; then a numbered name keeps both.
      let target = `${name}.${fromIdentityId}`;
      for (let n = 2; await readDataset(client, toIdentityId, target); n += 1) target = `${name}.${fromIdentityId}.${n}`;
      // dataset_records follow by ON UPDATE CASCADE.
      await client.query(
        'UPDATE datasets SET identity_id = $1, dataset_name = $2, merged_base_name = $3 WHERE identity_id = $4 AND dataset_name = $5',
        [toIdentityId, target, name, fromIdentityId, name],
      );
    }
  });
}
