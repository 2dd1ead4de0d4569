// Cognito Streams on this node: the outbox handlers, with the Kinesis/S3 publisher created on first use so that
// nodes whose pools never stream never load those clients.
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { Store } from '../store/store.ts';
import { cognitoStreamHandlers } from './cognito-stream-deliveries.ts';
import type { KinesisStreamPublisher } from './kinesis-stream-publisher.ts';
import { Lazy } from './lazy-load.ts';
import type { OutboxHandler } from './outbox-worker.ts';

export interface CognitoStreams {
  handlers: Record<string, OutboxHandler>;
  close(): Promise<void>;
}

type PublisherModule = typeof import('./kinesis-stream-publisher.ts');

/** `loadPublisher` is replaceable for tests of a failed load. */
export function createCognitoStreams(
  config: Config,
  store: Store,
  logger: Logger,
  loadPublisher: () => Promise<PublisherModule> = () => import('./kinesis-stream-publisher.ts'),
): CognitoStreams {
  const publisher = new Lazy(async () => {
    const { KinesisStreamPublisher } = await loadPublisher();
    return new KinesisStreamPublisher({ fallbackRegion: config.region, s3Bucket: config.streamsS3Bucket, s3UrlTtlSeconds: config.streamsS3UrlTtlSeconds });
  });
  return {
    handlers: cognitoStreamHandlers({ store, logger, publisher: () => publisher.get() }),
    async close() {
      (await publisher.started()?.catch(() => undefined))?.close();
    },
  };
}
