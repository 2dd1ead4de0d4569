// BulkPublish jobs. Starting one locks the pool's job row (created first if missing), so two BulkPublish calls on
// different nodes take turns: one starts the job, the other sees it IN_PROGRESS. The job itself is an outbox
// item queued in the same transaction, which exactly one node claims and runs.
import { planBulkPublishStart } from '../bulk-publish-plan.ts';
import type { SqlDatabase, SqlRunner } from '../sql/database.ts';
import { asDate, asOptionalDate, parseJson } from '../sql/row-values.ts';
import { empty, forUpdate, sql } from '../sql/sql.ts';
import type {
  BulkPublishDetails,
  BulkPublishStatus,
  CognitoStreamsConfig,
  DatasetWithRecords,
  PoolDatasetPosition,
  StartBulkPublishResult,
} from '../store.ts';
import { bulkPublishEntry } from '../stream-outbox-entries.ts';
import { DATASET_COLUMNS, type DatasetRow, RECORD_COLUMNS, type RecordRow, toDatasetInfo, toSyncRecord } from './dataset-rows.ts';
import { addOutboxItem } from './outbox.ts';

interface JobRow {
  status: string;
  started_at: number | Date;
  completed_at: number | Date | null;
  failure_message: string | null;
}

async function readJob(db: SqlRunner, identityPoolId: string, lock = false): Promise<BulkPublishDetails> {
  const row = await db.get<JobRow>(
    sql`SELECT status, started_at, completed_at, failure_message FROM bulk_publish_jobs WHERE identity_pool_id = ${identityPoolId}${lock ? forUpdate : empty}`,
  );
  if (!row || row.status === 'NOT_STARTED') return { identityPoolId, status: 'NOT_STARTED' };
  return {
    identityPoolId,
    status: row.status as BulkPublishStatus,
    startedAt: asDate(row.started_at),
    completedAt: asOptionalDate(row.completed_at),
    failureMessage: row.failure_message ?? undefined,
  };
}

export function startBulkPublish(db: SqlDatabase, identityPoolId: string, now: Date): Promise<StartBulkPublishResult> {
  return db.write(async (tx): Promise<StartBulkPublishResult> => {
    // A placeholder row to lock when the pool never ran a job; it reads as NOT_STARTED, and the placeholder of a
    // refused first job stays.
    await tx.run(
      sql`INSERT INTO bulk_publish_jobs (identity_pool_id, status, started_at) VALUES (${identityPoolId}, 'NOT_STARTED', ${now}) ON CONFLICT DO NOTHING`,
    );
    const last = await readJob(tx, identityPoolId, true);
    const streams = await tx.get<{ cognito_streams: string | null }>(
      sql`SELECT cognito_streams FROM pool_sync_configuration WHERE identity_pool_id = ${identityPoolId}`,
    );
    const plan = planBulkPublishStart(last, parseJson<CognitoStreamsConfig>(streams?.cognito_streams), now);
    if (plan.outcome !== 'start') return plan;
    await tx.run(
      sql`UPDATE bulk_publish_jobs SET status = 'IN_PROGRESS', started_at = ${now}, completed_at = NULL, failure_message = NULL
          WHERE identity_pool_id = ${identityPoolId}`,
    );
    await addOutboxItem(tx, bulkPublishEntry(identityPoolId, now), now);
    return { outcome: 'started', details: { identityPoolId, status: 'IN_PROGRESS', startedAt: now } };
  });
}

export const getBulkPublishDetails = (db: SqlDatabase, identityPoolId: string): Promise<BulkPublishDetails> => readJob(db, identityPoolId);

export async function finishBulkPublish(
  db: SqlDatabase,
  identityPoolId: string,
  startedAt: Date,
  result: { status: 'SUCCEEDED' } | { status: 'FAILED'; failureMessage: string },
  now: Date,
): Promise<boolean> {
  // AWS reports BulkPublishCompleteTime for a success only.
  const completedAt = result.status === 'SUCCEEDED' ? now : null;
  const failureMessage = result.status === 'FAILED' ? result.failureMessage : null;
  const changed = await db.run(
    sql`UPDATE bulk_publish_jobs SET status = ${result.status}, completed_at = ${completedAt}, failure_message = ${failureMessage}
        WHERE identity_pool_id = ${identityPoolId} AND started_at = ${startedAt} AND status = 'IN_PROGRESS'`,
  );
  return changed > 0;
}

export function listPoolDatasetsWithRecords(
  db: SqlDatabase,
  identityPoolId: string,
  limit: number,
  after?: PoolDatasetPosition,
): Promise<{ items: DatasetWithRecords[]; nextAfter?: PoolDatasetPosition }> {
  const from = sql`(identity_id, dataset_name) > (${after?.identityId ?? ''}, ${after?.datasetName ?? ''})`;
  return db.read(async (tx) => {
    const rows = await tx.all<DatasetRow>(
      sql`SELECT ${DATASET_COLUMNS} FROM datasets WHERE identity_pool_id = ${identityPoolId} AND ${from}
          ORDER BY identity_id, dataset_name LIMIT ${limit + 1}`,
    );
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    const records = new Map<string, RecordRow[]>();
    if (last) {
      // One query for the page's records: the page is one contiguous range of the pool's datasets.
      const found = await tx.all<RecordRow & { identity_id: string; dataset_name: string }>(
        sql`SELECT identity_id, dataset_name, ${RECORD_COLUMNS} FROM dataset_records
            WHERE (identity_id, dataset_name) IN (
              SELECT identity_id, dataset_name FROM datasets WHERE identity_pool_id = ${identityPoolId} AND ${from}
                AND (identity_id, dataset_name) <= (${last.identity_id}, ${last.dataset_name}))
            ORDER BY identity_id, dataset_name, record_key`,
      );
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
    return { items, nextAfter: rows.length > limit && last ? { identityId: last.identity_id, datasetName: last.dataset_name } : undefined };
  });
}
