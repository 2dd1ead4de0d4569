import type { IdentityPool, IdentityPoolSpec, Page, PoolSyncConfiguration } from '../store.ts';
import { type Db, fromJson, inTransaction, toJson } from './database.ts';

interface PoolRow {
  identity_pool_id: string;
  account_id: string;
  spec: string;
  created_at: number;
}

const toPool = (row: PoolRow): IdentityPool => ({
  identityPoolId: row.identity_pool_id,
  accountId: row.account_id,
  spec: JSON.parse(row.spec) as IdentityPoolSpec,
  createdAt: new Date(row.created_at),
});

export function createIdentityPool(db: Db, pool: IdentityPool): void {
  db.prepare('INSERT INTO identity_pools (identity_pool_id, account_id, spec, created_at) VALUES (?, ?, ?, ?)').run(
    pool.identityPoolId,
    pool.accountId,
    JSON.stringify(pool.spec),
    pool.createdAt.getTime(),
  );
}

export function getIdentityPool(db: Db, identityPoolId: string): IdentityPool | undefined {
  const row = db.prepare('SELECT * FROM identity_pools WHERE identity_pool_id = ?').get(identityPoolId) as PoolRow | undefined;
  return row && toPool(row);
}

export function listIdentityPools(db: Db, accountId: string, limit: number, after = ''): Page<IdentityPool> {
  const rows = db
    .prepare('SELECT * FROM identity_pools WHERE account_id = ? AND identity_pool_id > ? ORDER BY identity_pool_id LIMIT ?')
    .all(accountId, after, limit + 1) as unknown as PoolRow[];
  const items = rows.slice(0, limit).map(toPool);
  return { items, nextAfter: rows.length > limit ? items.at(-1)!.identityPoolId : undefined };
}

export function updateIdentityPoolSpec(db: Db, identityPoolId: string, spec: IdentityPoolSpec): boolean {
  const result = db.prepare('UPDATE identity_pools SET spec = ? WHERE identity_pool_id = ?').run(JSON.stringify(spec), identityPoolId);
  return result.changes > 0;
}

export function deleteIdentityPool(db: Db, identityPoolId: string): boolean {
  return db.prepare('DELETE FROM identity_pools WHERE identity_pool_id = ?').run(identityPoolId).changes > 0;
}

interface ConfigRow {
  push_sync: string | null;
  cognito_streams: string | null;
  cognito_events: string | null;
}

function readConfiguration(db: Db, identityPoolId: string): PoolSyncConfiguration {
  const row = db.prepare('SELECT push_sync, cognito_streams, cognito_events FROM pool_sync_configuration WHERE identity_pool_id = ?')
    .get(identityPoolId) as ConfigRow | undefined;
  return {
    identityPoolId,
    pushSync: fromJson(row?.push_sync),
    cognitoStreams: fromJson(row?.cognito_streams),
    cognitoEvents: fromJson(row?.cognito_events),
  };
}

export function getPoolSyncConfiguration(db: Db, identityPoolId: string): PoolSyncConfiguration {
  return readConfiguration(db, identityPoolId);
}

export function updatePoolSyncConfiguration(
  db: Db,
  identityPoolId: string,
  change: (current: PoolSyncConfiguration) => PoolSyncConfiguration,
): PoolSyncConfiguration {
  return inTransaction(db, () => {
    const next = change(readConfiguration(db, identityPoolId));
    db.prepare(
      `INSERT INTO pool_sync_configuration (identity_pool_id, push_sync, cognito_streams, cognito_events) VALUES (?, ?, ?, ?)
       ON CONFLICT (identity_pool_id) DO UPDATE SET push_sync = excluded.push_sync,
         cognito_streams = excluded.cognito_streams, cognito_events = excluded.cognito_events`,
    ).run(identityPoolId, toJson(next.pushSync), toJson(next.cognitoStreams), toJson(next.cognitoEvents));
    return next;
  });
}
