// Whether a running server holds an embedded store. A server keeps its database file locked for as long as it
// runs (EXCLUSIVE locking mode, see sqlite-database.ts), so nothing else may read or write beside it: the import
// and the operator commands check first and say so, rather than wait for the lock to time out.
import { DatabaseSync } from 'node:sqlite';

const SQLITE_BUSY = 5;

/** True when another process holds the store's file; `file` must exist. */
export function sqliteFileHeld(file: string): boolean {
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

/** Refusing to open `dataDir` because a server holds it: `what` is being refused, `instead` what to do meanwhile. */
export const heldByServerMessage = (dataDir: string, what: string, instead: string) =>
  `the SQLite store in ${dataDir} is in use by a running server: a server keeps its database file locked while it runs ` +
  `(SQLite EXCLUSIVE locking mode), so nothing else may read or write it. Stop the server, run ${what}, then start the ` +
  `server again; ${instead}`;

/** Opening failed because a server started meanwhile (between the check and the open). */
export const isInUseError = (error: unknown) => /in use by another process/.test((error as Error).message);
