import type pg from 'pg';
import type { IdentityPool, IdentityPoolSpec, Page, PoolSyncConfiguration } from '../store.ts';
import { fromJson, inTransaction, type Queryable, toJson } from './database.ts';

// Named columns, not `*`: see DATASET_COLUMNS in dataset-rows.ts.
const POOL_COLUMNS = 'identity_pool_id, account_id, spec, created_at';

interface PoolRow {
  identity_pool_id: string;
  account_id: string;
  spec: IdentityPoolSpec;
  created_at: Date;
}

const toPool = (row: PoolRow): IdentityPool => ({
  identityPoolId: row.identity_pool_id,
  accountId: row.account_id,
  spec: row.spec,
  createdAt: row.created_at,
});

export async function createIdentityPool(db: Queryable, pool: IdentityPool): Promise<void> {
  await db.query('INSERT INTO identity_pools (identity_pool_id, account_id, spec, created_at) VALUES ($1, $2, $3, $4)', [
    pool.identityPoolId,
    pool.accountId,
    JSON.stringify(pool.spec),
    pool.createdAt,
  ]);
}

export async function getIdentityPool(db: Queryable, identityPoolId: string): Promise<IdentityPool | undefined> {
  const row = (await db.query<PoolRow>(`SELECT ${POOL_COLUMNS} FROM identity_pools WHERE identity_pool_id = $1`, [identityPoolId])).rows[0];
  return row && toPool(row);
}

export async function listIdentityPools(db: Queryable, accountId: string, limit: number, after = ''): Promise<Page<IdentityPool>> {
  const rows = (
    await db.query<PoolRow>(
      `SELECT ${POOL_COLUMNS} FROM identity_pools WHERE account_id = $1 AND identity_pool_id > $2
       ORDER BY identity_pool_id LIMIT $3`,
      [accountId, after, limit + 1],
    )
  ).rows;
  const items = rows.slice(0, limit).map(toPool);
  return { items, nextAfter: rows.length > limit ? items.at(-1)!.identityPoolId : undefined };
}

export async function updateIdentityPoolSpec(db: Queryable, identityPoolId: string, spec: IdentityPoolSpec): Promise<boolean> {
  const result = await db.query('UPDATE identity_pools SET spec = $1 WHERE identity_pool_id = $2', [JSON.stringify(spec), identityPoolId]);
  return (result.rowCount ?? 0) > 0;
}

export async function deleteIdentityPool(db: Queryable, identityPoolId: string): Promise<boolean> {
  return ((await db.query('DELETE FROM identity_pools WHERE identity_pool_id = $1', [identityPoolId])).rowCount ?? 0) > 0;
}

interface ConfigRow {
  push_sync: unknown;
  cognito_streams: unknown;
  cognito_events: unknown;
}

async function readConfiguration(db: Queryable, identityPoolId: string, forUpdate: boolean): Promise<PoolSyncConfiguration> {
  const row = (
    await db.query<ConfigRow>(
      `SELECT push_sync, cognito_streams, cognito_events FROM pool_sync_configuration WHERE identity_pool_id = $1${forUpdate ? ' FOR UPDATE' : ''}`,
      [identityPoolId],
    )
  ).rows[0];
  return {
    identityPoolId,
    pushSync: fromJson(row?.push_sync),
    cognitoStreams: fromJson(row?.cognito_streams),
    cognitoEvents: fromJson(row?.cognito_events),
  };
}

export function getPoolSyncConfiguration(db: Queryable, identityPoolId: string): Promise<PoolSyncConfiguration> {
  return readConfiguration(db, identityPoolId, false);
}

/**
 * Makes sure the configuration row exists (an empty row reads like no configuration), then locks it, so
 * concurrent updates on any node apply one after another to each other's results.
 */
export function updatePoolSyncConfiguration(
  db: pg.Pool,
  identityPoolId: string,
  change: (current: PoolSyncConfiguration) => PoolSyncConfiguration,
): Promise<PoolSyncConfiguration> {
  return inTransaction(db, async (client) => {
    await client.query('INSERT INTO pool_sync_configuration (identity_pool_id) VALUES ($1) ON CONFLICT DO NOTHING', [identityPoolId]);
    const next = change(await readConfiguration(client, identityPoolId, true));
    await client.query(
      'UPDATE pool_sync_configuration SET push_sync = $2, cognito_streams = $3, cognito_events = $4 WHERE identity_pool_id = $1',
      [identityPoolId, toJson(next.pushSync), toJson(next.cognitoStreams), toJson(next.cognitoEvents)],
    );
    return next;
  });
}
