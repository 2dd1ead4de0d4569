// Dataset metadata on the embedded store: describe, list, delete, and moving a merged identity's datasets.
import type { DatasetAddress, DatasetInfo, DatasetResult, IdentityNotFound, Page } from '../store.ts';
import { deleteStreamEntry } from '../stream-outbox-entries.ts';
import { type Db, inReadTransaction, inTransaction } from './database.ts';
import { addStreamEntryIfEnabled } from './outbox.ts';
import { type DatasetRow, identityNotFound, readDataset, toDatasetInfo } from './dataset-rows.ts';

export function describeDataset(db: Db, address: DatasetAddress): DatasetResult {
  return inReadTransaction(db, () => {
    const missing = identityNotFound(db, address.identityPoolId, address.identityId);
    if (missing) return missing;
    const row = readDataset(db, address.identityId, address.datasetName);
    return { outcome: 'ok', dataset: row && toDatasetInfo(row) };
  });
}

export function deleteDataset(db: Db, address: DatasetAddress, now: Date): DatasetResult {
  const { identityPoolId, identityId, datasetName } = address;
  return inTransaction(db, (): DatasetResult => {
    const missing = identityNotFound(db, identityPoolId, identityId);
    if (missing) return missing;
    const row = readDataset(db, identityId, datasetName);
    if (!row) return { outcome: 'ok' };
    // The marker keeps the last count, so devices still on this incarnation learn it was deleted, and a
    // recreated dataset continues above it.
    db.prepare(
      `INSERT INTO deleted_datasets (identity_id, dataset_name, identity_pool_id, sync_count, deleted_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (identity_id, dataset_name) DO UPDATE SET sync_count = excluded.sync_count, deleted_at = excluded.deleted_at`,
    ).run(identityId, datasetName, identityPoolId, row.sync_count, now.getTime());
    db.prepare('DELETE FROM datasets WHERE identity_id = ? AND dataset_name = ?').run(identityId, datasetName);
    const dataset = toDatasetInfo(row);
    const outboxed = addStreamEntryIfEnabled(db, identityPoolId, now, () => deleteStreamEntry(address, dataset, now));
    return outboxed ? { outcome: 'ok', dataset, outboxed } : { outcome: 'ok', dataset };
  });
}

export function listDatasets(
  db: Db,
  identityPoolId: string,
  identityId: string,
  limit: number,
  after = '',
): IdentityNotFound | { outcome: 'ok'; page: Page<DatasetInfo> } {
  return inReadTransaction(db, () => {
    const missing = identityNotFound(db, identityPoolId, identityId);
    if (missing) return missing;
    const rows = db
      .prepare('SELECT * FROM datasets WHERE identity_id = ? AND dataset_name > ? ORDER BY dataset_name LIMIT ?')
      .all(identityId, after, limit + 1) as unknown as DatasetRow[];
    const items = rows.slice(0, limit).map(toDatasetInfo);
    return { outcome: 'ok' as const, page: { items, nextAfter: rows.length > limit ? items.at(-1)!.datasetName : undefined } };
  });
}

export function mergeIdentityDatasets(db: Db, identityPoolId: string, fromIdentityId: string, toIdentityId: string): void {
  inTransaction(db, () => {
    const inPool = db
      .prepare('SELECT count(*) AS n FROM identities WHERE identity_pool_id = ? AND identity_id IN (?, ?)')
      .get(identityPoolId, fromIdentityId, toIdentityId) as { n: number };
    if (inPool.n !== 2) throw new Error(`identities ${fromIdentityId} and ${toIdentityId} are not both in pool ${identityPoolId}`);
    const moving = db.prepare('SELECT dataset_name FROM datasets WHERE identity_id = ? ORDER BY dataset_name').all(fromIdentityId) as Array<{
      dataset_name: string;
    }>;
    const taken = db.prepare('SELECT 1 FROM datasets WHERE identity_id = ? AND dataset_name = ?');
    // dataset_records follow by ON UPDATE CASCADE.
    const move = db.prepare(
      'UPDATE datasets SET identity_id = ?, dataset_name = ?, merged_base_name = ? WHERE identity_id = ? AND dataset_name = ?',
    );
    for (const { dataset_name: name } of moving) {
      // `<name>.<fromIdentityId>` is free unless the survivor made one by hand; then a numbered name keeps both.
      let target = `${name}.${fromIdentityId}`;
      for (let n = 2; taken.get(toIdentityId, target); n += 1) target = `${name}.${fromIdentityId}.${n}`;
      move.run(toIdentityId, target, name, fromIdentityId, name);
    }
  });
}
