import type { SqlDatabase } from '../sql/database.ts';
import { sql } from '../sql/sql.ts';

/** Two nodes racing on a first start both insert-or-ignore, then both read the one row that won. */
export async function getOrCreateSecret(db: SqlDatabase, name: string, candidate: string): Promise<string> {
  await db.run(sql`INSERT INTO server_secrets (name, value) VALUES (${name}, ${candidate}) ON CONFLICT (name) DO NOTHING`);
  return (await db.get<{ value: string }>(sql`SELECT value FROM server_secrets WHERE name = ${name}`))!.value;
}
