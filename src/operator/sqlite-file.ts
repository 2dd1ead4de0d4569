// Checks that a SQLite file that is not open in this process is a whole store backup. Shared by the server (after
// taking a backup) and the backup and restore commands; whether a running server holds a file: store/sqlite/held-by-server.ts.
import { DatabaseSync } from 'node:sqlite';

export interface SqliteFileFacts {
  /** The highest migration applied (schema_migrations), 0 when the table is missing. */
  schemaVersion: number;
}

/** Runs SQLite's quick_check on `file` and reads its schema version; throws when the file is damaged or not a store. */
export function checkSqliteFile(file: string): SqliteFileFacts {
  const db = new DatabaseSync(file, { timeout: 0 });
  try {
    const rows = db.prepare('PRAGMA quick_check').all() as Array<Record<string, unknown>>;
    const verdict = rows.map((row) => String(Object.values(row)[0])).join('; ');
    if (verdict !== 'ok') throw new Error(`${file} failed SQLite's integrity check: ${verdict}`);
    const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get();
    if (!table) return { schemaVersion: 0 };
    const row = db.prepare('SELECT max(version) AS version FROM schema_migrations').get() as { version: number | null };
    return { schemaVersion: row.version ?? 0 };
  } finally {
    db.close();
  }
}
