import type { DeveloperKey } from '../store.ts';
import type { Db } from './database.ts';

interface Row {
  access_key_id: string;
  secret_access_key: string;
  account_id: string;
  created_at: number;
}

export function getDeveloperKey(db: Db, accessKeyId: string): DeveloperKey | undefined {
  const row = db.prepare('SELECT * FROM developer_keys WHERE access_key_id = ?').get(accessKeyId) as Row | undefined;
  return row && {
    accessKeyId: row.access_key_id,
    secretAccessKey: row.secret_access_key,
    accountId: row.account_id,
    createdAt: new Date(row.created_at),
  };
}

export function putDeveloperKey(db: Db, key: DeveloperKey): void {
  db.prepare(
    `INSERT INTO developer_keys (access_key_id, secret_access_key, account_id, created_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (access_key_id) DO UPDATE SET secret_access_key = excluded.secret_access_key, account_id = excluded.account_id`,
  ).run(key.accessKeyId, key.secretAccessKey, key.accountId, key.createdAt.getTime());
}

export function countDeveloperKeys(db: Db): number {
  return (db.prepare('SELECT count(*) AS n FROM developer_keys').get() as { n: number }).n;
}
