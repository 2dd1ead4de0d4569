// The outbox handlers of Cognito Streams: one stream record per sync, and BulkPublish jobs (every dataset of a
// pool). Both read the pool's streams configuration when they deliver, so a pool whose streaming was turned off
// (by its developer, or by us when the stream stopped working) gets nothing more. When Kinesis says the stream is
// gone or access to it is denied, streaming turns itself off for the pool with a DisabledReason, as AWS's does;
// SetIdentityPoolConfiguration with a new CognitoStreams clears it.
import type { Logger } from 'pino';
import type { CognitoStreamsConfig, Store } from '../store/store.ts';
import {
  BULK_PUBLISH_KIND,
  type BulkPublishPayload,
  STREAM_RECORD_KIND,
  type StreamRecordPayload,
  streamingEnabled,
  toStreamedRecord,
} from '../store/stream-outbox-entries.ts';
import { inlineStreamRecord } from './cognito-stream-record.ts';
import type { KinesisStreamPublisher, OutgoingStreamRecord } from './kinesis-stream-publisher.ts';
import type { OutboxHandler, OutboxHandlerResult } from './outbox-worker.ts';

/** Datasets read and published per step of a BulkPublish; progress is saved after each step. */
const BULK_PAGE_DATASETS = 25;
/** A BulkPublish that keeps failing for passing reasons ends FAILED after this many attempts (about half an hour). */
const BULK_MAX_ATTEMPTS = 10;

export interface StreamDeliveryDeps {
  store: Store;
  logger: Logger;
  /** The publisher, created on first use (the Kinesis and S3 clients load only on nodes that stream). */
  publisher: () => Promise<Pick<KinesisStreamPublisher, 'publish'>>;
  now?: () => Date;
}

/** Where a dataset's oversized payload goes in the S3 bucket. */
const s3KeyFor = (payload: Pick<StreamRecordPayload, 'identityPoolId' | 'identityId' | 'datasetName'>, name: string) =>
  `cognito-streams/${payload.identityPoolId}/${payload.identityId}/${payload.datasetName}/${name}.json`;

export function cognitoStreamHandlers(deps: StreamDeliveryDeps): Record<string, OutboxHandler> {
  const now = deps.now ?? (() => new Date());
  const { store, logger } = deps;

  /** The stream of an ENABLED pool, or undefined (streaming off, or the pool is gone). */
  async function enabledStream(identityPoolId: string): Promise<string | undefined> {
    const streams = (await store.getPoolSyncConfiguration(identityPoolId)).cognitoStreams;
    return streamingEnabled(streams) ? streams!.StreamName : undefined;
  }

  /** Turns streaming off for the pool, unless its configuration changed since (a new stream was set). */
  async function disableStreaming(identityPoolId: string, streamName: string, reason: string): Promise<void> {
    logger.warn({ identityPoolId, streamName, reason }, 'Cognito Streams turned off for the pool: the stream cannot be written');
    const stillThisStream = (s: CognitoStreamsConfig | undefined) => streamingEnabled(s) && s!.StreamName === streamName;
    try {
      await store.updatePoolSyncConfiguration(identityPoolId, (current) =>
        stillThisStream(current.cognitoStreams)
          ? { ...current, cognitoStreams: { ...current.cognitoStreams, StreamingStatus: 'DISABLED', DisabledReason: reason } }
          : current,
      );
    } catch (error) {
      // The pool was deleted meanwhile: nothing left to turn off.
      logger.warn({ err: error, identityPoolId }, 'could not record DisabledReason');
    }
  }

  const streamRecord: OutboxHandler = async ({ item, signal }) => {
    const payload = item.payload as StreamRecordPayload;
    const streamName = await enabledStream(payload.identityPoolId);
    if (!streamName) {
      logger.debug({ outboxItem: item.id, identityPoolId: payload.identityPoolId }, 'stream record dropped: streaming is off for the pool');
      return { outcome: 'done' };
    }
    try {
      const publisher = await deps.publisher();
      await publisher.publish(streamName, [{ record: inlineStreamRecord(payload), s3Key: s3KeyFor(payload, `${payload.syncCount}-${item.id}`) }], signal);
    } catch (error) {
      if ((error as Error).name !== 'StreamUnusableError') throw error;
      await disableStreaming(payload.identityPoolId, streamName, (error as Error).message);
    }
    return { outcome: 'done' };
  };

  const bulkPublish: OutboxHandler = async ({ item, extend, stopping, signal }): Promise<OutboxHandlerResult> => {
    const job = item.payload as BulkPublishPayload;
    const { identityPoolId } = job;
    const startedAt = new Date(job.startedAt);
    const details = await store.getBulkPublishDetails(identityPoolId);
    if (details.status !== 'IN_PROGRESS' || details.startedAt?.getTime() !== job.startedAt) return { outcome: 'done' };
    const fail = async (failureMessage: string): Promise<OutboxHandlerResult> => {
      logger.warn({ identityPoolId, failureMessage }, 'BulkPublish failed');
      await store.finishBulkPublish(identityPoolId, startedAt, { status: 'FAILED', failureMessage }, now());
      return { outcome: 'done' };
    };

    const streamName = await enabledStream(identityPoolId);
    if (!streamName) return fail('Cognito Streams was turned off for the identity pool before the bulk publish completed.');
    let progress: BulkPublishPayload = { ...job };
    try {
      const publisher = await deps.publisher();
      for (;;) {
        const page = await store.listPoolDatasetsWithRecords(identityPoolId, BULK_PAGE_DATASETS, progress.after);
        const outgoing: OutgoingStreamRecord[] = page.items.map(({ dataset, records }) => {
          const payload: StreamRecordPayload = {
            identityPoolId,
            identityId: dataset.identityId,
            datasetName: dataset.datasetName,
            operation: 'replace',
            syncCount: dataset.syncCount,
            lastModifiedAt: dataset.lastModifiedAt.getTime(),
            records: records.map(toStreamedRecord),
          };
          return { record: inlineStreamRecord(payload), s3Key: s3KeyFor(payload, `bulk-${job.startedAt}-${dataset.syncCount}`) };
        });
        if (outgoing.length > 0) await publisher.publish(streamName, outgoing, signal);
        const last = page.items.at(-1)?.dataset;
        progress = {
          ...progress,
          after: last ? { identityId: last.identityId, datasetName: last.datasetName } : progress.after,
          published: (progress.published ?? 0) + outgoing.length,
        };
        if (!page.nextAfter) break;
        // Saving progress keeps the claim alive; a lost claim means another node now runs this job.
        if (!(await extend(progress))) return { outcome: 'abandoned' };
        if (stopping()) return { outcome: 'retry', error: 'node shutting down; another node continues', payload: progress, delayMs: 0 };
      }
    } catch (error) {
      if ((error as Error).name === 'StreamUnusableError') {
        await disableStreaming(identityPoolId, streamName, (error as Error).message);
        return fail((error as Error).message);
      }
      const message = (error as Error).message || String(error);
      if (item.attempts >= BULK_MAX_ATTEMPTS) return fail(`Publishing failed ${item.attempts} times; last error: ${message}`);
      return { outcome: 'retry', error: message, payload: progress };
    }
    await store.finishBulkPublish(identityPoolId, startedAt, { status: 'SUCCEEDED' }, now());
    logger.info({ identityPoolId, datasets: progress.published ?? 0 }, 'BulkPublish succeeded');
    return { outcome: 'done' };
  };

  return { [STREAM_RECORD_KIND]: streamRecord, [BULK_PUBLISH_KIND]: bulkPublish };
}
