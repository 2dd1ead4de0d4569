// Chooses the store: PostgreSQL when a database URL is configured, the embedded SQLite file otherwise.
// Each implementation loads only when chosen, so a node carries one database driver, not two.
import { mkdirSync } from 'node:fs';
import type { Config } from '../config.ts';
import type { Store } from './store.ts';

export async function openStore(config: Config): Promise<Store> {
  if (!config.database) {
    const { openSqliteStore } = await import('./sqlite/sqlite-store.ts');
    return openSqliteStore(config.dataDir);
  }
  // Even with the data in PostgreSQL, the data directory holds this node's generated credentials file.
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const { openPostgresStore } = await import('./postgres/postgres-store.ts');
  return openPostgresStore(config.database);
}
