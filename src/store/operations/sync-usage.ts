// Usage figures, computed from the datasets themselves rather than kept in counters, so they stay right
// however a dataset went away (DeleteDataset, DeleteIdentities, DeleteIdentityPool cascades). Only the sync
// session count is a counter: nothing else records that a sync happened.
import type { SqlDatabase } from '../sql/database.ts';
import { asOptionalDate } from '../sql/row-values.ts';
import { sql } from '../sql/sql.ts';
import type { IdentityNotFound, IdentityUsageFigures, Page, PoolUsageFigures } from '../store.ts';
import { identityNotFound } from './dataset-rows.ts';

type Time = number | Date | null;

/** The later of the last change and the last deletion, if there was either. */
function latest(...times: Time[]): Date | undefined {
  const known = times.map((t) => asOptionalDate(t)?.getTime()).filter((t) => t !== undefined);
  return known.length === 0 ? undefined : new Date(Math.max(...known));
}

/**
 * Counts sync sessions. Its own short write, after ListRecords' read: an increment inside that read's snapshot
 * would make every ListRecords a write, and on PostgreSQL overlapping ones of a pool would fail with
 * serialization errors, for a usage statistic no sync decision reads.
 *
 * The counts that arrive in one turn of the event loop are added by one statement per pool: under load most
 * new-session pulls of a pool arrive together, and each would otherwise be a write of its own (a savepoint in
 * SQLite's group commit, a round trip on PostgreSQL). Each caller is answered once the statement carrying its
 * count is durable, and fails with it. A pool deleted meanwhile has nothing to count (and its row would break
 * the foreign key).
 */
export function syncSessionCounter(db: SqlDatabase): (identityPoolId: string) => Promise<void> {
  let pending = new Map<string, Array<{ resolve: () => void; reject: (error: unknown) => void }>>();
  const flush = () => {
    const batch = pending;
    pending = new Map();
    for (const [identityPoolId, waiters] of batch) {
      db.writeStatement(sql`INSERT INTO sync_pool_usage (identity_pool_id, sync_sessions_count)
        SELECT identity_pool_id, CAST(${waiters.length} AS BIGINT) FROM identity_pools WHERE identity_pool_id = ${identityPoolId}
        ON CONFLICT (identity_pool_id) DO UPDATE SET sync_sessions_count = sync_pool_usage.sync_sessions_count + excluded.sync_sessions_count`).then(
        () => waiters.forEach((waiter) => waiter.resolve()),
        (error: unknown) => waiters.forEach((waiter) => waiter.reject(error)),
      );
    }
  };
  return (identityPoolId) =>
    new Promise<void>((resolve, reject) => {
      if (pending.size === 0) setImmediate(flush);
      let waiters = pending.get(identityPoolId);
      if (!waiters) pending.set(identityPoolId, (waiters = []));
      waiters.push({ resolve, reject });
    });
}

export function describeIdentityUsage(
  db: SqlDatabase,
  identityPoolId: string,
  identityId: string,
): Promise<IdentityNotFound | { outcome: 'ok'; usage: IdentityUsageFigures }> {
  return db.read(async (tx) => {
    const missing = await identityNotFound(tx, identityPoolId, identityId);
    if (missing) return missing;
    // PostgreSQL's sum() of BIGINT is NUMERIC (a string in JavaScript): cast back.
    const row = (await tx.get<{ datasets: number; storage: number; modified: Time; deleted: Time }>(
      sql`SELECT count(*) AS datasets, CAST(coalesce(sum(data_storage), 0) AS BIGINT) AS storage, max(last_modified_at) AS modified,
          (SELECT max(deleted_at) FROM deleted_datasets WHERE identity_id = ${identityId}) AS deleted
        FROM datasets WHERE identity_id = ${identityId}`,
    ))!;
    return {
      outcome: 'ok' as const,
      usage: { datasetCount: row.datasets, dataStorage: row.storage, lastModifiedAt: latest(row.modified, row.deleted) },
    };
  });
}

const POOL_USAGE_COLUMNS = sql`p.identity_pool_id AS pool,
  coalesce((SELECT sync_sessions_count FROM sync_pool_usage u WHERE u.identity_pool_id = p.identity_pool_id), 0) AS sessions,
  CAST(coalesce((SELECT sum(data_storage) FROM datasets d WHERE d.identity_pool_id = p.identity_pool_id), 0) AS BIGINT) AS storage,
  (SELECT max(last_modified_at) FROM datasets d WHERE d.identity_pool_id = p.identity_pool_id) AS modified,
  (SELECT max(deleted_at) FROM deleted_datasets x WHERE x.identity_pool_id = p.identity_pool_id) AS deleted`;

interface PoolUsageRow {
  pool: string;
  sessions: number;
  storage: number;
  modified: Time;
  deleted: Time;
}

const toPoolUsage = (row: PoolUsageRow): PoolUsageFigures => ({
  identityPoolId: row.pool,
  syncSessionsCount: row.sessions,
  dataStorage: row.storage,
  lastModifiedAt: latest(row.modified, row.deleted),
});

export async function describeIdentityPoolUsage(db: SqlDatabase, identityPoolId: string): Promise<PoolUsageFigures> {
  const row = await db.get<PoolUsageRow>(sql`SELECT ${POOL_USAGE_COLUMNS} FROM identity_pools p WHERE p.identity_pool_id = ${identityPoolId}`);
  return row ? toPoolUsage(row) : { identityPoolId, syncSessionsCount: 0, dataStorage: 0 };
}

export async function listIdentityPoolUsage(db: SqlDatabase, accountId: string, limit: number, after = ''): Promise<Page<PoolUsageFigures>> {
  const rows = await db.all<PoolUsageRow>(sql`SELECT ${POOL_USAGE_COLUMNS} FROM identity_pools p
    WHERE p.account_id = ${accountId} AND p.identity_pool_id > ${after} ORDER BY p.identity_pool_id LIMIT ${limit + 1}`);
  const items = rows.slice(0, limit).map(toPoolUsage);
  return { items, nextAfter: rows.length > limit ? items.at(-1)!.identityPoolId : undefined };
}
