// The PostgreSQL dialect: a pool of `pg` connections shared by this node's requests; any number of nodes may
// use one database at once.
//
// Cross-node correctness: every read-modify-write runs in one READ COMMITTED transaction that first takes a row
// lock (`SELECT … FOR UPDATE`, the `forUpdate` fragment) on the row that owns the state being changed (the pool
// configuration row, the dataset row, …). Writers of the same row then queue in PostgreSQL, whichever node they
// came through, and each sees the previous writer's committed result, so sync counts, conflict checks and
// quotas hold across nodes. Row locks rather than SERIALIZABLE: they serialize only writers of the same row,
// readers never wait or fail, and no request has to be re-run on a serialization failure (which SERIALIZABLE
// causes under exactly this service's contention: many devices syncing one dataset). A deadlock between two
// multi-row writers (merges) is still possible in principle; `write` re-runs the transaction for that case.
import { createHash } from 'node:crypto';
import pg from 'pg';
import type { DatabaseConfig } from '../../config.ts';
import type { RowBatch, SqlDatabase, SqlRunner } from '../sql/database.ts';
import { pendingMigrations, renderMigration } from '../sql/schema.ts';
import { renderRowInsert, renderSql, type Sql, type SqlValue } from '../sql/sql.ts';

// BIGINT (int8) arrives as a JS number: every count, size and epoch-millisecond value we store fits in 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (text) => Number(text));
// JSON columns arrive as text, as on SQLite, so one decoder (sql/row-values.ts) reads both.
pg.types.setTypeParser(pg.types.builtins.JSON, (text) => text);

// Each parameterized statement is prepared once per connection (named after a hash of its SQL) and its plan
// reused: the same few dozen statements run on every request, and parsing and planning them each time cost
// PostgreSQL as much CPU as running them. Statements without parameters (BEGIN, COMMIT, migrations) run as is.
const statementNames = new Map<string, string>();
function statementName(text: string): string {
  let name = statementNames.get(text);
  if (!name) statementNames.set(text, (name = `s${createHash('sha1').update(text).digest('hex').slice(0, 16)}`));
  return name;
}

const bind = (value: SqlValue): unknown => value ?? null;

/** The runners this dialect hands out can also run pre-rendered SQL (batch inserts with array parameters). */
interface PostgresRunner extends SqlRunner {
  queryText(text: string, params: unknown[]): Promise<pg.QueryResult>;
}

function runnerOn(queryable: pg.Pool | pg.PoolClient): PostgresRunner {
  const prepared = <Row extends pg.QueryResultRow>(text: string, values: unknown[]) =>
    queryable.query<Row>(values.length > 0 ? { name: statementName(text), text, values } : text);
  const query = <Row extends pg.QueryResultRow>(q: Sql) => {
    const { text, params } = renderSql(q, 'postgres', bind);
    return prepared<Row>(text, params);
  };
  return {
    all: async <Row>(q: Sql) => (await query(q)).rows as Row[],
    get: async <Row>(q: Sql) => (await query(q)).rows[0] as Row | undefined,
    run: async (q: Sql) => (await query(q)).rowCount ?? 0,
    queryText: (text, params) => prepared(text, params),
  };
}

// deadlock_detected, serialization_failure: the transaction did nothing visible and can be run again.
const RETRYABLE = new Set(['40P01', '40001']);
const MAX_ATTEMPTS = 5;

export async function openPostgresDatabase(config: DatabaseConfig): Promise<SqlDatabase> {
  const pool = new pg.Pool({
    connectionString: config.url,
    max: config.poolSize,
    // Every connection works in our schema, so SQL never names it and test runs can each use their own.
    options: `-c search_path=${config.schema}`,
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
    application_name: 'cognito-sync-server',
  });
  // An idle connection that the server drops (restart, failover) must not crash the process; the pool discards
  // it and the next query opens a fresh one.
  pool.on('error', () => {});
  try {
    await migrate(pool, config.schema);
  } catch (error) {
    await pool.end();
    throw error;
  }

  const inTransaction = async <T>(begin: string, retry: boolean, work: (tx: SqlRunner) => Promise<T>): Promise<T> => {
    for (let attempt = 1; ; attempt++) {
      const client = await pool.connect();
      let broken = false;
      try {
        await client.query(begin);
        const result = await work(runnerOn(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {
          broken = true;
        });
        const code = (error as { code?: string }).code;
        if (retry && code && RETRYABLE.has(code) && attempt < MAX_ATTEMPTS) continue;
        throw error;
      } finally {
        // A connection whose ROLLBACK failed is in an unknown state: close it rather than reuse it.
        client.release(broken);
      }
    }
  };

  const poolRunner = runnerOn(pool);
  let closed: Promise<void> | undefined;
  return {
    kind: 'postgres',
    all: (q) => poolRunner.all(q),
    get: (q) => poolRunner.get(q),
    run: (q) => poolRunner.run(q),
    write: (work) => inTransaction('BEGIN', true, work),
    writeStatement: (q) => poolRunner.run(q),
    // REPEATABLE READ READ ONLY: one snapshot, even while other nodes write; it never fails on serialization.
    read: (work) => inTransaction('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', false, work),
    async insertRows(tx: SqlRunner, batch: RowBatch) {
      if (batch.rows.length === 0) return;
      const { columns } = batch.shape;
      await (tx as PostgresRunner).queryText(renderRowInsert(batch.shape, 'postgres'), columns.map((_, i) => batch.rows.map((row) => bind(row[i]))));
    },
    ping: async () => void (await pool.query('SELECT 1')),
    connectionPool: () => ({ max: config.poolSize, open: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    close: () => (closed ??= pool.end()),
  };
}

/**
 * Applies pending migrations while holding a session advisory lock keyed by the schema: a second node starting
 * at the same moment waits, then finds everything applied. Each migration is its own transaction.
 */
async function migrate(pool: pg.Pool, schema: string) {
  const client = await pool.connect();
  const lockKey = `cognito-sync-server:migrate:${schema}`;
  try {
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [lockKey]);
    try {
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      await client.query(
        'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())',
      );
      const applied = (await client.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version);
      for (const migration of pendingMigrations(applied)) {
        await client.query('BEGIN');
        try {
          await client.query(renderMigration(migration, 'postgres'));
          await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK');
          throw new Error(`migration ${migration.version} (${migration.name}) failed: ${(error as Error).message}`);
        }
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock(hashtext($1))', [lockKey]);
    }
  } finally {
    client.release();
  }
}
