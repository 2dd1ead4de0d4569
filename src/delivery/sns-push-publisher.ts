// Delivers the outbox's push-sync items: one silent push to one device through SNS Publish. The outbox worker
// hands each item to one node at a time and retries it (with backoff) when this throws, so a push queued by an
// acknowledged sync is sent at least once whatever happens to the node that queued it.
import type { Logger } from 'pino';
import { PUSH_SYNC_KIND, type PushSyncPayload } from '../store/push-outbox-entries.ts';
import type { PoolSyncConfigurationStore, PushStore } from '../store/store.ts';
import type { OutboxHandler } from './outbox-worker.ts';
import { pushSyncData, snsPushMessage } from './push-message.ts';
import type { MobilePush } from './sns-mobile-push.ts';

/** `arn:aws:sns:<region>:<account>:endpoint/<PLATFORM>/<app>/<id>` belongs to `arn:aws:sns:<region>:<account>:app/<PLATFORM>/<app>`. */
export function applicationOfEndpoint(endpointArn: string): string | undefined {
  const match = /^(arn:aws[-a-z]*:sns:[-0-9a-z]+:\d+):endpoint\/([A-Z_]+\/[^/]+)\/[^/]+$/.exec(endpointArn);
  return match ? `${match[1]}:app/${match[2]}` : undefined;
}

export type PushDeliveryOutcome = 'sent' | 'endpoint-dropped' | 'push-sync-off';

export class SnsPushPublisher {
  readonly kind = PUSH_SYNC_KIND;
  private readonly store: PoolSyncConfigurationStore & PushStore;
  private readonly mobilePush: MobilePush;
  private readonly logger: Pick<Logger, 'info' | 'warn'>;

  constructor(options: { store: PoolSyncConfigurationStore & PushStore; mobilePush: MobilePush; logger: Pick<Logger, 'info' | 'warn'> }) {
    this.store = options.store;
    this.mobilePush = options.mobilePush;
    this.logger = options.logger;
  }

  /** Resolves once the item needs nothing more (sent, or dropped for good); throws to have it retried. */
  async deliver(payload: PushSyncPayload, signal?: AbortSignal): Promise<PushDeliveryOutcome> {
    // The pool must still push through the endpoint's application: a developer who removed the ARN (or push
    // sync altogether) stops the pushes still queued, as SNS access through that application is withdrawn.
    const { pushSync } = await this.store.getPoolSyncConfiguration(payload.identityPoolId);
    const application = applicationOfEndpoint(payload.endpointArn);
    if (!application || !pushSync?.ApplicationArns?.includes(application)) {
      this.logger.info({ identityPoolId: payload.identityPoolId, endpointArn: payload.endpointArn }, 'push sync no longer configured for this application; push dropped');
      return 'push-sync-off';
    }
    const message = snsPushMessage(payload.platform, pushSyncData(payload));
    if ((await this.mobilePush.publish(payload.endpointArn, message, signal)) === 'sent') return 'sent';
    // SNS disabled the endpoint (the push service rejected its token) or it was deleted: stop pushing to it until
    // the device registers again and re-subscribes.
    const dropped = await this.store.dropEndpointSubscriptions(payload.endpointArn);
    this.logger.warn({ endpointArn: payload.endpointArn, deviceId: payload.deviceId, dropped }, 'SNS endpoint disabled or gone; its subscriptions were dropped');
    return 'endpoint-dropped';
  }
}

/** The outbox handler for push-sync items: done once sent or dropped; a thrown SNS error is retried with backoff. */
export function snsPushHandlers(publisher: SnsPushPublisher): Record<string, OutboxHandler> {
  return {
    [PUSH_SYNC_KIND]: async ({ item, signal }) => {
      await publisher.deliver(item.payload as PushSyncPayload, signal);
      return { outcome: 'done' };
    },
  };
}
