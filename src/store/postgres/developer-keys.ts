import type { DeveloperKey } from '../store.ts';
import type { Queryable } from './database.ts';

interface Row {
  access_key_id: string;
  secret_access_key: string;
  account_id: string;
  created_at: Date;
}

export async function getDeveloperKey(db: Queryable, accessKeyId: string): Promise<DeveloperKey | undefined> {
  const row = (await db.query<Row>('SELECT access_key_id, secret_access_key, account_id, created_at FROM developer_keys WHERE access_key_id = $1', [accessKeyId])).rows[0];
  return row && {
    accessKeyId: row.access_key_id,
    secretAccessKey: row.secret_access_key,
    accountId: row.account_id,
    createdAt: row.created_at,
  };
}

export async function putDeveloperKey(db: Queryable, key: DeveloperKey): Promise<void> {
  await db.query(
    `INSERT INTO developer_keys (access_key_id, secret_access_key, account_id, created_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (access_key_id) DO UPDATE SET secret_access_key = excluded.secret_access_key, account_id = excluded.account_id`,
    [key.accessKeyId, key.secretAccessKey, key.accountId, key.createdAt],
  );
}

export async function countDeveloperKeys(db: Queryable): Promise<number> {
  return (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM developer_keys')).rows[0]!.n;
}
