// Checks on a SQLite file that is not open in this process: whether a running server holds it, and whether a
// backup is whole. Shared by the server (after taking a backup) and the backup and restore commands.
import { DatabaseSync } from 'node:sqlite';

const SQLITE_BUSY = 5;

/** True when another process holds the database (a server keeps it locked with EXCLUSIVE locking mode while it runs). */
export function isHeldByAnotherProcess(file: string): boolean {
  let db: DatabaseSync | undefined;
  try {
    db = new DatabaseSync(file, { readOnly: true, timeout: 0 });
    db.prepare('SELECT count(*) FROM sqlite_master').get();
    return false;
  } catch (error) {
    if ((error as { errcode?: number }).errcode === SQLITE_BUSY) return true;
    throw error;
  } finally {
    db?.close();
  }
}

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
