// BulkPublish and GetBulkPublishDetails (reference: "Cognito Streams and BulkPublish"). BulkPublish only starts
// the job: the store decides whether it may start and queues it in one transaction, and one node's outbox worker
// publishes every dataset of the pool to the stream (src/delivery/cognito-stream-deliveries.ts).
import type { BulkPublishResponse, GetBulkPublishDetailsResponse } from '../../model/cognito-sync-types.ts';
import { invalidParameter, ServiceError } from '../../protocol/errors.ts';
import type { BulkPublishDetails, BulkPublishStore, IdentityPoolStore } from '../../store/store.ts';
import type { CognitoSyncHandlers } from '../context.ts';
import { requireOwnedPool } from '../pool-access.ts';

const detailsToWire = (details: BulkPublishDetails): GetBulkPublishDetailsResponse => ({
  IdentityPoolId: details.identityPoolId,
  BulkPublishStartTime: details.startedAt,
  // AWS sets the completion time for a successful job only.
  BulkPublishCompleteTime: details.status === 'SUCCEEDED' ? details.completedAt : undefined,
  BulkPublishStatus: details.status,
  FailureMessage: details.status === 'FAILED' ? details.failureMessage : undefined,
});

export function bulkPublishHandlers(store: IdentityPoolStore & BulkPublishStore): Pick<CognitoSyncHandlers, 'BulkPublish' | 'GetBulkPublishDetails'> {
  return {
    async BulkPublish(input, ctx): Promise<BulkPublishResponse> {
      await requireOwnedPool(store, ctx.principal, input.IdentityPoolId);
      const result = await store.startBulkPublish(input.IdentityPoolId, ctx.now);
      switch (result.outcome) {
        case 'started':
          return { IdentityPoolId: input.IdentityPoolId };
        case 'in-progress':
          throw new ServiceError(
            'DuplicateRequestException',
            `A bulk publish for identity pool ${input.IdentityPoolId} is already in progress (started ${result.details.startedAt?.toISOString()}).`,
          );
        case 'already-streamed':
          throw new ServiceError(
            'AlreadyStreamedException',
            `A bulk publish for identity pool ${input.IdentityPoolId} already succeeded at ${result.details.completedAt?.toISOString()}; ` +
              'one bulk publish may succeed every 24 hours.',
          );
        case 'streaming-disabled':
          throw invalidParameter(
            `Cognito Streams is not enabled for identity pool ${input.IdentityPoolId}: set CognitoStreams with StreamName and ` +
              'StreamingStatus ENABLED (SetIdentityPoolConfiguration) before a bulk publish.',
          );
      }
    },

    async GetBulkPublishDetails(input, ctx): Promise<GetBulkPublishDetailsResponse> {
      await requireOwnedPool(store, ctx.principal, input.IdentityPoolId);
      return detailsToWire(await store.getBulkPublishDetails(input.IdentityPoolId));
    },
  };
}
