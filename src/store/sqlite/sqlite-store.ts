// The embedded store: the shared store operations over the SQLite dialect, plus online backups.
import { sqlStore } from '../sql-store.ts';
import type { Store } from '../store.ts';
import { backupTo } from './backup.ts';
import { openSqliteDatabase } from './sqlite-database.ts';

export function openSqliteStore(dataDir: string): Store {
  const db = openSqliteDatabase(dataDir);
  return { ...sqlStore(db), backupTo: (file, onProgress) => backupTo(db.connection, file, onProgress) };
}
