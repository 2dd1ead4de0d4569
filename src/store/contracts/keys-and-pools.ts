// The storage contract for developer keys, server secrets, identity pools and their Cognito Sync configuration.
import type { IdentityPool as IdentityPoolDescription } from '../../model/cognito-identity-types.ts';
import type { CognitoStreams, PushSync } from '../../model/cognito-sync-types.ts';

export interface DeveloperKey {
  accessKeyId: string;
  secretAccessKey: string;
  accountId: string;
  createdAt: Date;
  /** Set once the key was revoked (`npm run keys -- revoke`): it signs nothing any more, and is never restored. */
  revokedAt?: Date;
}

export type RevokeDeveloperKeyResult = 'revoked' | 'already-revoked' | 'not-found';

/** Cognito Identity's view of a pool: everything DescribeIdentityPool answers but the id, in the model's shape. */
export type IdentityPoolSpec = Omit<IdentityPoolDescription, 'IdentityPoolId'>;

export interface IdentityPool {
  identityPoolId: string;
  accountId: string;
  spec: IdentityPoolSpec;
  createdAt: Date;
}

/** The pool's Cognito Sync settings, stored in the shapes the model gives them. */
export type PushSyncConfig = PushSync;
export type CognitoStreamsConfig = CognitoStreams;

/** Cognito Sync's per-pool configuration. Absent parts were never set. */
export interface PoolSyncConfiguration {
  identityPoolId: string;
  pushSync?: PushSyncConfig;
  cognitoStreams?: CognitoStreamsConfig;
  cognitoEvents?: Record<string, string>;
}

export interface Page<T> {
  items: T[];
  /** The sort key of the last item when more items follow. */
  nextAfter?: string;
}

export interface DeveloperKeyStore {
  /**
   * The key, if it exists and is not revoked: one primary-key read, made by every developer-signed request (no
   * cache), so a revocation stops the key on every node at its next request.
   */
  getDeveloperKey(accessKeyId: string): Promise<DeveloperKey | undefined>;
  /** Inserts the key or replaces its secret and account (a revoked key stays revoked). */
  putDeveloperKey(key: DeveloperKey): Promise<void>;
  /** Inserts a new key; false when the id is taken (by an active or a revoked key) and nothing was written. */
  createDeveloperKey(key: DeveloperKey): Promise<boolean>;
  /** Every key stored, revoked ones included (with `revokedAt`), ordered by account, then creation, then id. */
  listDeveloperKeys(): Promise<DeveloperKey[]>;
  /** Revokes the key at `now`; the row is kept so the id stays known (see developer-key-bootstrap.ts). */
  revokeDeveloperKey(accessKeyId: string, now: Date): Promise<RevokeDeveloperKeyResult>;
  /** Keys ever stored, revoked ones included: a server generates a key only for a store that never held one. */
  countDeveloperKeys(): Promise<number>;
}

export interface ServerSecretStore {
  /**
   * Returns the secret stored under `name`, storing `candidate` first if there is none. Two nodes racing
   * here agree on one value, so tokens sealed by one node open on every other.
   */
  getOrCreateSecret(name: string, candidate: string): Promise<string>;
}

export interface IdentityPoolStore {
  createIdentityPool(pool: IdentityPool): Promise<void>;
  getIdentityPool(identityPoolId: string): Promise<IdentityPool | undefined>;
  /** Pools of one account ordered by id, starting after `after`. */
  listIdentityPools(accountId: string, limit: number, after?: string): Promise<Page<IdentityPool>>;
  /**
   * Atomically reads the pool's spec, applies `change` and writes the result (UpdateIdentityPool, TagResource,
   * UntagResource): concurrent changes on one pool apply one after another, so none is lost. `change` may throw to
   * refuse (nothing is written) and may run more than once. Undefined when the pool does not exist.
   */
  changeIdentityPoolSpec(identityPoolId: string, change: (current: IdentityPoolSpec) => IdentityPoolSpec): Promise<IdentityPoolSpec | undefined>;
  /** Deletes the pool and everything that belongs to it. */
  deleteIdentityPool(identityPoolId: string): Promise<boolean>;
}

export interface PoolSyncConfigurationStore {
  getPoolSyncConfiguration(identityPoolId: string): Promise<PoolSyncConfiguration>;
  /**
   * Atomically reads the pool's configuration, applies `change` and writes the result. Concurrent
   * calls on one pool are serialized, so no caller's change is lost.
   */
  updatePoolSyncConfiguration(
    identityPoolId: string,
    change: (current: PoolSyncConfiguration) => PoolSyncConfiguration,
  ): Promise<PoolSyncConfiguration>;
}
