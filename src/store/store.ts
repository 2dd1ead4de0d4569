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

// ---- Cognito Sync datasets and records ------------------------------------------------------------
// Every method below is one transaction. Outcomes a client causes (conflicts, quotas, a missing identity)
// come back as values so both implementations report them identically; the service layer words the errors.
//
// Locking a PostgreSQL implementation needs (SQLite gets it from BEGIN IMMEDIATE's single writer):
// - updateRecords / deleteDataset: `SELECT … FROM datasets WHERE identity_id = $1 AND dataset_name = $2 FOR UPDATE`
//   before reading records, so two writers on one dataset serialize and each sees the other's count. When the
//   dataset does not exist yet, lock the identity row (`SELECT … FROM identities WHERE identity_id = $1 FOR UPDATE`)
//   first, so two first writes of one dataset cannot both insert it and the 20-dataset quota cannot be overrun
//   by racing creations of different datasets. Lock the identity row before the dataset row, always.
// - mergeIdentityDatasets: lock both identity rows (in id order, to avoid deadlocks) before moving datasets.
// - record keys are compared byte-wise (SQLite's BINARY); use `COLLATE "C"` for the pagination order.

/** Which dataset an operation addresses. */
export interface DatasetAddress {
  identityPoolId: string;
  identityId: string;
  datasetName: string;
}

/** A dataset's metadata: what DescribeDataset and ListDatasets answer. */
export interface DatasetInfo {
  identityId: string;
  datasetName: string;
  createdAt: Date;
  lastModifiedAt: Date;
  /** Identity id (identity credentials) or account id (developer credentials) of the last writer. */
  lastModifiedBy: string;
  /** UTF-8 bytes of keys + values; a removed record (tombstone) counts its key only. */
  dataStorage: number;
  /** Live records; tombstones are not counted. */
  numRecords: number;
  syncCount: number;
}

/** A stored record. No `value` means removed: a tombstone kept so other devices learn of the delete. */
export interface SyncRecord {
  key: string;
  value?: string;
  syncCount: number;
  lastModifiedAt: Date;
  lastModifiedBy: string;
  deviceLastModifiedAt?: Date;
}

export interface RecordPatchInput {
  op: 'replace' | 'remove';
  key: string;
  /** Required for replace (the service checks); ignored for remove. */
  value?: string;
  /** The record's SyncCount as the caller last saw it; 0 for a key it has never seen. */
  syncCount: number;
  deviceLastModifiedAt?: Date;
}

export interface SyncQuotas {
  maxDatasetsPerIdentity: number;
  maxRecordsPerDataset: number;
  maxDatasetBytes: number;
}

/** Position after which a ListRecords page continues: records are ordered by (syncCount, key). */
export interface RecordPosition {
  syncCount: number;
  key: string;
}

/** The identity is not in the pool (never was, was deleted, or was merged into `mergedInto`). */
export interface IdentityNotFound {
  outcome: 'identity-not-found';
  mergedInto?: string;
}

export type ListRecordsResult =
  | IdentityNotFound
  /** lastSyncCount is above the existing dataset's count. */
  | { outcome: 'no-such-sync-count'; datasetSyncCount: number }
  | {
      outcome: 'ok';
      /** Absent when the dataset does not exist (never created, or deleted and not recreated). */
      dataset?: DatasetInfo;
      records: SyncRecord[];
      nextAfter?: RecordPosition;
      /** Datasets merged in from other identities under `<name>.<identityId>`. */
      mergedDatasetNames: string[];
      /** The caller's lastSyncCount belongs to an incarnation of the dataset that has since been deleted. */
      deletedAfterRequestedSyncCount: boolean;
    };

export type UpdateRecordsResult =
  | IdentityNotFound
  | {
      outcome: 'ok';
      records: SyncRecord[];
      dataset: DatasetInfo;
      /** The write also queued delivery work (a Cognito Streams record, push sync pushes) in the outbox, in the same transaction. */
      outboxed?: boolean;
    }
  /** A patch's SyncCount differs from the record's: nothing was applied. */
  | { outcome: 'conflict'; key: string; current: number; given: number }
  /** A patch claims a SyncCount the dataset never reached: nothing was applied. */
  | { outcome: 'sync-count-ahead'; key: string; given: number; datasetSyncCount: number }
  /** Applying the batch would break a quota: nothing was applied. */
  | { outcome: 'limit'; quota: keyof SyncQuotas; limit: number; wouldBe: number };

export type DatasetResult =
  | IdentityNotFound
  /** `outboxed`: deleteDataset also queued delivery work (a Cognito Streams 'remove' record) in the outbox. */
  | { outcome: 'ok'; dataset?: DatasetInfo; outboxed?: boolean };

export interface IdentityUsageFigures {
  datasetCount: number;
  dataStorage: number;
  lastModifiedAt?: Date;
}

export interface PoolUsageFigures {
  identityPoolId: string;
  syncSessionsCount: number;
  dataStorage: number;
  lastModifiedAt?: Date;
}

export interface DatasetStore {
  /**
   * Records with SyncCount > lastSyncCount, ordered by (syncCount, key), plus the dataset's state, all from one
   * snapshot. `startsSession` counts one sync session for the pool (only when the answer is 'ok').
   */
  listRecords(
    address: DatasetAddress,
    options: { lastSyncCount: number; limit: number; after?: RecordPosition; startsSession: boolean },
  ): Promise<ListRecordsResult>;
  /**
   * Applies the whole batch or nothing: checks every patch's SyncCount against the record's, checks quotas on the
   * state after the batch, creates the dataset on first write, raises its SyncCount by exactly one and stamps
   * every written record with it.
   */
  updateRecords(
    address: DatasetAddress,
    change: {
      patches: RecordPatchInput[];
      modifiedBy: string;
      now: Date;
      quotas: SyncQuotas;
      /** UpdateRecords' DeviceId: the writing device, which gets no push sync for its own write. */
      writerDeviceId?: string;
    },
  ): Promise<UpdateRecordsResult>;
  describeDataset(address: DatasetAddress): Promise<DatasetResult>;
  /** Removes the dataset and its records; remembers its last SyncCount for DatasetDeletedAfterRequestedSyncCount. */
  deleteDataset(address: DatasetAddress, now: Date): Promise<DatasetResult>;
  /** The identity's datasets (merged ones included) ordered by name, starting after `after`. */
  listDatasets(
    identityPoolId: string,
    identityId: string,
    limit: number,
    after?: string,
  ): Promise<IdentityNotFound | { outcome: 'ok'; page: Page<DatasetInfo> }>;
  describeIdentityUsage(identityPoolId: string, identityId: string): Promise<IdentityNotFound | { outcome: 'ok'; usage: IdentityUsageFigures }>;
  describeIdentityPoolUsage(identityPoolId: string): Promise<PoolUsageFigures>;
  /** Usage of one account's pools ordered by pool id, starting after `after`. */
  listIdentityPoolUsage(accountId: string, limit: number, after?: string): Promise<Page<PoolUsageFigures>>;
  /**
   * Moves every dataset of `fromIdentityId` under `toIdentityId` as `<name>.<fromIdentityId>`, records and
   * counts intact; ListRecords of the survivor's `<name>` lists it in MergedDatasetNames. Moved datasets count
   * toward the survivor's dataset quota (the move itself is never refused).
   */
  mergeIdentityDatasets(identityPoolId: string, fromIdentityId: string, toIdentityId: string): Promise<void>;
}

// ---- Push sync: devices and their dataset subscriptions ----------------------------------------------
// PostgreSQL locking: putDevice locks the identity row (so two registrations of one token end with one device);
// subscribing reads the dataset row with FOR KEY SHARE (the foreign key does too), so a concurrent DeleteDataset
// either precedes the subscription (dataset-not-found) or removes it with the dataset.

export type PushPlatform = 'APNS' | 'APNS_SANDBOX' | 'GCM' | 'ADM';

/** A device registered for push sync: one SNS platform endpoint, owned by one identity. */
export interface PushDevice {
  deviceId: string;
  identityPoolId: string;
  identityId: string;
  platform: PushPlatform;
  token: string;
  /** The SNS platform endpoint pushes to this device are published to. */
  endpointArn: string;
  createdAt: Date;
}

export type DeviceNotFound = { outcome: 'device-not-found' };

export interface PushStore {
  /**
   * Stores `candidate`; when the identity already registered this platform and token, keeps that device's id,
   * points it at `candidate.endpointArn` and returns it instead. Atomic: racing registrations of one token
   * end with one device.
   */
  putDevice(candidate: PushDevice): Promise<IdentityNotFound | { outcome: 'ok'; device: PushDevice }>;
  /** Subscribes the identity's device to the dataset (again: no change). The dataset must exist. */
  subscribeToDataset(
    address: DatasetAddress,
    deviceId: string,
    now: Date,
  ): Promise<IdentityNotFound | DeviceNotFound | { outcome: 'dataset-not-found' } | { outcome: 'ok' }>;
  /** Removes the subscription if there is one. */
  unsubscribeFromDataset(address: DatasetAddress, deviceId: string): Promise<IdentityNotFound | DeviceNotFound | { outcome: 'ok' }>;
  /** The devices subscribed to the dataset, ordered by device id. */
  listDatasetSubscribers(address: DatasetAddress): Promise<PushDevice[]>;
  /** SNS reported the endpoint disabled or gone: drops every subscription of the devices using it; returns how many. */
  dropEndpointSubscriptions(endpointArn: string): Promise<number>;
}

export interface Store extends DeveloperKeyStore, ServerSecretStore, IdentityPoolStore, PoolSyncConfigurationStore, IdentityStore, DatasetStore, OutboxStore, BulkPublishStore, PushStore, ImportStore {
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

// ---- Outbox: work delivered after commit (Cognito Streams records, BulkPublish jobs, push sync) ----------
// A change that must reach the outside world writes an outbox item in its own transaction, so an acknowledged
// change is never lost to delivery and a refused one never reaches it. Nodes claim items for a lease; an item is
// handled by one node at a time (PostgreSQL: FOR UPDATE SKIP LOCKED), and a node that dies leaves its claims to
// expire so another node re-claims them. Items sharing an ordering key are handed out one at a time, oldest
// first: the next is claimable only once the one before it is completed. Delivery is at least once.

/** What to deliver. `orderingKey` orders items among themselves (e.g. one dataset's stream records). */
export interface OutboxEntry {
  kind: string;
  orderingKey: string;
  payload: unknown;
}

export interface OutboxItem extends OutboxEntry {
  id: number;
  /** Claims so far, this one included. */
  attempts: number;
  createdAt: Date;
}

export interface OutboxStore {
  /** Adds an item on its own (changes that cause deliveries add theirs inside their own transaction). */
  enqueueOutboxItem(entry: OutboxEntry, now: Date): Promise<number>;
  /**
   * Claims up to `limit` due items for `worker` until `now + leaseMs`: items whose next attempt is due, that no
   * live lease holds, and that are the oldest of their ordering key. Ordered by id.
   */
  claimOutboxItems(worker: string, limit: number, leaseMs: number, now: Date): Promise<OutboxItem[]>;
  /** Extends `worker`'s lease (and replaces the payload, e.g. a job's progress); false when the claim was lost. */
  extendOutboxClaim(id: number, worker: string, leaseMs: number, now: Date, payload?: unknown): Promise<boolean>;
  /** The item is done (delivered, or dropped for good): removes it. False when it was already gone. */
  completeOutboxItem(id: number): Promise<boolean>;
  /** Releases `worker`'s claim and makes the item due again at `nextAttemptAt`; false when the claim was lost. */
  retryOutboxItem(id: number, worker: string, nextAttemptAt: Date, error: string, payload?: unknown): Promise<boolean>;
  /** Items not yet completed, claimed or not. */
  outboxDepth(): Promise<number>;
}

// ---- BulkPublish ---------------------------------------------------------------------------------------

export type BulkPublishStatus = 'NOT_STARTED' | 'IN_PROGRESS' | 'SUCCEEDED' | 'FAILED';

/** The pool's last BulkPublish, as GetBulkPublishDetails answers it. */
export interface BulkPublishDetails {
  identityPoolId: string;
  status: BulkPublishStatus;
  startedAt?: Date;
  completedAt?: Date;
  failureMessage?: string;
}

export type StartBulkPublishResult =
  /** The job is IN_PROGRESS and its outbox item queued, in one transaction. */
  | { outcome: 'started'; details: BulkPublishDetails }
  | { outcome: 'in-progress'; details: BulkPublishDetails }
  /** A BulkPublish succeeded less than 24 hours ago. */
  | { outcome: 'already-streamed'; details: BulkPublishDetails }
  | { outcome: 'streaming-disabled' };

/** A dataset's place in a pool-wide walk: ordered by identity id, then dataset name. */
export interface PoolDatasetPosition {
  identityId: string;
  datasetName: string;
}

export interface DatasetWithRecords {
  dataset: DatasetInfo;
  /** Every stored record, tombstones included, ordered by key. */
  records: SyncRecord[];
}

export interface BulkPublishStore {
  /** Decides by src/store/bulk-publish-plan.ts, under the pool's job row lock, and queues the job when it starts. */
  startBulkPublish(identityPoolId: string, now: Date): Promise<StartBulkPublishResult>;
  getBulkPublishDetails(identityPoolId: string): Promise<BulkPublishDetails>;
  /** Ends the job that started at `startedAt` (a later job is left alone); false when that job is not running. */
  finishBulkPublish(
    identityPoolId: string,
    startedAt: Date,
    result: { status: 'SUCCEEDED' } | { status: 'FAILED'; failureMessage: string },
    now: Date,
  ): Promise<boolean>;
  /** The pool's datasets with their records, after `after`, from one snapshot per page. */
  listPoolDatasetsWithRecords(
    identityPoolId: string,
    limit: number,
    after?: PoolDatasetPosition,
  ): Promise<{ items: DatasetWithRecords[]; nextAfter?: PoolDatasetPosition }>;
}

// ---- Importing from AWS (src/import/) -------------------------------------------------------------------
// Copies what AWS holds exactly as AWS has it: pool and identity ids, dates, dataset and record sync counts,
// tombstones. Nothing here goes through UpdateRecords (which would raise counts), the quotas, Cognito Streams or
// push sync: these are AWS's past writes, already counted, streamed and pushed there. Each call is one
// transaction, and calling it again with the same input changes nothing. What each call decides comes from
// the pure plans in src/store/*-import-plan.ts, shared by both stores and by the importer's dry run.

/** A pool's Cognito Sync settings as GetIdentityPoolConfiguration and GetCognitoEvents answer them. */
export type ImportedPoolConfiguration = Omit<PoolSyncConfiguration, 'identityPoolId'>;

export type ImportPoolResult =
  | { outcome: 'created' | 'updated' | 'unchanged' }
  /** The id is taken here by another account's pool: nothing was written. */
  | { outcome: 'owned-by-another-account'; accountId: string };

/** An identity as ListIdentities and LookupDeveloperIdentity describe it; never a merged one. */
export interface ImportedIdentity extends Identity {
  logins: IdentityLogin[];
}

export type ImportIdentityResult =
  | {
      /** `updated`: the identity existed and logins were linked to it. */
      outcome: 'created' | 'updated' | 'unchanged';
      /** Logins already linked here to another identity of the pool: left where they are. */
      loginsLinkedElsewhere: Array<IdentityLogin & { identityId: string }>;
    }
  | { outcome: 'in-another-pool'; identityPoolId: string }
  /** Merged here (MergeDeveloperIdentities on this server) since an earlier import: left alone. */
  | { outcome: 'merged-here'; mergedInto: string };

/** A dataset as ListDatasets and ListRecords (from SyncCount 0) describe it. */
export interface ImportedDataset {
  datasetName: string;
  createdAt: Date;
  lastModifiedAt: Date;
  lastModifiedBy: string;
  /** The DatasetSyncCount devices know. */
  syncCount: number;
  /** For a dataset moved here by a merge (`<name>.<identityId>`): `<name>`, so ListRecords lists it in MergedDatasetNames. */
  mergedBaseName?: string;
  /** Every record, tombstones (no `value`) included, each with its own SyncCount. */
  records: SyncRecord[];
}

export type ImportDatasetResult =
  | IdentityNotFound
  /** `recordsWritten`: the records stored by this call (all of them when created; those above the old count when updated). */
  | { outcome: 'created' | 'updated'; dataset: DatasetInfo; recordsWritten: number }
  /** `unchanged`: already the same. `target-ahead`: written here since (AWS's history is a prefix of ours): kept. */
  | { outcome: 'unchanged' | 'target-ahead'; dataset: DatasetInfo }
  /** Written on both sides since an earlier import: the histories disagree at `key`; nothing was written. */
  | { outcome: 'diverged'; key: string; detail: string }
  /** Deleted here (DeleteDataset) since an earlier import: kept deleted. */
  | { outcome: 'deleted-on-target' }
  /** The input contradicts itself (a record above the dataset's count, a key twice): nothing was written. */
  | { outcome: 'invalid'; reason: string };

export interface ImportStore {
  /** The accounts that hold developer keys, ordered: the importer makes one of them the owner of the pools. */
  listDeveloperAccountIds(): Promise<string[]>;
  /** Creates the pool (its id and `createdAt` as given) with its configuration, or makes an existing pool of the
   *  same account match them (spec and configuration replaced; `createdAt` kept). */
  importIdentityPool(pool: IdentityPool, configuration: ImportedPoolConfiguration): Promise<ImportPoolResult>;
  /** Creates the identity with its id, dates and logins, or links the logins it lacks to the existing one. */
  importIdentity(identity: ImportedIdentity): Promise<ImportIdentityResult>;
  /** Creates the dataset with its count and records as given, or brings an existing one forward to them when
   *  they continue its history; see ImportDatasetResult for what else can happen. */
  importDataset(address: DatasetAddress, dataset: ImportedDataset): Promise<ImportDatasetResult>;
}
