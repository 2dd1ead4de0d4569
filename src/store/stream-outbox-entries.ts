// The outbox items Cognito Streams needs, built the same way by every store inside the transaction that causes
// them: what a sync (or a dataset deletion) wrote, in plain JSON, for the delivery worker to turn into a Kinesis
// record (src/delivery/cognito-stream-record.ts). Dates travel as epoch milliseconds, as the stream carries them.
import type { CognitoStreamsConfig, DatasetAddress, DatasetInfo, OutboxEntry, SyncRecord } from './store.ts';

export const STREAM_RECORD_KIND = 'cognito-stream-record';
export const BULK_PUBLISH_KIND = 'cognito-bulk-publish';

/** A record as it was written by one sync. No `value`: removed. */
export interface StreamedRecord {
  key: string;
  value?: string;
  syncCount: number;
  lastModifiedAt: number;
  deviceLastModifiedAt?: number;
}

export interface StreamRecordPayload {
  identityPoolId: string;
  identityId: string;
  datasetName: string;
  /** 'replace': the dataset was written (records below); 'remove': the dataset was deleted. */
  operation: 'replace' | 'remove';
  syncCount: number;
  lastModifiedAt: number;
  records: StreamedRecord[];
}

export interface BulkPublishPayload {
  identityPoolId: string;
  /** Identifies the job (GetBulkPublishDetails' BulkPublishStartTime), so a finished job is never ended twice. */
  startedAt: number;
  /** Progress: the last dataset published, so a job a dead node was running resumes after it. */
  after?: { identityId: string; datasetName: string };
  /** Dataset stream records published so far. */
  published?: number;
}

/** Streaming is on for the pool: what UpdateRecords reads, inside its transaction, to decide whether to queue. */
export const streamingEnabled = (streams: CognitoStreamsConfig | undefined): boolean =>
  streams?.StreamingStatus === 'ENABLED' && typeof streams.StreamName === 'string' && streams.StreamName !== '';

export const toStreamedRecord = (record: SyncRecord): StreamedRecord => ({
  key: record.key,
  value: record.value,
  syncCount: record.syncCount,
  lastModifiedAt: record.lastModifiedAt.getTime(),
  deviceLastModifiedAt: record.deviceLastModifiedAt?.getTime(),
});

// One dataset's records leave one at a time, in the order they were committed.
const orderingKey = (identityId: string, datasetName: string) => `${STREAM_RECORD_KIND}:${identityId}/${datasetName}`;

/** The stream record for one successful UpdateRecords: the records it wrote, stamped with the new count. */
export function syncStreamEntry(address: DatasetAddress, dataset: DatasetInfo, written: SyncRecord[]): OutboxEntry {
  // A key patched twice in one batch was stored as its last patch left it; stream what was stored.
  const lastByKey = new Map(written.map((record) => [record.key, record]));
  const payload: StreamRecordPayload = {
    identityPoolId: address.identityPoolId,
    identityId: address.identityId,
    datasetName: address.datasetName,
    operation: 'replace',
    syncCount: dataset.syncCount,
    lastModifiedAt: dataset.lastModifiedAt.getTime(),
    records: [...lastByKey.values()].map(toStreamedRecord),
  };
  return { kind: STREAM_RECORD_KIND, orderingKey: orderingKey(address.identityId, address.datasetName), payload };
}

/** The stream record for DeleteDataset: operation 'remove', no records. */
export function deleteStreamEntry(address: DatasetAddress, deleted: DatasetInfo, now: Date): OutboxEntry {
  const payload: StreamRecordPayload = {
    identityPoolId: address.identityPoolId,
    identityId: address.identityId,
    datasetName: address.datasetName,
    operation: 'remove',
    syncCount: deleted.syncCount,
    lastModifiedAt: now.getTime(),
    records: [],
  };
  return { kind: STREAM_RECORD_KIND, orderingKey: orderingKey(address.identityId, address.datasetName), payload };
}

export function bulkPublishEntry(identityPoolId: string, startedAt: Date): OutboxEntry {
  const payload: BulkPublishPayload = { identityPoolId, startedAt: startedAt.getTime() };
  return { kind: BULK_PUBLISH_KIND, orderingKey: `${BULK_PUBLISH_KIND}:${identityPoolId}`, payload };
}
