// Whether a BulkPublish may start, in one place for every store: each store reads the pool's last job and its
// streams configuration inside its own locked transaction and asks this plan (reference: "Cognito Streams and
// BulkPublish"). One job may run at a time; one may succeed per 24 hours; streaming must be on.
import type { BulkPublishDetails, CognitoStreamsConfig, StartBulkPublishResult } from './store.ts';
import { streamingEnabled } from './stream-outbox-entries.ts';

export const BULK_PUBLISH_INTERVAL_MS = 24 * 60 * 60 * 1000;

export type BulkPublishStartPlan = Exclude<StartBulkPublishResult, { outcome: 'started' }> | { outcome: 'start' };

export function planBulkPublishStart(
  last: BulkPublishDetails,
  streams: CognitoStreamsConfig | undefined,
  now: Date,
): BulkPublishStartPlan {
  if (last.status === 'IN_PROGRESS') return { outcome: 'in-progress', details: last };
  if (last.status === 'SUCCEEDED' && last.completedAt && now.getTime() - last.completedAt.getTime() < BULK_PUBLISH_INTERVAL_MS) {
    return { outcome: 'already-streamed', details: last };
  }
  if (!streamingEnabled(streams)) return { outcome: 'streaming-disabled' };
  return { outcome: 'start' };
}
