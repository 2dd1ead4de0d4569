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
  {
    version: 2,
    name: 'identities and their logins (developer user identifiers)',
    sql: `
      CREATE TABLE identities (
        identity_id TEXT PRIMARY KEY,
        identity_pool_id TEXT NOT NULL REFERENCES identity_pools (identity_pool_id) ON DELETE CASCADE,
        created_at INTEGER NOT NULL,
        last_modified_at INTEGER NOT NULL,
        -- The surviving identity after MergeDeveloperIdentities; deleting the survivor deletes what merged into it.
        merged_into TEXT NULL REFERENCES identities (identity_id) ON DELETE CASCADE,
        -- Set when an identity loses its last login: it can no longer be reached (UnlinkDeveloperIdentity).
        disabled INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX identities_by_pool ON identities (identity_pool_id, identity_id);
      CREATE INDEX identities_by_merged_into ON identities (merged_into) WHERE merged_into IS NOT NULL;
      CREATE TABLE identity_logins (
        identity_pool_id TEXT NOT NULL,
        provider_name TEXT NOT NULL,
        user_identifier TEXT NOT NULL,
        identity_id TEXT NOT NULL REFERENCES identities (identity_id) ON DELETE CASCADE,
        linked_at INTEGER NOT NULL,
        PRIMARY KEY (identity_pool_id, provider_name, user_identifier)
      );
      CREATE INDEX identity_logins_by_identity ON identity_logins (identity_id, provider_name, user_identifier);
    `,
  },
];
