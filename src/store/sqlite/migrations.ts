// Versioned schema for the embedded store. Append new versions; never edit an applied one.
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const sqliteMigrations: Migration[] = [
  {
    version: 1,
    name: 'developer keys, server secrets, identity pools, pool sync configuration',
    sql: `
      CREATE TABLE developer_keys (
        access_key_id TEXT PRIMARY KEY,
        secret_access_key TEXT NOT NULL,
        account_id TEXT NOT NULL,
        created_at INTEGER NOT NULL
      );
      CREATE TABLE server_secrets (
        name TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );
      CREATE TABLE identity_pools (
        identity_pool_id TEXT PRIMARY KEY,
        account_id TEXT NOT NULL,
        spec TEXT NOT NULL,
        created_at INTEGER NOT NULL
      );
      CREATE INDEX identity_pools_by_account ON identity_pools (account_id, identity_pool_id);
      CREATE TABLE pool_sync_configuration (
        identity_pool_id TEXT PRIMARY KEY REFERENCES identity_pools (identity_pool_id) ON DELETE CASCADE,
        push_sync TEXT,
        cognito_streams TEXT,
        cognito_events TEXT
      );
    `,
  },
];
