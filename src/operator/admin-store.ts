// How the operator commands (`npm run keys`, `npm run outbox`) find and open the store: with the server's own
// settings — `--data-dir`, or `--database-url` [`--database-schema`], or the COGNITO_SYNC_* variables of the same
// names (flags win) — read by the server's own rules (config.ts), so a command run beside a node opens exactly
// the store that node uses.
//
// SQLite: a running server holds the file (EXCLUSIVE locking), so a command refuses a data directory a server
// holds, and says so. PostgreSQL: servers share the database, so commands run while they serve, and what a
// command changes is seen by every node at its next request.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../config.ts';
import { openPostgresStore } from '../store/postgres/postgres-store.ts';
import { heldByServerMessage, isInUseError, sqliteFileHeld } from '../store/sqlite/held-by-server.ts';
import { DATABASE_FILE } from '../store/sqlite/sqlite-database.ts';
import { openSqliteStore } from '../store/sqlite/sqlite-store.ts';
import type { Store } from '../store/store.ts';
import { CommandRefused } from './command.ts';

/** The command must not run (bad arguments, a store it cannot or must not open): exit 2, nothing changed. */

/** The flags every operator command takes to name the store. */
export const STORE_OPTIONS = {
  'data-dir': { type: 'string' },
  'database-url': { type: 'string' },
  'database-schema': { type: 'string' },
} as const;

export const STORE_USAGE = '[--data-dir DIR | --database-url postgres://… [--database-schema NAME]]';

const STORE_VARIABLES = ['COGNITO_SYNC_DATA_DIR', 'COGNITO_SYNC_DATABASE_URL', 'COGNITO_SYNC_DATABASE_SCHEMA'];

export interface OpenedAdminStore {
  store: Store;
  /** Where it is, for messages (no password). */
  describe: string;
  kind: 'sqlite' | 'postgres';
}

/**
 * Opens the store the flags (or the server's variables) name. `mayCreate`: a SQLite store that does not exist yet
 * is created (as a first server start would); otherwise its absence is refused.
 */
export async function openAdminStore(
  values: { 'data-dir'?: string; 'database-url'?: string; 'database-schema'?: string },
  env: NodeJS.ProcessEnv,
  options: { mayCreate: boolean },
): Promise<OpenedAdminStore> {
  const argv: string[] = [];
  if (values['data-dir'] !== undefined && values['database-url'] !== undefined) {
    throw new CommandRefused('give either --data-dir (SQLite) or --database-url (PostgreSQL), not both');
  }
  if (values['data-dir'] !== undefined) argv.push('--data-dir', values['data-dir']);
  if (values['database-url'] !== undefined) argv.push('--database-url', values['database-url']);
  if (values['database-schema'] !== undefined) argv.push('--database-schema', values['database-schema']);
  // Only the store's variables: the others (a developer key, a port) are not this command's business.
  const storeEnv = Object.fromEntries(STORE_VARIABLES.filter((name) => env[name] !== undefined).map((name) => [name, env[name]]));
  // --data-dir names the SQLite store even when the environment names a database.
  if (values['data-dir'] !== undefined) delete storeEnv.COGNITO_SYNC_DATABASE_URL;
  let config;
  try {
    config = loadConfig(argv, storeEnv);
  } catch (error) {
    if (error instanceof ConfigError) throw new CommandRefused(error.message);
    throw error;
  }

  if (config.database) {
    const url = new URL(config.database.url);
    url.username = '';
    url.password = '';
    const describe = `PostgreSQL ${url.host}${url.pathname}, schema ${config.database.schema}`;
    return { store: await openPostgresStore(config.database), describe, kind: 'postgres' };
  }
  const { dataDir } = config;
  const describe = `SQLite store in ${dataDir}`;
  const file = join(dataDir, DATABASE_FILE);
  const held = () =>
    new CommandRefused(heldByServerMessage(dataDir, 'this command', 'or use PostgreSQL (--database-url), where these commands run while servers serve.'));
  if (!existsSync(file)) {
    if (!options.mayCreate) throw new CommandRefused(`there is no store in ${dataDir} (no ${DATABASE_FILE}); name the data directory with --data-dir`);
  } else if (sqliteFileHeld(file)) {
    throw held();
  }
  try {
    return { store: openSqliteStore(dataDir), describe, kind: 'sqlite' };
  } catch (error) {
    if (isInUseError(error)) throw held();
    throw error;
  }
}
