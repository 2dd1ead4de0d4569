// The machine's PostgreSQL for tests: where it is, whether it answers, and a schema of their own for each
// store or server so test runs (and tests within a run) never see each other's data.
//
// The rule for tests that need it: under CI=true a missing PostgreSQL fails the test; elsewhere the test is
// skipped with the reason printed.
import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';

export const TEST_DATABASE_URL = process.env.COGNITO_SYNC_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Every schema this test process creates starts with this, so the runner can drop a whole run's schemas. */
export const SCHEMA_PREFIX = process.env.COGNITO_SYNC_TEST_SCHEMA_PREFIX ?? `cst_${process.pid}_${randomBytes(3).toString('hex')}`;

export const inCi = () => process.env.CI === 'true';

let availability: Promise<string | undefined> | undefined;

/** Undefined when PostgreSQL answers; otherwise why not. */
export function postgresUnavailableReason(): Promise<string | undefined> {
  return (availability ??= (async () => {
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 3_000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return undefined;
    } catch (error) {
      return `PostgreSQL at ${TEST_DATABASE_URL} does not answer (${(error as Error).message || (error as { code?: string }).code})`;
    } finally {
      await client.end().catch(() => {});
    }
  })());
}

/**
 * For `describe(name, { skip: await skipUnlessPostgres() }, …)`: false when PostgreSQL answers, a skip reason
 * when it does not outside CI; under CI=true a missing PostgreSQL throws, failing the file.
 */
export async function skipUnlessPostgres(): Promise<false | string> {
  const reason = await postgresUnavailableReason();
  if (reason === undefined) return false;
  if (inCi()) throw new Error(`${reason}; CI=true requires PostgreSQL (run .ci/run, which starts it)`);
  return `${reason}; skipped outside CI`;
}

/**
 * For tests that exist only for PostgreSQL (several nodes on one database): they run once, in the PostgreSQL
 * pass of `npm test` (or whenever the file runs on its own), under the same CI rule as skipUnlessPostgres.
 */
export async function skipUnlessPostgresPass(): Promise<false | string> {
  if (process.env.COGNITO_SYNC_TEST_STORE === 'sqlite' && process.env.COGNITO_SYNC_TEST_POSTGRES_PASS_FOLLOWS === '1') {
    return 'PostgreSQL-only: runs in the PostgreSQL pass';
  }
  return skipUnlessPostgres();
}

let counter = 0;

/** A schema name no other test uses; `key` (e.g. a data directory) maps to the same name every time. */
export function testSchemaName(key?: string): string {
  const suffix = key === undefined ? `${(counter += 1)}_${randomBytes(3).toString('hex')}` : createHash('sha256').update(key).digest('hex').slice(0, 12);
  return `${SCHEMA_PREFIX}_${suffix}`.toLowerCase().slice(0, 63);
}

/** The server's --database-url for a schema. */
export const databaseUrlFor = (schema: string) => `${TEST_DATABASE_URL}${TEST_DATABASE_URL.includes('?') ? '&' : '?'}schema=${schema}`;

async function withClient<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 3_000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function dropSchema(schema: string): Promise<void> {
  await withClient((client) => client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`));
}

/** Drops every schema whose name starts with `prefix` (the end of a test run). */
export async function dropSchemasWithPrefix(prefix: string): Promise<number> {
  return withClient(async (client) => {
    const { rows } = await client.query<{ nspname: string }>("SELECT nspname FROM pg_namespace WHERE starts_with(nspname, $1)", [prefix]);
    for (const { nspname } of rows) await client.query(`DROP SCHEMA IF EXISTS ${nspname} CASCADE`);
    return rows.length;
  });
}

/** Runs SQL against the test database (to inspect what a server wrote). */
export function queryTestDatabase<R extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<R[]> {
  return withClient(async (client) => (await client.query<R>(sql, params)).rows);
}
