import type { Db } from './database.ts';

export function getOrCreateSecret(db: Db, name: string, candidate: string): string {
  db.prepare('INSERT INTO server_secrets (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING').run(name, candidate);
  return (db.prepare('SELECT value FROM server_secrets WHERE name = ?').get(name) as { value: string }).value;
}
