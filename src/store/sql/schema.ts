// The schema of both stores, described once. Each migration's DDL names logical column types in braces, which
// each dialect renders (renderMigration): {key} is text compared byte-wise (SQLite's default; COLLATE "C" on
// PostgreSQL, so listings page in the same order on both whatever the database's collation, and range scans
// stay on the index), {time} an instant (epoch milliseconds on SQLite, TIMESTAMPTZ), {bigint} a count,
// {bool}/{false} a flag, {json} JSON kept as text, {id} an increasing row id. Append new versions; never edit an
// applied one. test/store-schema.test.ts checks that both dialects end with the same tables, columns and indexes.
import type { Dialect } from './sql.ts';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

const TYPES: Record<Dialect, Record<string, string>> = {
  sqlite: { key: 'TEXT', time: 'INTEGER', bigint: 'INTEGER', bool: 'INTEGER', false: '0', json: 'TEXT', id: 'INTEGER PRIMARY KEY AUTOINCREMENT' },
  postgres: {
    key: 'TEXT COLLATE "C"',
    time: 'TIMESTAMPTZ',
    bigint: 'BIGINT',
    bool: 'BOOLEAN',
    false: 'false',
    json: 'JSON',
    id: 'BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY',
  },
};

export function renderMigration(migration: Migration, dialect: Dialect): string {
  return migration.sql.replace(/\{(\w+)\}/g, (token, name: string) => {
    const rendered = TYPES[dialect][name];
    if (rendered === undefined) throw new Error(`migration ${migration.version}: unknown column type ${token}`);
    return rendered;
  });
}

/**
 * The migrations still to apply, in order. A database migrated by a newer release is refused: running older
 * code against a schema it does not know could corrupt data.
 */
export function pendingMigrations(appliedVersions: Iterable<number>): Migration[] {
  const applied = new Set(appliedVersions);
  const known = Math.max(0, ...migrations.map((m) => m.version));
  const newest = Math.max(0, ...applied);
  if (newest > known) {
    throw new Error(`the database schema is at version ${newest} but this server knows versions up to ${known}; upgrade this node`);
  }
  return migrations.filter((m) => !applied.has(m.version));
}

export const migrations: Migration[] = [
  {
    version: 1,
    name: 'developer keys, server secrets, identity pools, pool sync configuration',
    sql: `
      CREATE TABLE developer_keys (
        access_key_id {key} PRIMARY KEY,
        secret_access_key TEXT NOT NULL,
        account_id {key} NOT NULL,
        created_at {time} NOT NULL
      );
      CREATE TABLE server_secrets (
        name {key} PRIMARY KEY,
        value TEXT NOT NULL
      );
      CREATE TABLE identity_pools (
        identity_pool_id {key} PRIMARY KEY,
        account_id {key} NOT NULL,
        spec {json} NOT NULL,
        created_at {time} NOT NULL
      );
      CREATE INDEX identity_pools_by_account ON identity_pools (account_id, identity_pool_id);
      CREATE TABLE pool_sync_configuration (
        identity_pool_id {key} PRIMARY KEY REFERENCES identity_pools (identity_pool_id) ON DELETE CASCADE,
        push_sync {json},
        cognito_streams {json},
        cognito_events {json}
      );
    `,
  },
  {
    version: 2,
    name: 'identities and their logins (developer user identifiers)',
    sql: `
      CREATE TABLE identities (
        identity_id {key} PRIMARY KEY,
        identity_pool_id {key} NOT NULL REFERENCES identity_pools (identity_pool_id) ON DELETE CASCADE,
        created_at {time} NOT NULL,
        last_modified_at {time} NOT NULL,
        -- The surviving identity after MergeDeveloperIdentities; deleting the survivor deletes what merged into it.
        merged_into {key} NULL REFERENCES identities (identity_id) ON DELETE CASCADE,
        -- Set when an identity loses its last login: it can no longer be reached (UnlinkDeveloperIdentity).
        disabled {bool} NOT NULL DEFAULT {false}
      );
      CREATE INDEX identities_by_pool ON identities (identity_pool_id, identity_id);
      CREATE INDEX identities_by_merged_into ON identities (merged_into) WHERE merged_into IS NOT NULL;
      CREATE TABLE identity_logins (
        identity_pool_id {key} NOT NULL,
        provider_name {key} NOT NULL,
        user_identifier {key} NOT NULL,
        identity_id {key} NOT NULL REFERENCES identities (identity_id) ON DELETE CASCADE,
        linked_at {time} NOT NULL,
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
        identity_id {key} NOT NULL REFERENCES identities (identity_id) ON DELETE CASCADE,
        dataset_name {key} NOT NULL,
        identity_pool_id {key} NOT NULL,
        sync_count {bigint} NOT NULL,
        deleted_through {bigint} NOT NULL DEFAULT 0,
        created_at {time} NOT NULL,
        last_modified_at {time} NOT NULL,
        last_modified_by TEXT NOT NULL,
        num_records {bigint} NOT NULL,
        data_storage {bigint} NOT NULL,
        -- Set on datasets moved here by a merge: the name they had under the merged identity.
        merged_base_name {key} NULL,
        PRIMARY KEY (identity_id, dataset_name)
      );
      CREATE INDEX datasets_by_pool ON datasets (identity_pool_id);
      CREATE INDEX datasets_by_merged_base ON datasets (identity_id, merged_base_name) WHERE merged_base_name IS NOT NULL;
      CREATE TABLE dataset_records (
        identity_id {key} NOT NULL,
        dataset_name {key} NOT NULL,
        record_key {key} NOT NULL,
        -- NULL: removed (a tombstone).
        value TEXT NULL,
        sync_count {bigint} NOT NULL,
        size {bigint} NOT NULL,
        last_modified_at {time} NOT NULL,
        last_modified_by TEXT NOT NULL,
        device_last_modified_at {time} NULL,
        PRIMARY KEY (identity_id, dataset_name, record_key),
        FOREIGN KEY (identity_id, dataset_name) REFERENCES datasets (identity_id, dataset_name) ON DELETE CASCADE ON UPDATE CASCADE
      );
      CREATE INDEX dataset_records_by_sync_count ON dataset_records (identity_id, dataset_name, sync_count, record_key);
      CREATE TABLE deleted_datasets (
        identity_id {key} NOT NULL REFERENCES identities (identity_id) ON DELETE CASCADE,
        dataset_name {key} NOT NULL,
        identity_pool_id {key} NOT NULL,
        sync_count {bigint} NOT NULL,
        deleted_at {time} NOT NULL,
        PRIMARY KEY (identity_id, dataset_name)
      );
      CREATE INDEX deleted_datasets_by_pool ON deleted_datasets (identity_pool_id);
      CREATE TABLE sync_pool_usage (
        identity_pool_id {key} PRIMARY KEY REFERENCES identity_pools (identity_pool_id) ON DELETE CASCADE,
        sync_sessions_count {bigint} NOT NULL
      );
    `,
  },
  {
    version: 4,
    name: 'push sync: registered devices and their dataset subscriptions',
    sql: `
      CREATE TABLE push_devices (
        device_id {key} PRIMARY KEY,
        identity_id {key} NOT NULL REFERENCES identities (identity_id) ON DELETE CASCADE,
        identity_pool_id {key} NOT NULL,
        platform TEXT NOT NULL,
        token TEXT NOT NULL,
        -- The SNS platform endpoint created for the token under the pool's application ARN.
        endpoint_arn TEXT NOT NULL,
        created_at {time} NOT NULL
      );
      CREATE INDEX push_devices_by_identity ON push_devices (identity_id, platform);
      CREATE INDEX push_devices_by_endpoint ON push_devices (endpoint_arn);
      -- A subscription follows its dataset: deleted with it, moved with it by a merge.
      CREATE TABLE dataset_subscriptions (
        identity_id {key} NOT NULL,
        dataset_name {key} NOT NULL,
        device_id {key} NOT NULL REFERENCES push_devices (device_id) ON DELETE CASCADE,
        subscribed_at {time} NOT NULL,
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
      -- Work to do after a commit, written in the same transaction as the change that caused it. Nodes claim
      -- rows with FOR UPDATE SKIP LOCKED, so each row is handled by one node; the claim (claimed_by,
      -- claim_expires_at) is a lease that a node that dies leaves to expire. Rows of one ordering_key are handed
      -- out oldest first, one at a time, so a dataset's stream records reach the stream in SyncCount order.
      -- payload is {json} kept as text: only the delivering node reads it. A delivered row is deleted.
      CREATE TABLE outbox (
        id {id},
        kind {key} NOT NULL,
        ordering_key {key} NOT NULL,
        payload TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        created_at {time} NOT NULL,
        next_attempt_at {time} NOT NULL,
        claimed_by TEXT NULL,
        claim_expires_at {time} NULL,
        last_error TEXT NULL
      );
      CREATE INDEX outbox_by_ordering_key ON outbox (ordering_key, id);
      CREATE INDEX outbox_by_next_attempt ON outbox (next_attempt_at, id);
      -- BulkPublish walks a pool's datasets in (identity, name) order, a page at a time.
      CREATE INDEX datasets_by_pool_identity_name ON datasets (identity_pool_id, identity_id, dataset_name);
      -- The last BulkPublish of each pool (GetBulkPublishDetails); the job itself is an outbox row.
      CREATE TABLE bulk_publish_jobs (
        identity_pool_id {key} PRIMARY KEY REFERENCES identity_pools (identity_pool_id) ON DELETE CASCADE,
        status TEXT NOT NULL,
        started_at {time} NOT NULL,
        completed_at {time} NULL,
        failure_message TEXT NULL
      );
    `,
  },
  {
    version: 6,
    name: 'one push device index on both stores (PostgreSQL had it without the token)',
    sql: `
      DROP INDEX IF EXISTS push_devices_by_identity;
      CREATE INDEX push_devices_by_identity ON push_devices (identity_id, platform, token);
    `,
  },
  {
    version: 7,
    name: 'identity pool roles and role mappings, principal tag attribute maps',
    sql: `
      -- SetIdentityPoolRoles replaces both at once. roles: {"authenticated"?: arn, "unauthenticated"?: arn};
      -- role_mappings: provider name → RoleMapping, as the API gives them. No row: roles were never set.
      CREATE TABLE identity_pool_roles (
        identity_pool_id {key} PRIMARY KEY REFERENCES identity_pools (identity_pool_id) ON DELETE CASCADE,
        roles {json} NOT NULL,
        role_mappings {json} NOT NULL
      );
      -- SetPrincipalTagAttributeMap, per pool and provider. principal_tags: tag key → claim name.
      CREATE TABLE principal_tag_attribute_maps (
        identity_pool_id {key} NOT NULL REFERENCES identity_pools (identity_pool_id) ON DELETE CASCADE,
        provider_name {key} NOT NULL,
        use_defaults {bool} NOT NULL,
        principal_tags {json} NOT NULL,
        PRIMARY KEY (identity_pool_id, provider_name)
      );
    `,
  },
  {
    version: 8,
    name: 'revoked developer keys, fenced outbox claims and dead letters, spent sync sessions',
    sql: `
      -- A revoked key keeps its row: it stops signing at once on every node, and its id stays known, so a key
      -- configured by environment at start is refused rather than brought back (npm run keys -- revoke).
      ALTER TABLE developer_keys ADD COLUMN revoked_at {time} NULL;
      -- Each claim stamps a fresh token; extend, complete and retry must present it, so a worker whose lease ran
      -- out cannot finish an item another worker now holds.
      ALTER TABLE outbox ADD COLUMN claim_token TEXT NULL;
      -- Set when an item failed --outbox-max-attempts times: a dead letter, not claimed again until an operator
      -- retries it. It still holds back the later items of its ordering key, so their order survives.
      ALTER TABLE outbox ADD COLUMN dead_at {time} NULL;
      CREATE INDEX outbox_dead_letters ON outbox (id) WHERE dead_at IS NOT NULL;
      -- Sync sessions spent by a successful UpdateRecords (written in its transaction). A row is needed only
      -- until the session's tokens expire; after that they are refused as expired anyway, and the row is swept.
      CREATE TABLE spent_sync_sessions (
        session_id {key} PRIMARY KEY,
        expires_at {time} NOT NULL
      );
      CREATE INDEX spent_sync_sessions_by_expiry ON spent_sync_sessions (expires_at);
    `,
  },
];
