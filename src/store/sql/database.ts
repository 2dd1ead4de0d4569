// The port every store operation is written against. A dialect (sqlite/, postgres/) implements it: connection
// and transaction handling, locking, group commit and type conversion live there, and nothing else does.
import type { Sql, SqlValue } from './sql.ts';

export interface SqlRunner {
  all<Row>(query: Sql): Promise<Row[]>;
  get<Row>(query: Sql): Promise<Row | undefined>;
  /** Runs a statement; resolves to the number of rows it changed. */
  run(query: Sql): Promise<number>;
}

/** Column types of a batch insert (PostgreSQL needs them to bind one array per column). */
export type ColumnType = 'text' | 'bigint' | 'timestamptz' | 'boolean';

/** A batch insert's table, columns and conflict clause: a module constant, so its text is rendered once (renderRowInsert). */
export interface RowShape {
  table: string;
  columns: ReadonlyArray<readonly [name: string, type: ColumnType]>;
  /** What follows the VALUES: e.g. `ON CONFLICT (…) DO UPDATE SET …`. */
  onConflict: string;
}

export interface RowBatch {
  shape: RowShape;
  rows: SqlValue[][];
}

export interface SqlDatabase extends SqlRunner {
  readonly kind: 'sqlite' | 'postgres';
  /**
   * Runs `work` in one read-write transaction. `work` may run more than once (PostgreSQL re-runs it after a
   * deadlock), so it must have no effect outside the database. `grouped`: the write may share one durable
   * commit with others that arrive together (SQLite group commit); it is still all-or-nothing on its own.
   */
  write<T>(work: (tx: SqlRunner) => Promise<T>, options?: { grouped?: boolean }): Promise<T>;
  /**
   * One statement as one durable write, sharing a commit with others where the dialect can (SQLite group
   * commit); on PostgreSQL a statement on its own is its own transaction, so it costs one round trip, not three.
   */
  writeStatement(query: Sql): Promise<number>;
  /** Runs several reads against one consistent snapshot. */
  read<T>(work: (tx: SqlRunner) => Promise<T>): Promise<T>;
  /** Inserts many rows in one go (one statement on PostgreSQL, one prepared statement run per row on SQLite). */
  insertRows(tx: SqlRunner, batch: RowBatch): Promise<void>;
  /** Throws when the database cannot answer. */
  ping(): Promise<void>;
  /** Connection pool use, for /metrics; absent without a pool. */
  connectionPool?(): { max: number; open: number; idle: number; waiting: number };
  close(): Promise<void>;
}
