// Opens the PostgreSQL connection pool, applies migrations once per schema (safe when many nodes start
// at once), and runs store methods in transactions.
//
// Cross-node correctness: every read-modify-write runs in one READ COMMITTED transaction that first takes
// a row lock (`SELECT … FOR UPDATE`) on the row that owns the state being changed (the pool configuration
// row, the dataset row, …). Writers to the same row then queue in PostgreSQL, whichever node they came
// through, and each sees the previous writer's committed result, so sync counts, conflict checks and quotas
// hold across nodes. We chose row locks over SERIALIZABLE because they serialize only writers of the same
// row, readers never wait or fail, and no request has to be re-run on a serialization failure (which with
// SERIALIZABLE happens under exactly the contention this service sees: many devices syncing one dataset).
// A deadlock between two multi-row writers (e.g. merges) is still possible in principle; `inTransaction`
// re-runs the whole transaction for that case and for serialization failures on PostgreSQL-compatible
// engines that run everything SERIALIZABLE.
import { createHash } from 'node:crypto';
import pg from 'pg';
import type { DatabaseConfig } from '../../config.ts';
import { postgresMigrations } from './migrations.ts';

export type Db = pg.Pool;
/** A connection inside a transaction, or the pool itself for single statements. */
export type Queryable = pg.Pool | pg.PoolClient;

// BIGINT (int8) arrives as a JS number: every count, size and epoch-millisecond value we store fits in 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (text) => Number(text));

/**
 * A connection that prepares each parameterized statement once (named after a hash of its SQL) and reuses
 * the plan: the same few dozen statements run on every request, and parsing and planning them each time cost
 * PostgreSQL as much CPU as running them. Statements without parameters (BEGIN, COMMIT, migrations) run as is.
 */
class PreparingClient extends pg.Client {
  // biome-ignore lint: pg's query() has many overloads; this forwards all of them.
  override query(config: any, values?: any, callback?: any): any {
    if (typeof config === 'string' && Array.isArray(values)) {
      return super.query({ name: statementName(config), text: config, values }, callback);
    }
    return super.query(config, values, callback);
  }
}

const statementNames = new Map<string, string>();
function statementName(sql: string): string {
  let name = statementNames.get(sql);
  if (!name) statementNames.set(sql, (name = `s${createHash('sha1').update(sql).digest('hex').slice(0, 16)}`));
  return name;
}

export async function openDatabase(config: DatabaseConfig): Promise<Db> {
  const pool = new pg.Pool({
    Client: PreparingClient,
    connectionString: config.url,
    max: config.poolSize,
    // Every connection works in our schema, so SQL never names it and test runs can each use their own.
    options: `-c search_path=${config.schema}`,
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
    application_name: 'cognito-sync-server',
  });
  // An idle connection that the server drops (restart, failover) must not crash the process; the pool
  // discards it and the next query opens a fresh one.
  pool.on('error', () => {});
  try {
    await migrate(pool, config.schema);
  } catch (error) {
    await pool.end();
    throw error;
  }
  return pool;
}

/**
 * Applies pending migrations while holding a session advisory lock keyed by the schema: a second node
 * starting at the same moment waits, then finds everything applied. Each migration is its own transaction.
 */
async function migrate(pool: pg.Pool, schema: string) {
  const client = await pool.connect();
  try {
    await client.query("SELECT pg_advisory_lock(hashtext('cognito-sync-server:migrate:' || $1))", [schema]);
    try {
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      await client.query(
        'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())',
      );
      const applied = new Set((await client.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version));
      const known = Math.max(0, ...postgresMigrations.map((m) => m.version));
      const newest = Math.max(0, ...applied);
      if (newest > known) {
        // A newer release already migrated this database; running older code against it could corrupt data.
        throw new Error(`the database schema is at version ${newest} but this server knows versions up to ${known}; upgrade this node`);
      }
      for (const migration of postgresMigrations) {
        if (applied.has(migration.version)) continue;
        await client.query('BEGIN');
        try {
          await client.query(migration.sql);
          await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK');
          throw new Error(`migration ${migration.version} (${migration.name}) failed: ${(error as Error).message}`);
        }
      }
    } finally {
      await client.query("SELECT pg_advisory_unlock(hashtext('cognito-sync-server:migrate:' || $1))", [schema]);
    }
  } finally {
    client.release();
  }
}

// deadlock_detected, serialization_failure: the transaction did nothing visible and can be run again.
const RETRYABLE = new Set(['40P01', '40001']);
const MAX_ATTEMPTS = 5;

/**
 * Runs `work` in one transaction on one connection. `work` may run more than once (see the header), so it
 * must not have effects outside the database before it returns.
 */
export async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const client = await pool.connect();
    let broken = false;
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      try {
        await client.query('ROLLBACK');
      } catch {
        broken = true;
      }
      const code = (error as { code?: string }).code;
      if (code && RETRYABLE.has(code) && attempt < MAX_ATTEMPTS) continue;
      throw error;
    } finally {
      // A connection whose ROLLBACK failed is in an unknown state: close it rather than reuse it.
      client.release(broken);
    }
  }
}

/**
 * Runs several reads against one snapshot (REPEATABLE READ, READ ONLY): what they return is consistent even
 * while other nodes write. Read-only transactions never fail on serialization at this level, so no retry.
 */
export async function inReadTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {
      broken = true;
    });
    throw error;
  } finally {
    client.release(broken);
  }
}

/** JSON columns: undefined is stored as NULL, and NULL reads back as undefined. */
export const toJson = (value: unknown): string | null => (value === undefined ? null : JSON.stringify(value));
export const fromJson = <T>(value: unknown): T | undefined => (value === null || value === undefined ? undefined : (value as T));
