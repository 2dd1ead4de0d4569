// Developer keys: the long-term keys developers sign with. A revoked key keeps its row (revoked_at set), so it
// stays known: it never signs again, and a key configured by environment at start cannot bring it back.
import type { SqlDatabase } from '../sql/database.ts';
import { asDate, asOptionalDate } from '../sql/row-values.ts';
import { sql } from '../sql/sql.ts';
import type { DeveloperKey, RevokeDeveloperKeyResult } from '../store.ts';

interface KeyRow {
  access_key_id: string;
  secret_access_key: string;
  account_id: string;
  created_at: number | Date;
  revoked_at: number | Date | null;
}

const KEY_COLUMNS = sql`access_key_id, secret_access_key, account_id, created_at, revoked_at`;

function toDeveloperKey(row: KeyRow): DeveloperKey {
  const key: DeveloperKey = { accessKeyId: row.access_key_id, secretAccessKey: row.secret_access_key, accountId: row.account_id, createdAt: asDate(row.created_at) };
  const revokedAt = asOptionalDate(row.revoked_at);
  if (revokedAt) key.revokedAt = revokedAt;
  return key;
}

export async function getDeveloperKey(db: SqlDatabase, accessKeyId: string): Promise<DeveloperKey | undefined> {
  const row = await db.get<KeyRow>(sql`SELECT ${KEY_COLUMNS} FROM developer_keys WHERE access_key_id = ${accessKeyId} AND revoked_at IS NULL`);
  return row && toDeveloperKey(row);
}

export async function putDeveloperKey(db: SqlDatabase, key: DeveloperKey): Promise<void> {
  await db.run(sql`INSERT INTO developer_keys (access_key_id, secret_access_key, account_id, created_at)
    VALUES (${key.accessKeyId}, ${key.secretAccessKey}, ${key.accountId}, ${key.createdAt})
    ON CONFLICT (access_key_id) DO UPDATE SET secret_access_key = excluded.secret_access_key, account_id = excluded.account_id`);
}

export async function createDeveloperKey(db: SqlDatabase, key: DeveloperKey): Promise<boolean> {
  const inserted = await db.run(sql`INSERT INTO developer_keys (access_key_id, secret_access_key, account_id, created_at)
    VALUES (${key.accessKeyId}, ${key.secretAccessKey}, ${key.accountId}, ${key.createdAt}) ON CONFLICT (access_key_id) DO NOTHING`);
  return inserted > 0;
}

export async function listDeveloperKeys(db: SqlDatabase): Promise<DeveloperKey[]> {
  const rows = await db.all<KeyRow>(sql`SELECT ${KEY_COLUMNS} FROM developer_keys ORDER BY account_id, created_at, access_key_id`);
  return rows.map(toDeveloperKey);
}

export function revokeDeveloperKey(db: SqlDatabase, accessKeyId: string, now: Date): Promise<RevokeDeveloperKeyResult> {
  return db.write(async (tx) => {
    const revoked = await tx.run(sql`UPDATE developer_keys SET revoked_at = ${now} WHERE access_key_id = ${accessKeyId} AND revoked_at IS NULL`);
    if (revoked > 0) return 'revoked';
    const known = await tx.get(sql`SELECT 1 AS known FROM developer_keys WHERE access_key_id = ${accessKeyId}`);
    return known ? 'already-revoked' : 'not-found';
  });
}

export async function countDeveloperKeys(db: SqlDatabase): Promise<number> {
  return (await db.get<{ n: number }>(sql`SELECT count(*) AS n FROM developer_keys`))!.n;
}

export async function listDeveloperAccountIds(db: SqlDatabase): Promise<string[]> {
  const rows = await db.all<{ account_id: string }>(sql`SELECT DISTINCT account_id FROM developer_keys WHERE revoked_at IS NULL ORDER BY account_id`);
  return rows.map((row) => row.account_id);
}
