// Chooses the store: PostgreSQL when a database URL is configured, the embedded SQLite file otherwise.
import { mkdirSync } from 'node:fs';
import type { Config } from '../config.ts';
import { openPostgresStore } from './postgres/postgres-store.ts';
import { openSqliteStore } from './sqlite/sqlite-store.ts';
import type { Store } from './store.ts';

export function openStore(config: Config): Promise<Store> {
  if (!config.database) return Promise.resolve(openSqliteStore(config.dataDir));
  // Even with the data in PostgreSQL, the data directory holds this node's generated credentials file.
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  return openPostgresStore(config.database);
}
