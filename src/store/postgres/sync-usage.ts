// Usage figures, computed from the datasets themselves rather than kept in counters, so they stay right
// however a dataset went away (DeleteDataset, DeleteIdentities, DeleteIdentityPool cascades).
import type pg from 'pg';
import type { IdentityNotFound, IdentityUsageFigures, Page, PoolUsageFigures } from '../store.ts';
import { inReadTransaction, type Queryable } from './database.ts';
import { identityNotFound } from './dataset-rows.ts';

const latest = (...times: Array<Date | null>): Date | undefined => {
  const known = times.filter((t): t is Date => t !== null);
  return known.length === 0 ? undefined : new Date(Math.max(...known.map((t) => t.getTime())));
};

export function describeIdentityUsage(
  db: pg.Pool,
  identityPoolId: string,
  identityId: string,
): Promise<IdentityNotFound | { outcome: 'ok'; usage: IdentityUsageFigures }> {
  return inReadTransaction(db, async (client) => {
    const missing = await identityNotFound(client, identityPoolId, identityId);
    if (missing) return missing;
    const row = (
      await client.query<{ datasets: number; storage: number; modified: Date | null; deleted: Date | null }>(
        `SELECT count(*) AS datasets, coalesce(sum(data_storage), 0)::bigint AS storage, max(last_modified_at) AS modified,
           (SELECT max(deleted_at) FROM deleted_datasets WHERE identity_id = $1) AS deleted
         FROM datasets WHERE identity_id = $1`,
        [identityId],
      )
    ).rows[0]!;
    return {
      outcome: 'ok' as const,
      usage: { datasetCount: row.datasets, dataStorage: row.storage, lastModifiedAt: latest(row.modified, row.deleted) },
    };
  });
}

const POOL_USAGE_COLUMNS = `p.identity_pool_id AS pool,
  coalesce((SELECT sync_sessions_count FROM sync_pool_usage u WHERE u.identity_pool_id = p.identity_pool_id), 0) AS sessions,
  coalesce((SELECT sum(data_storage) FROM datasets d WHERE d.identity_pool_id = p.identity_pool_id), 0)::bigint AS storage,
  (SELECT max(last_modified_at) FROM datasets d WHERE d.identity_pool_id = p.identity_pool_id) AS modified,
  (SELECT max(deleted_at) FROM deleted_datasets x WHERE x.identity_pool_id = p.identity_pool_id) AS deleted`;

interface PoolUsageRow {
  pool: string;
  sessions: number;
  storage: number;
  modified: Date | null;
  deleted: Date | null;
}

const toPoolUsage = (row: PoolUsageRow): PoolUsageFigures => ({
  identityPoolId: row.pool,
  syncSessionsCount: row.sessions,
  dataStorage: row.storage,
  lastModifiedAt: latest(row.modified, row.deleted),
});

export async function describeIdentityPoolUsage(db: Queryable, identityPoolId: string): Promise<PoolUsageFigures> {
  const row = (await db.query<PoolUsageRow>(`SELECT ${POOL_USAGE_COLUMNS} FROM identity_pools p WHERE p.identity_pool_id = $1`, [identityPoolId]))
    .rows[0];
  return row ? toPoolUsage(row) : { identityPoolId, syncSessionsCount: 0, dataStorage: 0 };
}

export async function listIdentityPoolUsage(db: Queryable, accountId: string, limit: number, after = ''): Promise<Page<PoolUsageFigures>> {
  const rows = (
    await db.query<PoolUsageRow>(
      `SELECT ${POOL_USAGE_COLUMNS} FROM identity_pools p WHERE p.account_id = $1 AND p.identity_pool_id > $2
       ORDER BY p.identity_pool_id LIMIT $3`,
      [accountId, after, limit + 1],
    )
  ).rows;
  const items = rows.slice(0, limit).map(toPoolUsage);
  return { items, nextAfter: rows.length > limit ? items.at(-1)!.identityPoolId : undefined };
}
