// The outbox items push sync needs: one per subscribed device (the writer's own device excepted) for every
// successful UpdateRecords, queued by each store inside that UpdateRecords transaction with one INSERT … SELECT
// over the dataset's subscriptions, and sent by src/delivery/sns-push-publisher.ts.
import type { PushPlatform } from './store.ts';

export const PUSH_SYNC_KIND = 'push-sync';

/** What a push item carries: where to publish (as of the sync's commit) and what the push says. */
export interface PushSyncPayload {
  deviceId: string;
  endpointArn: string;
  platform: PushPlatform;
  identityPoolId: string;
  identityId: string;
  datasetName: string;
  syncCount: number;
}

/**
 * One device's pushes leave one at a time, oldest first (a device never sees an older count after a newer one),
 * and a device whose endpoint keeps failing holds up only its own pushes. The stores build this key in SQL as
 * `'push-sync:' || device_id`.
 */
export const pushOrderingKeyPrefix = `${PUSH_SYNC_KIND}:`;
