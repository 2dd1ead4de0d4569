// The storage contract for Cognito Sync datasets and records. Every method is one transaction. Outcomes a client
// causes (conflicts, quotas, a missing identity) come back as values; the service layer words the errors.
import type { Page } from './keys-and-pools.ts';


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
  | { outcome: 'limit'; quota: keyof SyncQuotas; limit: number; wouldBe: number }
  /** The sync session was already spent by an earlier successful UpdateRecords: nothing was applied. */
  | { outcome: 'session-spent' };

/** The sync session an UpdateRecords presents (its SyncSessionToken's), spent by the write when it succeeds. */
export interface SpendableSyncSession {
  sessionId: string;
  /** When the session's tokens expire; the spent mark is kept until then. */
  expiresAt: Date;
}

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
   * snapshot. A pure read.
   */
  listRecords(address: DatasetAddress, options: { lastSyncCount: number; limit: number; after?: RecordPosition }): Promise<ListRecordsResult>;
  /**
   * Counts one sync session for the pool (a ListRecords that starts a sync), for DescribeIdentityPoolUsage;
   * resolves once the count is durable. Counts made together may share one write.
   */
  countSyncSession(identityPoolId: string): Promise<void>;
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
      /**
       * Marked spent in the write's own transaction when the batch is accepted (a crash cannot spend it without
       * writing, or write without spending it); already spent: 'session-spent'. A refused batch spends nothing.
       */
      syncSession?: SpendableSyncSession;
    },
  ): Promise<UpdateRecordsResult>;
  /** True once a successful updateRecords spent the session (and until its expiry is swept). */
  isSyncSessionSpent(sessionId: string): Promise<boolean>;
  /** Forgets spent sessions whose tokens expired at or before `now`, at most `limit`; returns how many. */
  deleteExpiredSyncSessions(now: Date, limit: number): Promise<number>;
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
}
