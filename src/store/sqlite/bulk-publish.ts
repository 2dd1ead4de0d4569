// BulkPublish jobs on the embedded store: starting one (decided by bulk-publish-plan.ts and queued in the same
// transaction), reading and ending it, and the pool-wide dataset walk the job publishes.
import { planBulkPublishStart } from '../bulk-publish-plan.ts';
import type {
  BulkPublishDetails,
  BulkPublishStatus,
  CognitoStreamsConfig,
  DatasetWithRecords,
  PoolDatasetPosition,
  StartBulkPublishResult,
} from '../store.ts';
import { bulkPublishEntry } from '../stream-outbox-entries.ts';
import { type Db, fromJson, inReadTransaction, inTransaction } from './database.ts';
import { type DatasetRow, type RecordRow, toDatasetInfo, toSyncRecord } from './dataset-rows.ts';
import { addOutboxItem } from './outbox.ts';

interface JobRow {
  status: string;
  started_at: number;
  completed_at: number | null;
  failure_message: string | null;
}

function readJob(db: Db, identityPoolId: string): BulkPublishDetails {
  const row = db
    .prepare('SELECT status, started_at, completed_at, failure_message FROM bulk_publish_jobs WHERE identity_pool_id = ?')
    .get(identityPoolId) as JobRow | undefined;
  if (!row) return { identityPoolId, status: 'NOT_STARTED' };
  return {
    identityPoolId,
    status: row.status as BulkPublishStatus,
    startedAt: new Date(row.started_at),
    completedAt: row.completed_at === null ? undefined : new Date(row.completed_at),
    failureMessage: row.failure_message ?? undefined,
  };
}

export function startBulkPublish(db: Db, identityPoolId: string, now: Date): StartBulkPublishResult {
  return inTransaction(db, (): StartBulkPublishResult => {
    const streams = db.prepare('SELECT cognito_streams FROM pool_sync_configuration WHERE identity_pool_id = ?').get(identityPoolId) as
      | { cognito_streams: string | null }
      | undefined;
    const plan = planBulkPublishStart(readJob(db, identityPoolId), fromJson<CognitoStreamsConfig>(streams?.cognito_streams), now);
    if (plan.outcome !== 'start') return plan;
    db.prepare(
      `INSERT INTO bulk_publish_jobs (identity_pool_id, status, started_at, completed_at, failure_message) VALUES (?, 'IN_PROGRESS', ?, NULL, NULL)
       ON CONFLICT (identity_pool_id) DO UPDATE SET status = 'IN_PROGRESS', started_at = excluded.started_at,
         completed_at = NULL, failure_message = NULL`,
    ).run(identityPoolId, now.getTime());
    addOutboxItem(db, bulkPublishEntry(identityPoolId, now), now);
    return { outcome: 'started', details: { identityPoolId, status: 'IN_PROGRESS', startedAt: now } };
  });
}

export function getBulkPublishDetails(db: Db, identityPoolId: string): BulkPublishDetails {
  return readJob(db, identityPoolId);
}

export function finishBulkPublish(
  db: Db,
  identityPoolId: string,
  startedAt: Date,
  result: { status: 'SUCCEEDED' } | { status: 'FAILED'; failureMessage: string },
  now: Date,
): boolean {
  const changed = db
    .prepare(
      `UPDATE bulk_publish_jobs SET status = ?, completed_at = ?, failure_message = ?
       WHERE identity_pool_id = ? AND started_at = ? AND status = 'IN_PROGRESS'`,
    )
    .run(
      result.status,
      // AWS reports BulkPublishCompleteTime for a success only.
      result.status === 'SUCCEEDED' ? now.getTime() : null,
      result.status === 'FAILED' ? result.failureMessage : null,
      identityPoolId,
      startedAt.getTime(),
    );
  return changed.changes > 0;
}

export function listPoolDatasetsWithRecords(
  db: Db,
  identityPoolId: string,
  limit: number,
  after?: PoolDatasetPosition,
): { items: DatasetWithRecords[]; nextAfter?: PoolDatasetPosition } {
  return inReadTransaction(db, () => {
    const rows = db
      .prepare(
        `SELECT * FROM datasets WHERE identity_pool_id = ? AND (identity_id, dataset_name) > (?, ?)
         ORDER BY identity_id, dataset_name LIMIT ?`,
      )
      .all(identityPoolId, after?.identityId ?? '', after?.datasetName ?? '', limit + 1) as unknown as DatasetRow[];
    const readRecords = db.prepare(
      `SELECT record_key, value, sync_count, size, last_modified_at, last_modified_by, device_last_modified_at
       FROM dataset_records WHERE identity_id = ? AND dataset_name = ? ORDER BY record_key`,
    );
    const items = rows.slice(0, limit).map((row) => ({
      dataset: toDatasetInfo(row),
      records: (readRecords.all(row.identity_id, row.dataset_name) as unknown as RecordRow[]).map(toSyncRecord),
    }));
    const last = items.at(-1)?.dataset;
    return { items, nextAfter: rows.length > limit && last ? { identityId: last.identityId, datasetName: last.datasetName } : undefined };
  });
}
