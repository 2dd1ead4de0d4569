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

/**
 * One claim on an item. Each claim gets a fresh token, and extend, complete, retry and dead-letter act only for
 * the claim that holds the item now: a worker whose lease ran out (it hung, or its node paused) and whose item
 * another worker claimed since cannot finish, extend or release it — that would break the key's order and send
 * a duplicate while the new holder is still delivering.
 */
export interface OutboxClaim {
  id: number;
  claimToken: string;
}

export interface OutboxItem extends OutboxEntry, OutboxClaim {
  /** Claims so far, this one included. */
  attempts: number;
  createdAt: Date;
}

/** An item that failed too often: kept, claimed no more, until retryDeadLetters. */
export interface DeadLetter extends OutboxEntry {
  id: number;
  attempts: number;
  createdAt: Date;
  deadAt: Date;
  /** The error of its last attempt. */
  lastError?: string;
}

/** Items of one kind: waiting for delivery (claimed or not), and dead letters. */
export interface OutboxKindDepth {
  kind: string;
  pending: number;
  deadLetters: number;
}

export interface OutboxStore {
  /** Adds an item on its own (changes that cause deliveries add theirs inside their own transaction). */
  enqueueOutboxItem(entry: OutboxEntry, now: Date): Promise<number>;
  /**
   * Claims up to `limit` due items for `worker` (its name is kept for operators) until `now + leaseMs`: items
   * whose next attempt is due, that no live lease holds, that are not dead letters, and that are the oldest of
   * their ordering key (a dead letter still holds its key). Ordered by id; each carries its claim's token.
   */
  claimOutboxItems(worker: string, limit: number, leaseMs: number, now: Date): Promise<OutboxItem[]>;
  /** Extends the claim's lease (and replaces the payload, e.g. a job's progress); false when the claim was lost. */
  extendOutboxClaim(claim: OutboxClaim, leaseMs: number, now: Date, payload?: unknown): Promise<boolean>;
  /** The item is done (delivered, or dropped for good): removes it; false when the claim was lost (left alone). */
  completeOutboxItem(claim: OutboxClaim): Promise<boolean>;
  /** Releases the claim and makes the item due again at `nextAttemptAt`; false when the claim was lost. */
  retryOutboxItem(claim: OutboxClaim, nextAttemptAt: Date, error: string, payload?: unknown): Promise<boolean>;
  /** Releases the claim and makes the item a dead letter (see DeadLetter); false when the claim was lost. */
  deadLetterOutboxItem(claim: OutboxClaim, error: string, now: Date): Promise<boolean>;
  /** Items not yet completed, claimed or not, dead letters included. */
  outboxDepth(): Promise<number>;
  /** outboxDepth by kind, split into waiting items and dead letters; kinds with no items are absent. Ordered by kind. */
  outboxDepthByKind(): Promise<OutboxKindDepth[]>;
  /** The oldest `limit` dead letters, by id. */
  listDeadLetters(limit: number): Promise<DeadLetter[]>;
  /**
   * Makes dead letters (those named by `ids`, or all) due again at `now`, with their attempts counted from zero;
   * returns how many. Their ordering keys move again once they are delivered.
   */
  retryDeadLetters(now: Date, ids?: readonly number[]): Promise<number>;
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
