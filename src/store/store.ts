// The storage contract. Two implementations satisfy it (embedded SQLite, PostgreSQL) and both run
// the same contract suite (test/store-contract.test.ts). Every method is one transaction.

export interface DeveloperKey {
  accessKeyId: string;
  secretAccessKey: string;
  accountId: string;
  createdAt: Date;
}

/** Cognito Identity's view of a pool: everything DescribeIdentityPool answers. */
export interface IdentityPoolSpec {
  IdentityPoolName: string;
  AllowUnauthenticatedIdentities: boolean;
  AllowClassicFlow?: boolean;
  SupportedLoginProviders?: Record<string, string>;
  DeveloperProviderName?: string;
  OpenIdConnectProviderARNs?: string[];
  CognitoIdentityProviders?: Array<{ ProviderName?: string; ClientId?: string; ServerSideTokenCheck?: boolean }>;
  SamlProviderARNs?: string[];
  IdentityPoolTags?: Record<string, string>;
}

export interface IdentityPool {
  identityPoolId: string;
  accountId: string;
  spec: IdentityPoolSpec;
  createdAt: Date;
}

export interface PushSyncConfig {
  ApplicationArns?: string[];
  RoleArn?: string;
}
export interface CognitoStreamsConfig {
  StreamName?: string;
  RoleArn?: string;
  StreamingStatus?: 'ENABLED' | 'DISABLED';
  DisabledReason?: string;
}

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
  getDeveloperKey(accessKeyId: string): Promise<DeveloperKey | undefined>;
  /** Inserts the key or replaces its secret and account. */
  putDeveloperKey(key: DeveloperKey): Promise<void>;
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
  updateIdentityPoolSpec(identityPoolId: string, spec: IdentityPoolSpec): Promise<boolean>;
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

export interface Identity {
  identityId: string;
  identityPoolId: string;
  createdAt: Date;
  lastModifiedAt: Date;
  /** Once merged by MergeDeveloperIdentities: the surviving identity, which now acts for this one. */
  mergedInto?: string;
  /** Set when the identity lost its last login: it can no longer obtain tokens or credentials. */
  disabled: boolean;
}

/** A login linked to an identity: unique per pool, provider and user identifier. */
export interface IdentityLogin {
  providerName: string;
  userIdentifier: string;
}

export interface IdentityWithLogins extends Identity {
  logins: IdentityLogin[];
}

export type LinkLoginResult = { linked: true } | { linked: false; linkedTo: string };

export interface IdentityStore {
  createIdentity(identity: Identity): Promise<void>;
  /** One indexed lookup by id; merged identities are returned too (with `mergedInto`). */
  getIdentity(identityId: string): Promise<Identity | undefined>;
  getIdentityLogins(identityId: string): Promise<IdentityLogin[]>;
  /** The identity the login is linked to in the pool, if any. */
  findIdentityByLogin(identityPoolId: string, login: IdentityLogin): Promise<string | undefined>;
  /**
   * Returns the identity linked to `login` in the pool, or creates `candidate` and links the login to it,
   * atomically: two racing first logins of one user end with one identity.
   */
  findOrCreateIdentityForLogin(identityPoolId: string, login: IdentityLogin, candidate: Identity): Promise<{ identityId: string; created: boolean }>;
  /**
   * Links `login` to the identity (re-enabling it). A login already linked elsewhere in the pool is left alone
   * and its identity reported.
   */
  linkLogin(identityId: string, login: IdentityLogin, now: Date): Promise<LinkLoginResult>;
  /** Removes the link; an identity left without logins becomes disabled. False when it was not linked. */
  unlinkLogin(identityId: string, login: IdentityLogin, now: Date): Promise<boolean>;
  /** A pool's identities (not the merged-away ones) ordered by id, starting after `after`. */
  listIdentities(identityPoolId: string, limit: number, options: { after?: string; hideDisabled?: boolean }): Promise<Page<IdentityWithLogins>>;
  /** The identity's user identifiers for one provider, ordered, starting after `after`. */
  listLoginUserIdentifiers(identityId: string, providerName: string, limit: number, after?: string): Promise<Page<string>>;
  /** Deletes the identities (with their logins and whatever was merged into them); returns the ids deleted. */
  deleteIdentities(identityIds: string[]): Promise<string[]>;
  /**
   * Merges `fromIdentityId` into `toIdentityId`: moves its logins, marks it merged, and re-points identities
   * previously merged into it, so a merge chain always resolves in one step.
   */
  mergeIdentities(fromIdentityId: string, toIdentityId: string, now: Date): Promise<void>;
}

export interface Store extends DeveloperKeyStore, ServerSecretStore, IdentityPoolStore, PoolSyncConfigurationStore, IdentityStore {
  /** Which implementation this is, for logs and /health. */
  readonly kind: 'sqlite' | 'postgres';
  /** Throws when the backing database cannot answer. */
  ping(): Promise<void>;
  /** Connection pool use, for /metrics; absent for a store without a pool. */
  connectionPool?(): ConnectionPoolUse;
  close(): Promise<void>;
}

export interface ConnectionPoolUse {
  /** The most connections the pool opens. */
  max: number;
  open: number;
  idle: number;
  /** Callers waiting for a connection. */
  waiting: number;
}
