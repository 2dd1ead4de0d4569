// BulkPublish jobs on PostgreSQL. Starting one locks the pool's job row (created first if missing), so two
// BulkPublish calls on different nodes take turns: one starts the job, the other sees it IN_PROGRESS. The job
// itself is an outbox item queued in the same transaction, which exactly one node claims and runs.
import type pg from 'pg';
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
import { fromJson, inReadTransaction, inTransaction, type Queryable } from './database.ts';
import { DATASET_COLUMNS, type DatasetRow, type RecordRow, toDatasetInfo, toSyncRecord } from './dataset-rows.ts';
import { addOutboxItem } from './outbox.ts';

interface JobRow {
  status: string;
  started_at: Date;
  completed_at: Date | null;
  failure_message: string | null;
}

async function readJob(db: Queryable, identityPoolId: string, lock: boolean): Promise<BulkPublishDetails> {
  const row = (
    await db.query<JobRow>(
      `SELECT status, started_at, completed_at, failure_message FROM bulk_publish_jobs WHERE identity_pool_id = $1${lock ? ' FOR UPDATE' : ''}`,
      [identityPoolId],
    )
  ).rows[0];
  if (!row || row.status === 'NOT_STARTED') return { identityPoolId, status: 'NOT_STARTED' };
  return {
    identityPoolId,
    status: row.status as BulkPublishStatus,
    startedAt: row.started_at,
    completedAt: row.completed_at ?? undefined,
    failureMessage: row.failure_message ?? undefined,
  };
}

export function startBulkPublish(db: pg.Pool, identityPoolId: string, now: Date): Promise<StartBulkPublishResult> {
  return inTransaction(db, async (client): Promise<StartBulkPublishResult> => {
    // A placeholder row to lock when the pool never ran a job; it reads as NOT_STARTED.
    await client.query(
      `INSERT INTO bulk_publish_jobs (identity_pool_id, status, started_at) VALUES ($1, 'NOT_STARTED', $2) ON CONFLICT DO NOTHING`,
      [identityPoolId, now],
    );
    const last = await readJob(client, identityPoolId, true);
    const streams = (
      await client.query<{ cognito_streams: unknown }>('SELECT cognito_streams FROM pool_sync_configuration WHERE identity_pool_id = $1', [identityPoolId])
    ).rows[0];
    const plan = planBulkPublishStart(last, fromJson<CognitoStreamsConfig>(streams?.cognito_streams), now);
    if (plan.outcome !== 'start') {
      // The placeholder of a refused first job stays: it still reads as NOT_STARTED.
      return plan;
    }
    await client.query(
      `UPDATE bulk_publish_jobs SET status = 'IN_PROGRESS', started_at = $2, completed_at = NULL, failure_message = NULL
       WHERE identity_pool_id = $1`,
      [identityPoolId, now],
    );
    await addOutboxItem(client, bulkPublishEntry(identityPoolId, now), now);
    return { outcome: 'started', details: { identityPoolId, status: 'IN_PROGRESS', startedAt: now } };
  });
}

export function getBulkPublishDetails(db: pg.Pool, identityPoolId: string): Promise<BulkPublishDetails> {
  return readJob(db, identityPoolId, false);
}

export async function finishBulkPublish(
  db: pg.Pool,
  identityPoolId: string,
  startedAt: Date,
  result: { status: 'SUCCEEDED' } | { status: 'FAILED'; failureMessage: string },
  now: Date,
): Promise<boolean> {
  const changed = await db.query(
    `UPDATE bulk_publish_jobs SET status = $1, completed_at = $2, failure_message = $3
     WHERE identity_pool_id = $4 AND started_at = $5 AND status = 'IN_PROGRESS'`,
    [
      result.status,
      // AWS reports BulkPublishCompleteTime for a success only.
      result.status === 'SUCCEEDED' ? now : null,
      result.status === 'FAILED' ? result.failureMessage : null,
      identityPoolId,
      startedAt,
    ],
  );
  return (changed.rowCount ?? 0) > 0;
}

export function listPoolDatasetsWithRecords(
  db: pg.Pool,
  identityPoolId: string,
  limit: number,
  after?: PoolDatasetPosition,
): Promise<{ items: DatasetWithRecords[]; nextAfter?: PoolDatasetPosition }> {
  return inReadTransaction(db, async (client) => {
    const rows = (
      await client.query<DatasetRow>(
        `SELECT ${DATASET_COLUMNS} FROM datasets WHERE identity_pool_id = $1 AND (identity_id, dataset_name) > ($2, $3)
         ORDER BY identity_id, dataset_name LIMIT $4`,
        [identityPoolId, after?.identityId ?? '', after?.datasetName ?? '', limit + 1],
      )
    ).rows;
    const page = rows.slice(0, limit);
    const records = new Map<string, RecordRow[]>();
    if (page.length > 0) {
      // One query for the page's records: (identity, name) pairs unnested side by side.
      const found = (
        await client.query<RecordRow & { identity_id: string; dataset_name: string }>(
          `SELECT r.identity_id, r.dataset_name, r.record_key, r.value, r.sync_count, r.size, r.last_modified_at, r.last_modified_by,
             r.device_last_modified_at
           FROM dataset_records AS r
           JOIN unnest($1::text[], $2::text[]) AS d (identity_id, dataset_name)
             ON r.identity_id = d.identity_id AND r.dataset_name = d.dataset_name
           ORDER BY r.identity_id, r.dataset_name, r.record_key`,
          [page.map((row) => row.identity_id), page.map((row) => row.dataset_name)],
        )
      ).rows;
      for (const row of found) {
        const key = `${row.identity_id}/${row.dataset_name}`;
        const list = records.get(key);
        if (list) list.push(row);
        else records.set(key, [row]);
      }
    }
    const items = page.map((row) => ({
      dataset: toDatasetInfo(row),
      records: (records.get(`${row.identity_id}/${row.dataset_name}`) ?? []).map(toSyncRecord),
    }));
    const last = items.at(-1)?.dataset;
    return { items, nextAfter: rows.length > limit && last ? { identityId: last.identityId, datasetName: last.datasetName } : undefined };
  });
}
