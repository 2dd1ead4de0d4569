// Opens the embedded database with the settings durability depends on, and runs migrations.
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { sqliteMigrations } from './migrations.ts';

export type Db = DatabaseSync;

export function openDatabase(dataDir: string): Db {
  if (!existsSync(dataDir)) mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = join(dataDir, 'cognito-sync.db');
  const db = new DatabaseSync(file);
  cachePreparedStatements(db);
  // The file holds developer secrets: readable by the owner only.
  chmodSync(file, 0o600);
  db.exec('PRAGMA busy_timeout = 5000');
  // One server process owns the file. EXCLUSIVE locking takes the file lock once and keeps it, instead of
  // taking and dropping it around every statement (three system calls per read: the largest cost of a
  // read request after the socket write, in the CPU profile); it also refuses a second server on the
  // same data directory instead of letting two processes interleave. Must precede the switch to WAL.
  db.exec('PRAGMA locking_mode = EXCLUSIVE');
  // WAL + synchronous=FULL: a write is on disk before we acknowledge it, so kill -9 or power loss after
  // a 200 cannot lose it.
  try {
    db.exec('PRAGMA journal_mode = WAL');
  } catch (error) {
    db.close();
    if ((error as { errcode?: number }).errcode === 5 /* SQLITE_BUSY */) {
      throw new Error(`${file} is in use by another process (is another server running on this data directory?)`);
    }
    throw error;
  }
  db.exec('PRAGMA synchronous = FULL');
  db.exec('PRAGMA foreign_keys = ON');
  migrate(db);
  return db;
}

// Compiling SQL costs as much as running these small statements: in the CPU profile, a request's
// lookups spent about half their time in prepare(). Every store function calls db.prepare(sql) with
// static SQL, so prepare() hands back one compiled statement per SQL text (statements are reset on
// each run; none of ours holds per-statement settings). Bounded in case SQL is ever built dynamically.
const MAX_CACHED_STATEMENTS = 1000;
function cachePreparedStatements(db: DatabaseSync) {
  const compile = db.prepare.bind(db);
  const statements = new Map<string, StatementSync>();
  db.prepare = (sql: string) => {
    let statement = statements.get(sql);
    if (!statement) {
      if (statements.size >= MAX_CACHED_STATEMENTS) statements.clear();
      statements.set(sql, (statement = compile(sql)));
    }
    return statement;
  };
}

function migrate(db: Db) {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
  const applied = new Set(
    (db.prepare('SELECT version FROM schema_migrations').all() as Array<{ version: number }>).map((r) => r.version),
  );
  for (const migration of sqliteMigrations) {
    if (applied.has(migration.version)) continue;
    inTransaction(db, () => {
      db.exec(migration.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
        migration.version,
        migration.name,
        Date.now(),
      );
    });
  }
}

/**
 * Runs `work` in one write transaction (BEGIN IMMEDIATE takes the write lock up front). Inside a transaction
 * already open (group commit, group-commit.ts), `work` runs in a savepoint instead: still all-or-nothing on
 * its own, made durable by the enclosing COMMIT.
 */
export function inTransaction<T>(db: Db, work: () => T): T {
  if (db.isTransaction) {
    db.exec('SAVEPOINT nested_work');
    try {
      const result = work();
      db.exec('RELEASE nested_work');
      return result;
    } catch (error) {
      // SQLite may have rolled the whole transaction back already (I/O error, disk full): nothing to undo.
      if (db.isTransaction) {
        db.exec('ROLLBACK TO nested_work');
        db.exec('RELEASE nested_work');
      }
      throw error;
    }
  }
  db.exec('BEGIN IMMEDIATE');
  try {
    const result = work();
    db.exec('COMMIT');
    return result;
  } catch (error) {
    db.exec('ROLLBACK');
    throw error;
  }
}

/** A read-only transaction: one consistent snapshot of several statements. */
export function inReadTransaction<T>(db: Db, work: () => T): T {
  db.exec('BEGIN');
  try {
    return work();
  } finally {
    db.exec('COMMIT');
  }
}

export const toJson = (value: unknown): string | null => (value === undefined ? null : JSON.stringify(value));
export const fromJson = <T>(text: unknown): T | undefined => (typeof text === 'string' ? (JSON.parse(text) as T) : undefined);
