import type { SqlDatabase, SqlRunner } from '../sql/database.ts';
import { asDate, parseJson } from '../sql/row-values.ts';
import { empty, forUpdate, json, sql } from '../sql/sql.ts';
import type { IdentityPool, IdentityPoolSpec, Page, PoolSyncConfiguration } from '../store.ts';

interface PoolRow {
  identity_pool_id: string;
  account_id: string;
  spec: string;
  created_at: number | Date;
}

// Named columns, not `*`: see DATASET_COLUMNS in dataset-rows.ts.
const POOL_COLUMNS = sql`identity_pool_id, account_id, spec, created_at`;

const toPool = (row: PoolRow): IdentityPool => ({
  identityPoolId: row.identity_pool_id,
  accountId: row.account_id,
  spec: parseJson<IdentityPoolSpec>(row.spec)!,
  createdAt: asDate(row.created_at),
});

/** `lock`: the pool row's lock (PostgreSQL), for a read-modify-write of the pool (imports.ts). */
export async function readPool(runner: SqlRunner, identityPoolId: string, lock = false): Promise<IdentityPool | undefined> {
  const row = await runner.get<PoolRow>(
    sql`SELECT ${POOL_COLUMNS} FROM identity_pools WHERE identity_pool_id = ${identityPoolId}${lock ? forUpdate : empty}`,
  );
  return row && toPool(row);
}

export async function createIdentityPool(db: SqlDatabase, pool: IdentityPool): Promise<void> {
  await db.run(sql`INSERT INTO identity_pools (identity_pool_id, account_id, spec, created_at)
    VALUES (${pool.identityPoolId}, ${pool.accountId}, ${json(pool.spec)}, ${pool.createdAt})`);
}

export const getIdentityPool = (db: SqlDatabase, identityPoolId: string) => readPool(db, identityPoolId);

export async function listIdentityPools(db: SqlDatabase, accountId: string, limit: number, after = ''): Promise<Page<IdentityPool>> {
  const rows = await db.all<PoolRow>(sql`SELECT ${POOL_COLUMNS} FROM identity_pools
    WHERE account_id = ${accountId} AND identity_pool_id > ${after} ORDER BY identity_pool_id LIMIT ${limit + 1}`);
  const items = rows.slice(0, limit).map(toPool);
  return { items, nextAfter: rows.length > limit ? items.at(-1)!.identityPoolId : undefined };
}

export function changeIdentityPoolSpec(
  db: SqlDatabase,
  identityPoolId: string,
  change: (current: IdentityPoolSpec) => IdentityPoolSpec,
): Promise<IdentityPoolSpec | undefined> {
  return db.write(async (tx) => {
    const pool = await readPool(tx, identityPoolId, true);
    if (!pool) return undefined;
    const next = change(pool.spec);
    await tx.run(sql`UPDATE identity_pools SET spec = ${json(next)} WHERE identity_pool_id = ${identityPoolId}`);
    return next;
  });
}

/** Everything that belongs to the pool goes with it (ON DELETE CASCADE). */
export async function deleteIdentityPool(db: SqlDatabase, identityPoolId: string): Promise<boolean> {
  return (await db.run(sql`DELETE FROM identity_pools WHERE identity_pool_id = ${identityPoolId}`)) > 0;
}

interface ConfigRow {
  push_sync: string | null;
  cognito_streams: string | null;
  cognito_events: string | null;
}

export async function readPoolSyncConfiguration(runner: SqlRunner, identityPoolId: string, lock = false): Promise<PoolSyncConfiguration> {
  const row = await runner.get<ConfigRow>(sql`SELECT push_sync, cognito_streams, cognito_events FROM pool_sync_configuration
    WHERE identity_pool_id = ${identityPoolId}${lock ? forUpdate : empty}`);
  return {
    identityPoolId,
    pushSync: parseJson(row?.push_sync),
    cognitoStreams: parseJson(row?.cognito_streams),
    cognitoEvents: parseJson(row?.cognito_events),
  };
}

/** Replaces the pool's configuration (absent parts become NULL). */
export async function savePoolSyncConfiguration(tx: SqlRunner, c: PoolSyncConfiguration): Promise<void> {
  await tx.run(sql`INSERT INTO pool_sync_configuration (identity_pool_id, push_sync, cognito_streams, cognito_events)
    VALUES (${c.identityPoolId}, ${json(c.pushSync)}, ${json(c.cognitoStreams)}, ${json(c.cognitoEvents)})
    ON CONFLICT (identity_pool_id) DO UPDATE SET push_sync = excluded.push_sync,
      cognito_streams = excluded.cognito_streams, cognito_events = excluded.cognito_events`);
}

export const getPoolSyncConfiguration = (db: SqlDatabase, identityPoolId: string) => readPoolSyncConfiguration(db, identityPoolId);

/**
 * Makes sure the configuration row exists (an empty row reads like no configuration), then locks it, so
 * concurrent updates on any node apply one after another to each other's results.
 */
export function updatePoolSyncConfiguration(
  db: SqlDatabase,
  identityPoolId: string,
  change: (current: PoolSyncConfiguration) => PoolSyncConfiguration,
): Promise<PoolSyncConfiguration> {
  return db.write(async (tx) => {
    await tx.run(sql`INSERT INTO pool_sync_configuration (identity_pool_id) VALUES (${identityPoolId}) ON CONFLICT DO NOTHING`);
    const next = change(await readPoolSyncConfiguration(tx, identityPoolId, true));
    await savePoolSyncConfiguration(tx, { ...next, identityPoolId });
    return next;
  });
}
