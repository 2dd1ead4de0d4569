import type { SqlDatabase } from '../sql/database.ts';
import { asDate } from '../sql/row-values.ts';
import { sql } from '../sql/sql.ts';
import type { DeveloperKey } from '../store.ts';

interface KeyRow {
  access_key_id: string;
  secret_access_key: string;
  account_id: string;
  created_at: number | Date;
}

export async function getDeveloperKey(db: SqlDatabase, accessKeyId: string): Promise<DeveloperKey | undefined> {
  const row = await db.get<KeyRow>(
    sql`SELECT access_key_id, secret_access_key, account_id, created_at FROM developer_keys WHERE access_key_id = ${accessKeyId}`,
  );
  return row && { accessKeyId: row.access_key_id, secretAccessKey: row.secret_access_key, accountId: row.account_id, createdAt: asDate(row.created_at) };
}

export async function putDeveloperKey(db: SqlDatabase, key: DeveloperKey): Promise<void> {
  await db.run(sql`INSERT INTO developer_keys (access_key_id, secret_access_key, account_id, created_at)
    VALUES (${key.accessKeyId}, ${key.secretAccessKey}, ${key.accountId}, ${key.createdAt})
    ON CONFLICT (access_key_id) DO UPDATE SET secret_access_key = excluded.secret_access_key, account_id = excluded.account_id`);
}

export async function countDeveloperKeys(db: SqlDatabase): Promise<number> {
  return (await db.get<{ n: number }>(sql`SELECT count(*) AS n FROM developer_keys`))!.n;
}

export async function listDeveloperAccountIds(db: SqlDatabase): Promise<string[]> {
  const rows = await db.all<{ account_id: string }>(sql`SELECT DISTINCT account_id FROM developer_keys ORDER BY account_id`);
  return rows.map((row) => row.account_id);
}
