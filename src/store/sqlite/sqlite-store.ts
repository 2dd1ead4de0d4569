// The embedded store: the shared store operations over the SQLite dialect.
import { sqlStore } from '../sql-store.ts';
import type { Store } from '../store.ts';
import { openSqliteDatabase } from './sqlite-database.ts';

export function openSqliteStore(dataDir: string): Store {
  return sqlStore(openSqliteDatabase(dataDir));
}
