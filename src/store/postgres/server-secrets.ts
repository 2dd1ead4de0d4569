import type { Queryable } from './database.ts';

/** Two nodes racing on a first start both insert-or-ignore, then both read the one row that won. */
export async function getOrCreateSecret(db: Queryable, name: string, candidate: string): Promise<string> {
  await db.query('INSERT INTO server_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING', [name, candidate]);
  return (await db.query<{ value: string }>('SELECT value FROM server_secrets WHERE name = $1', [name])).rows[0]!.value;
}
