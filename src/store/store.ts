// The storage contract, split by area in contracts/. One implementation (sql-store.ts, over the operations in
// operations/) serves both dialects (sqlite/, postgres/), and one contract suite (test/store-contract/) runs it on
// each. Every method is one transaction.
import type { DatasetStore } from './contracts/datasets.ts';
import type { IdentityStore } from './contracts/identities.ts';
import type { ImportStore } from './contracts/imports.ts';
import type { DeveloperKeyStore, IdentityPoolStore, PoolSyncConfigurationStore, ServerSecretStore } from './contracts/keys-and-pools.ts';
import type { BulkPublishStore, OutboxStore } from './contracts/outbox.ts';
import type { PoolRoleStore } from './contracts/pool-roles.ts';
import type { PushStore } from './contracts/push.ts';

export type * from './contracts/datasets.ts';
export type * from './contracts/identities.ts';
export type * from './contracts/imports.ts';
export type * from './contracts/keys-and-pools.ts';
export type * from './contracts/outbox.ts';
export type * from './contracts/pool-roles.ts';
export type * from './contracts/push.ts';

export interface Store extends DeveloperKeyStore, ServerSecretStore, IdentityPoolStore, PoolSyncConfigurationStore, PoolRoleStore, IdentityStore, DatasetStore, OutboxStore, BulkPublishStore, PushStore, ImportStore {
  /** Which implementation this is, for logs and /health. */
  readonly kind: 'sqlite' | 'postgres';
  /** Throws when the backing database cannot answer. */
  ping(): Promise<void>;
  /** Connection pool use, for /metrics; absent for a store without a pool. */
  connectionPool?(): ConnectionPoolUse;
  /**
   * Writes a consistent copy of the whole store to `file` (a new SQLite database) while the store keeps serving;
   * `onProgress` is called after each step. Only the embedded SQLite store has it (PostgreSQL: pg_dump).
   */
  backupTo?(file: string, onProgress?: (progress: BackupProgress) => void): Promise<BackupResult>;
  close(): Promise<void>;
}

export interface BackupProgress {
  totalPages: number;
  remainingPages: number;
}

export interface BackupResult {
  /** Database pages copied. */
  pages: number;
}

export interface ConnectionPoolUse {
  /** The most connections the pool opens. */
  max: number;
  open: number;
  idle: number;
  /** Callers waiting for a connection. */
  waiting: number;
}
