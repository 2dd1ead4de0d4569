// Dataset metadata: describe, list, delete, and moving a merged identity's datasets.
import type { SqlDatabase, SqlRunner } from '../sql/database.ts';
import { anyOf, forUpdate, sql } from '../sql/sql.ts';
import type { DatasetAddress, DatasetInfo, DatasetResult, IdentityNotFound, Page } from '../store.ts';
import { deleteStreamEntry } from '../stream-outbox-entries.ts';
import { DATASET_COLUMNS, type DatasetRow, identityNotFound, readDataset, toDatasetInfo } from './dataset-rows.ts';
import { addStreamEntryIfEnabled } from './outbox.ts';

export function describeDataset(db: SqlDatabase, address: DatasetAddress): Promise<DatasetResult> {
  return db.read(async (tx) => {
    const missing = await identityNotFound(tx, address.identityPoolId, address.identityId);
    if (missing) return missing;
    const row = await readDataset(tx, address.identityId, address.datasetName);
    return { outcome: 'ok', dataset: row && toDatasetInfo(row) };
  });
}

/** Locks the dataset row first, so a delete waits for an UpdateRecords in progress on any node (and vice versa). */
export function deleteDataset(db: SqlDatabase, address: DatasetAddress, now: Date): Promise<DatasetResult> {
  const { identityPoolId, identityId, datasetName } = address;
  return db.write(async (tx): Promise<DatasetResult> => {
    const missing = await identityNotFound(tx, identityPoolId, identityId);
    if (missing) return missing;
    const row = await readDataset(tx, identityId, datasetName, true);
    if (!row) return { outcome: 'ok' };
    // The marker keeps the last count, so devices still on this incarnation learn it was deleted, and a
    // recreated dataset continues above it.
    await tx.run(
      sql`INSERT INTO deleted_datasets (identity_id, dataset_name, identity_pool_id, sync_count, deleted_at)
          VALUES (${identityId}, ${datasetName}, ${identityPoolId}, ${row.sync_count}, ${now})
          ON CONFLICT (identity_id, dataset_name) DO UPDATE SET sync_count = excluded.sync_count, deleted_at = excluded.deleted_at`,
    );
    await tx.run(sql`DELETE FROM datasets WHERE identity_id = ${identityId} AND dataset_name = ${datasetName}`);
    const dataset = toDatasetInfo(row);
    const outboxed = await addStreamEntryIfEnabled(tx, identityPoolId, now, () => deleteStreamEntry(address, dataset, now));
    return outboxed ? { outcome: 'ok', dataset, outboxed } : { outcome: 'ok', dataset };
  });
}

export function listDatasets(
  db: SqlDatabase,
  identityPoolId: string,
  identityId: string,
  limit: number,
  after = '',
): Promise<IdentityNotFound | { outcome: 'ok'; page: Page<DatasetInfo> }> {
  return db.read(async (tx) => {
    const missing = await identityNotFound(tx, identityPoolId, identityId);
    if (missing) return missing;
    const rows = await tx.all<DatasetRow>(
      sql`SELECT ${DATASET_COLUMNS} FROM datasets WHERE identity_id = ${identityId} AND dataset_name > ${after}
          ORDER BY dataset_name LIMIT ${limit + 1}`,
    );
    const items = rows.slice(0, limit).map(toDatasetInfo);
    return { outcome: 'ok' as const, page: { items, nextAfter: rows.length > limit ? items.at(-1)!.datasetName : undefined } };
  });
}

/**
 * Locks both identities' rows, in id order so two merges cannot deadlock; throws unless both exist in one pool.
 * Every write that creates a dataset locks its identity's row first (records.ts), so none can slip in between
 * this lock and the commit of the merge.
 */
export async function lockMergingIdentities(tx: SqlRunner, fromIdentityId: string, toIdentityId: string): Promise<void> {
  const locked = await tx.all<{ identity_pool_id: string }>(
    sql`SELECT identity_pool_id FROM identities WHERE identity_id ${anyOf([fromIdentityId, toIdentityId])} ORDER BY identity_id${forUpdate}`,
  );
  const pools = new Set(locked.map((row) => row.identity_pool_id));
  if (locked.length !== 2 || pools.size !== 1) {
    throw new Error(`identities ${fromIdentityId} and ${toIdentityId} are not both in one pool`);
  }
}

/** Inside a transaction holding both identities' locks: every dataset of the source moves, as `<name>.<fromIdentityId>`. */
export async function moveDatasetsOfMergedIdentity(tx: SqlRunner, fromIdentityId: string, toIdentityId: string): Promise<void> {
  const moving = await tx.all<{ dataset_name: string }>(
    sql`SELECT dataset_name FROM datasets WHERE identity_id = ${fromIdentityId} ORDER BY dataset_name${forUpdate}`,
  );
  for (const { dataset_name: name } of moving) {
    // `<name>.<fromIdentityId>` is free unless the survivor made one by hand; then a numbered name keeps both.
    let target = `${name}.${fromIdentityId}`;
    for (let n = 2; await readDataset(tx, toIdentityId, target); n += 1) target = `${name}.${fromIdentityId}.${n}`;
    // dataset_records and dataset_subscriptions follow by ON UPDATE CASCADE.
    await tx.run(
      sql`UPDATE datasets SET identity_id = ${toIdentityId}, dataset_name = ${target}, merged_base_name = ${name}
          WHERE identity_id = ${fromIdentityId} AND dataset_name = ${name}`,
    );
  }
}
