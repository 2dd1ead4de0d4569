// Usage figures, computed from the datasets themselves rather than kept in counters, so they stay right
// however a dataset went away (DeleteDataset, DeleteIdentities, DeleteIdentityPool cascades).
import type { IdentityNotFound, IdentityUsageFigures, Page, PoolUsageFigures } from '../store.ts';
import { type Db, inReadTransaction } from './database.ts';
import { identityNotFound } from './dataset-rows.ts';

const latest = (...times: Array<number | null>): Date | undefined => {
  const known = times.filter((t): t is number => t !== null);
  return known.length === 0 ? undefined : new Date(Math.max(...known));
};

export function describeIdentityUsage(
  db: Db,
  identityPoolId: string,
  identityId: string,
): IdentityNotFound | { outcome: 'ok'; usage: IdentityUsageFigures } {
  return inReadTransaction(db, () => {
    const missing = identityNotFound(db, identityPoolId, identityId);
    if (missing) return missing;
    const row = db
      .prepare(
        `SELECT count(*) AS datasets, coalesce(sum(data_storage), 0) AS storage, max(last_modified_at) AS modified,
           (SELECT max(deleted_at) FROM deleted_datasets WHERE identity_id = ?) AS deleted
         FROM datasets WHERE identity_id = ?`,
      )
      .get(identityId, identityId) as { datasets: number; storage: number; modified: number | null; deleted: number | null };
    return {
      outcome: 'ok' as const,
      usage: { datasetCount: row.datasets, dataStorage: row.storage, lastModifiedAt: latest(row.modified, row.deleted) },
    };
  });
}

const POOL_USAGE_COLUMNS = `p.identity_pool_id AS pool,
  coalesce((SELECT sync_sessions_count FROM sync_pool_usage u WHERE u.identity_pool_id = p.identity_pool_id), 0) AS sessions,
  coalesce((SELECT sum(data_storage) FROM datasets d WHERE d.identity_pool_id = p.identity_pool_id), 0) AS storage,
  (SELECT max(last_modified_at) FROM datasets d WHERE d.identity_pool_id = p.identity_pool_id) AS modified,
  (SELECT max(deleted_at) FROM deleted_datasets x WHERE x.identity_pool_id = p.identity_pool_id) AS deleted`;

interface PoolUsageRow {
  pool: string;
  sessions: number;
  storage: number;
  modified: number | null;
  deleted: number | null;
}

const toPoolUsage = (row: PoolUsageRow): PoolUsageFigures => ({
  identityPoolId: row.pool,
  syncSessionsCount: row.sessions,
  dataStorage: row.storage,
  lastModifiedAt: latest(row.modified, row.deleted),
});

export function describeIdentityPoolUsage(db: Db, identityPoolId: string): PoolUsageFigures {
  const row = db.prepare(`SELECT ${POOL_USAGE_COLUMNS} FROM identity_pools p WHERE p.identity_pool_id = ?`).get(identityPoolId) as
    | PoolUsageRow
    | undefined;
  return row ? toPoolUsage(row) : { identityPoolId, syncSessionsCount: 0, dataStorage: 0 };
}

export function listIdentityPoolUsage(db: Db, accountId: string, limit: number, after = ''): Page<PoolUsageFigures> {
  const rows = db
    .prepare(
      `SELECT ${POOL_USAGE_COLUMNS} FROM identity_pools p WHERE p.account_id = ? AND p.identity_pool_id > ?
       ORDER BY p.identity_pool_id LIMIT ?`,
    )
    .all(accountId, after, limit + 1) as unknown as PoolUsageRow[];
  const items = rows.slice(0, limit).map(toPoolUsage);
  return { items, nextAfter: rows.length > limit ? items.at(-1)!.identityPoolId : undefined };
}
