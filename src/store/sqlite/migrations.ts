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
  {
    version: 3,
    name: 'Cognito Sync datasets, records, deleted-dataset markers, pool sync usage',
    sql: `
      -- sync_count only ever rises, across incarnations too: a dataset recreated after a delete continues from
      -- the deleted one's count (deleted_through), so a client's lastSyncCount always names one incarnation.
      CREATE TABLE datasets (
        identity_id TEXT NOT NULL REFERENCES identities (identity_id) ON DELETE CASCADE,
        dataset_name TEXT NOT NULL,
        identity_pool_id TEXT NOT NULL,
        sync_count INTEGER NOT NULL,
        deleted_through INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL,
        last_modified_at INTEGER NOT NULL,
        last_modified_by TEXT NOT NULL,
        num_records INTEGER NOT NULL,
        data_storage INTEGER NOT NULL,
        -- Set on datasets moved here by a merge: the name they had under the merged identity.
        merged_base_name TEXT NULL,
        PRIMARY KEY (identity_id, dataset_name)
      );
      CREATE INDEX datasets_by_pool ON datasets (identity_pool_id);
      CREATE INDEX datasets_by_merged_base ON datasets (identity_id, merged_base_name) WHERE merged_base_name IS NOT NULL;
      CREATE TABLE dataset_records (
        identity_id TEXT NOT NULL,
        dataset_name TEXT NOT NULL,
        record_key TEXT NOT NULL,
        -- NULL: removed (a tombstone).
        value TEXT NULL,
        sync_count INTEGER NOT NULL,
        size INTEGER NOT NULL,
        last_modified_at INTEGER NOT NULL,
        last_modified_by TEXT NOT NULL,
        device_last_modified_at INTEGER NULL,
        PRIMARY KEY (identity_id, dataset_name, record_key),
        FOREIGN KEY (identity_id, dataset_name) REFERENCES datasets (identity_id, dataset_name) ON DELETE CASCADE ON UPDATE CASCADE
      );
      CREATE INDEX dataset_records_by_sync_count ON dataset_records (identity_id, dataset_name, sync_count, record_key);
      CREATE TABLE deleted_datasets (
        identity_id TEXT NOT NULL REFERENCES identities (identity_id) ON DELETE CASCADE,
        dataset_name TEXT NOT NULL,
        identity_pool_id TEXT NOT NULL,
        sync_count INTEGER NOT NULL,
        deleted_at INTEGER NOT NULL,
        PRIMARY KEY (identity_id, dataset_name)
      );
      CREATE INDEX deleted_datasets_by_pool ON deleted_datasets (identity_pool_id);
      CREATE TABLE sync_pool_usage (
        identity_pool_id TEXT PRIMARY KEY REFERENCES identity_pools (identity_pool_id) ON DELETE CASCADE,
        sync_sessions_count INTEGER NOT NULL
      );
    `,
  },
  {
    version: 4,
    name: 'push sync: registered devices and their dataset subscriptions',
    sql: `
      CREATE TABLE push_devices (
        device_id TEXT PRIMARY KEY,
        identity_id TEXT NOT NULL REFERENCES identities (identity_id) ON DELETE CASCADE,
        identity_pool_id TEXT NOT NULL,
        platform TEXT NOT NULL,
        token TEXT NOT NULL,
        -- The SNS platform endpoint created for the token under the pool's application ARN.
        endpoint_arn TEXT NOT NULL,
        created_at INTEGER NOT NULL
      );
      CREATE INDEX push_devices_by_identity ON push_devices (identity_id, platform, token);
      CREATE INDEX push_devices_by_endpoint ON push_devices (endpoint_arn);
      -- A subscription follows its dataset: deleted with it, moved with it by a merge.
      CREATE TABLE dataset_subscriptions (
        identity_id TEXT NOT NULL,
        dataset_name TEXT NOT NULL,
        device_id TEXT NOT NULL REFERENCES push_devices (device_id) ON DELETE CASCADE,
        subscribed_at INTEGER NOT NULL,
        PRIMARY KEY (identity_id, dataset_name, device_id),
        FOREIGN KEY (identity_id, dataset_name) REFERENCES datasets (identity_id, dataset_name) ON DELETE CASCADE ON UPDATE CASCADE
      );
      CREATE INDEX dataset_subscriptions_by_device ON dataset_subscriptions (device_id);
    `,
  },
  {
    version: 5,
    name: 'outbox (deliveries after commit: Cognito Streams, later push sync) and BulkPublish jobs',
    sql: `
      -- Work to do after a commit, written in the same transaction as the change that caused it. One row is
      -- handled by one node at a time: a claim (claimed_by, claim_expires_at) is a lease that a node that dies
      -- leaves to expire. Rows of one ordering_key are handed out oldest first, one at a time, so a dataset's
      -- stream records reach the stream in SyncCount order. A delivered row is deleted.
      CREATE TABLE outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        kind TEXT NOT NULL,
        ordering_key TEXT NOT NULL,
        payload TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL,
        next_attempt_at INTEGER NOT NULL,
        claimed_by TEXT NULL,
        claim_expires_at INTEGER NULL,
        last_error TEXT NULL
      );
      CREATE INDEX outbox_by_ordering_key ON outbox (ordering_key, id);
      CREATE INDEX outbox_by_next_attempt ON outbox (next_attempt_at, id);
      -- BulkPublish walks a pool's datasets in (identity, name) order, a page at a time.
      CREATE INDEX datasets_by_pool_identity_name ON datasets (identity_pool_id, identity_id, dataset_name);
      -- The last BulkPublish of each pool (GetBulkPublishDetails); the job itself is an outbox row.
      CREATE TABLE bulk_publish_jobs (
        identity_pool_id TEXT PRIMARY KEY REFERENCES identity_pools (identity_pool_id) ON DELETE CASCADE,
        status TEXT NOT NULL,
        started_at INTEGER NOT NULL,
        completed_at INTEGER NULL,
        failure_message TEXT NULL
      );
    `,
  },
];
