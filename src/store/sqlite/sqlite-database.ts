// The embedded dialect: one node:sqlite connection owned by this process, in WAL mode with synchronous=FULL.
// Store operations are async (they are written once for both dialects), so two of them could interleave their
// statements on the one connection; a connection lock runs one transaction (or lone statement) at a time, and
// every read inside a write transaction therefore sees a state no one else can change — what row locks give
// the PostgreSQL dialect.
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import type { RowBatch, SqlDatabase, SqlRunner } from '../sql/database.ts';
import { pendingMigrations, renderMigration } from '../sql/schema.ts';
import { renderRowInsert, renderSql, type Sql, type SqlValue } from '../sql/sql.ts';
import { ConnectionLock } from './connection-lock.ts';
import { createGroupCommit } from './group-commit.ts';

export const DATABASE_FILE = 'cognito-sync.db';

const bind = (value: SqlValue): SqlValue => {
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'boolean') return value ? 1 : 0;
  return value ?? null;
};

export interface SqliteDatabase extends SqlDatabase {
  /** The raw connection, for the group-commit tests and backups; store code goes through the port. */
  readonly connection: DatabaseSync;
}

export function openSqliteDatabase(dataDir: string): SqliteDatabase {
  const connection = openConnection(dataDir);
  const lock = new ConnectionLock();
  const prepare = cachingPrepare(connection);
  const statement = (query: Sql) => {
    const { text, params } = renderSql(query, 'sqlite', bind);
    return { prepared: prepare(text), params: params as SqlValue[] as Array<string | number | null> };
  };
  // Runs statements directly: only ever called while the caller holds the connection lock.
  const runner: SqlRunner = {
    async all<Row>(query: Sql) {
      const { prepared, params } = statement(query);
      return (prepared.statement.all(...params) as unknown as unknown[][]).map(prepared.toRow) as Row[];
    },
    async get<Row>(query: Sql) {
      const { prepared, params } = statement(query);
      const values = prepared.statement.get(...params) as unknown as unknown[] | undefined;
      return values && (prepared.toRow(values) as Row);
    },
    async run(query: Sql) {
      const { prepared, params } = statement(query);
      return Number(prepared.statement.run(...params).changes);
    },
  };
  const inTransaction = <T>(work: (tx: SqlRunner) => Promise<T>) =>
    lock.run(async () => {
      connection.exec('BEGIN IMMEDIATE');
      try {
        const result = await work(runner);
        connection.exec('COMMIT');
        return result;
      } catch (error) {
        if (connection.isTransaction) connection.exec('ROLLBACK');
        throw error;
      }
    });
  const grouped = createGroupCommit(connection, lock, runner);
  // A lone statement (most reads of a request) runs at once when no transaction holds the connection: the
  // runner's work is synchronous underneath, so nothing can slip in between; otherwise it waits its turn. The
  // runner's method is passed in, not wrapped, so the common case allocates no closure.
  const alone = <T>(method: (query: Sql) => Promise<T>, query: Sql): Promise<T> =>
    lock.idle ? method(query) : lock.run(() => method(query));
  let closed = false;
  return {
    kind: 'sqlite',
    connection,
    all: <Row>(query: Sql) => alone(runner.all<Row>, query),
    get: <Row>(query: Sql) => alone(runner.get<Row>, query),
    run: (query) => alone(runner.run, query),
    write: (work, options) => (options?.grouped ? grouped(work) : inTransaction(work)),
    writeStatement: (query) => grouped((tx) => tx.run(query)),
    // No BEGIN needed for a consistent snapshot: while the lock is held nothing else runs on the connection, and no
    // other process writes the file (EXCLUSIVE locking), so the statements of `work` all see one state.
    read: (work) => lock.run(() => work(runner)),
    // Only ever called from inside write work, so the lock is held.
    async insertRows(_tx: SqlRunner, batch: RowBatch) {
      const { statement: insert } = prepare(renderRowInsert(batch.shape, 'sqlite'));
      for (const row of batch.rows) insert.run(...(row.map(bind) as Array<string | number | null>));
    },
    ping: () => lock.run(async () => void connection.prepare('SELECT 1').get()),
    close: () =>
      lock.run(async () => {
        if (closed) return;
        closed = true;
        connection.close();
      }),
  };
}

function openConnection(dataDir: string): DatabaseSync {
  if (!existsSync(dataDir)) mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = join(dataDir, DATABASE_FILE);
  const connection = new DatabaseSync(file);
  // The file holds developer secrets: readable by the owner only.
  chmodSync(file, 0o600);
  connection.exec('PRAGMA busy_timeout = 5000');
  // One server process owns the file. EXCLUSIVE locking takes the file lock once and keeps it, instead of
  // taking and dropping it around every statement (three system calls per read: the largest cost of a read
  // request after the socket write, in the CPU profile); it also refuses a second server on the same data
  // directory. Must precede the switch to WAL.
  connection.exec('PRAGMA locking_mode = EXCLUSIVE');
  // WAL + synchronous=FULL: a write is on disk before we acknowledge it, so kill -9 or power loss after a 200
  // cannot lose it.
  try {
    connection.exec('PRAGMA journal_mode = WAL');
  } catch (error) {
    connection.close();
    if ((error as { errcode?: number }).errcode === 5 /* SQLITE_BUSY */) {
      throw new Error(`${file} is in use by another process (is another server running on this data directory?)`);
    }
    throw error;
  }
  connection.exec('PRAGMA synchronous = FULL');
  connection.exec('PRAGMA foreign_keys = ON');
  migrate(connection);
  // Temporary files in memory. Each grouped write runs in a savepoint, and SQLite keeps the pages a savepoint
  // changes in a statement journal, which becomes a file in /var/tmp once it holds 64 KiB in one transaction:
  // in a batch, a sync wrote ~15 pages to that file (strace), about 15 µs of its CPU in the store. What else
  // uses temporary files (sorts without an index, transient indexes) stays small for this server's queries,
  // which read through indexes and page their results; the migrations, which may build an index over every
  // record, ran above with temporary files on disk.
  connection.exec('PRAGMA temp_store = MEMORY');
  return connection;
}

function migrate(connection: DatabaseSync) {
  connection.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
  const applied = (connection.prepare('SELECT version FROM schema_migrations').all() as Array<{ version: number }>).map((r) => r.version);
  for (const migration of pendingMigrations(applied)) {
    connection.exec('BEGIN IMMEDIATE');
    try {
      connection.exec(renderMigration(migration, 'sqlite'));
      connection.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(migration.version, migration.name, Date.now());
      connection.exec('COMMIT');
    } catch (error) {
      connection.exec('ROLLBACK');
      throw new Error(`migration ${migration.version} (${migration.name}) failed: ${(error as Error).message}`);
    }
  }
}

interface PreparedStatement {
  statement: StatementSync;
  /** A result row as an object keyed by column name. */
  toRow(values: unknown[]): Record<string, unknown>;
}

// Compiling SQL costs as much as running these small statements: in the CPU profile, a request's lookups spent
// about half their time in prepare(). One compiled statement per SQL text, reset on each run. Bounded, since a
// list parameter (`IN (?, ?, …)`) makes one text per list length.
//
// Rows come back as arrays, made into objects here: node:sqlite's own row objects have a null prototype and are
// built in dictionary mode, slow to make and slow to read — every property read missed V8's inline caches. On a
// 100-record ListRecords that was about a quarter of the request's instructions (callgrind). Built here, the
// rows of one statement share one hidden class. (The column names are this server's own SQL's.)
const MAX_CACHED_STATEMENTS = 1000;
function cachingPrepare(connection: DatabaseSync): (text: string) => PreparedStatement {
  const statements = new Map<string, PreparedStatement>();
  return (text) => {
    let prepared = statements.get(text);
    if (!prepared) {
      if (statements.size >= MAX_CACHED_STATEMENTS) statements.clear();
      const statement = connection.prepare(text);
      statement.setReturnArrays(true);
      const names = statement.columns().map((column) => column.name);
      const toRow = (values: unknown[]) => {
        const row: Record<string, unknown> = {};
        for (let i = 0; i < names.length; i++) row[names[i]!] = values[i];
        return row;
      };
      statements.set(text, (prepared = { statement, toRow }));
    }
    return prepared;
  };
}
