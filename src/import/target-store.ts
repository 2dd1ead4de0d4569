// The store the import writes to, opened the way a server opens it, and the account that will own the pools.
//
// SQLite: a server keeps its database file locked for as long as it runs (EXCLUSIVE locking mode, see
// src/store/sqlite/sqlite-database.ts), so an import cannot write beside it, and a server cannot start while an import
// holds the file. The import checks first and says so, rather than waiting for the lock to time out.
// PostgreSQL: servers and the import share the database; each import write is one transaction with the row
// locks UpdateRecords takes, so servers keep serving (the same pools too) while an import runs.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import pg from 'pg';
import type { DatabaseConfig } from '../config.ts';
import { openPostgresStore } from '../store/postgres/postgres-store.ts';
import { openSqliteStore } from '../store/sqlite/sqlite-store.ts';
import type { ImportStore, Store } from '../store/store.ts';
import type { ImportOptions } from './arguments.ts';

/** The import cannot start against this target (exit 2, nothing read or written). */
export class TargetRefused extends Error {}

export type ImportTarget = Omit<ImportStore, 'listDeveloperAccountIds'>;

export interface OpenedStore {
  /** Absent only in a dry run whose target store does not exist yet (then it is empty, and not created). */
  store?: Store;
  describe: string;
}

const SQLITE_BUSY = 5;

const heldByServer = (dataDir: string) =>
  new TargetRefused(
    `the SQLite store in ${dataDir} is in use by a running server: a server keeps its database file locked while it runs ` +
      '(SQLite EXCLUSIVE locking mode), so nothing else may write it. Stop the server, run the import, then start the ' +
      'server again; or keep serving while you import by using PostgreSQL (--database-url), which servers share.',
  );

function refuseIfLocked(file: string, dataDir: string): void {
  let db: DatabaseSync | undefined;
  try {
    db = new DatabaseSync(file, { readOnly: true, timeout: 0 });
    db.prepare('SELECT count(*) FROM sqlite_master').get();
  } catch (error) {
    if ((error as { errcode?: number }).errcode === SQLITE_BUSY) throw heldByServer(dataDir);
    throw error;
  } finally {
    db?.close();
  }
}

/** Where a PostgreSQL store is, without its password. */
function describeDatabase(database: DatabaseConfig): string {
  const url = new URL(database.url);
  url.password = '';
  url.username = '';
  return `PostgreSQL ${url.host}${url.pathname}, schema ${database.schema}`;
}

async function postgresSchemaExists(database: DatabaseConfig): Promise<boolean> {
  const client = new pg.Client({ connectionString: database.url, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    const row = (await client.query<{ found: string | null }>('SELECT to_regclass($1) AS found', [`${database.schema}.schema_migrations`])).rows[0];
    return row?.found !== null && row?.found !== undefined;
  } finally {
    await client.end();
  }
}

export async function openImportStore(options: ImportOptions): Promise<OpenedStore> {
  const { target } = options;
  if (target.kind === 'postgres') {
    const describe = describeDatabase(target.database);
    if (options.dryRun && !(await postgresSchemaExists(target.database))) return { describe: `${describe} (no store there yet)` };
    return { store: await openPostgresStore(target.database), describe };
  }
  const describe = `SQLite store in ${target.dataDir}`;
  const file = join(target.dataDir, 'cognito-sync.db');
  if (!existsSync(file)) {
    if (options.dryRun) return { describe: `${describe} (no store there yet)` };
    throw new TargetRefused(
      `there is no store in ${target.dataDir} yet. Start the server once on it (it creates the store and a developer key), ` +
        'stop it, then run the import.',
    );
  }
  refuseIfLocked(file, target.dataDir);
  try {
    return { store: openSqliteStore(target.dataDir), describe };
  } catch (error) {
    // A server that started between the check and the open.
    if (/in use by another process/.test((error as Error).message)) throw heldByServer(target.dataDir);
    throw error;
  }
}

/** The account that will own the imported pools: the one named, which must hold a developer key here, or the only one. */
export async function resolveOwnerAccount(store: Store | undefined, requested: string | undefined): Promise<string> {
  const accounts = store ? await store.listDeveloperAccountIds() : [];
  const howToAdd =
    'Start the server once with COGNITO_SYNC_ACCOUNT_ID=<account> COGNITO_SYNC_ACCESS_KEY_ID=… COGNITO_SYNC_SECRET_ACCESS_KEY=… to add a key for it.';
  if (requested !== undefined) {
    if (store && !accounts.includes(requested)) {
      throw new TargetRefused(
        `no developer key of account ${requested} in the target store (${accounts.length > 0 ? `accounts there: ${accounts.join(', ')}` : 'it has none'}). ${howToAdd}`,
      );
    }
    return requested;
  }
  if (accounts.length === 1) return accounts[0]!;
  if (!store) return '(the only account of the store, once a server has created it)';
  if (accounts.length === 0) throw new TargetRefused(`the target store has no developer key yet, so no account to own the pools. ${howToAdd}`);
  throw new TargetRefused(`the target store holds keys of several accounts (${accounts.join(', ')}): choose the pools' owner with --account-id.`);
}
