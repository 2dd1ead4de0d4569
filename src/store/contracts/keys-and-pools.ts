// The storage contract for developer keys, server secrets, identity pools and their Cognito Sync configuration.

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
