// The storage contract for work delivered after commit (Cognito Streams records, push sync, BulkPublish jobs).
// A change that must reach the outside world writes an outbox item in its own transaction, so an acknowledged
// change is never lost to delivery and a refused one never reaches it. Nodes claim items for a lease; an item is
// handled by one node at a time (PostgreSQL: FOR UPDATE SKIP LOCKED), and a node that dies leaves its claims to
// expire so another node re-claims them. Items sharing an ordering key are handed out one at a time, oldest
// first: the next is claimable only once the one before it is completed. Delivery is at least once.
import type { DatasetInfo, SyncRecord } from './datasets.ts';


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
