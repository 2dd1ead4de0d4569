// ListRecords (pull) and UpdateRecords (push): the sync protocol itself (reference: "The sync protocol").
import { invalidParameter, ServiceError } from '../../protocol/errors.ts';
import type { ListRecordsResponse, UpdateRecordsResponse } from '../../model/cognito-sync-types.ts';
import type { DatasetStore, IdentityPoolStore, RecordPosition, SyncQuotas } from '../../store/store.ts';
import type { CognitoSyncHandlers } from '../context.ts';
import type { PageTokens } from '../pagination.ts';
import { requireOwnedPool } from '../pool-access.ts';
import { addressOf, identityNotFoundError, pageSize, recordToWire, writerOf } from './dataset-access.ts';
import { limitExceeded } from './quotas.ts';
import { checkedPatches } from './record-patches.ts';
import { type SyncSessionTokens, spentOnPull, spentOnPush } from './sync-session-tokens.ts';
import type { SyncTrigger, TriggeredUpdate } from './sync-trigger.ts';

/** Android asks for 1,024 per page, a whole dataset at AWS's record quota. */
const RECORDS_PAGE = { default: 1024, max: 1024 };

export interface RecordHandlerDeps {
  pageTokens: PageTokens;
  sessions: SyncSessionTokens;
  quotas: SyncQuotas;
  /** The pools' SyncTrigger; absent, no trigger ever runs. */
  syncTrigger?: SyncTrigger;
}

/** The ListRecords page position travels sealed in NextToken, bound to the dataset and lastSyncCount. */
function resumePosition(deps: RecordHandlerDeps, listing: string, token: string | undefined): RecordPosition | undefined {
  const after = deps.pageTokens.resume(listing, token);
  if (after === undefined) return undefined;
  const [syncCount, key] = JSON.parse(after) as [number, string];
  return { syncCount, key };
}

export function recordHandlers(store: IdentityPoolStore & DatasetStore, deps: RecordHandlerDeps): Pick<CognitoSyncHandlers, 'ListRecords' | 'UpdateRecords'> {
  return {
    async ListRecords(input, ctx): Promise<ListRecordsResponse> {
      const address = addressOf(input);
      const lastSyncCount = input.LastSyncCount ?? 0;
      if (lastSyncCount < 0) throw invalidParameter(`LastSyncCount must not be negative, got ${lastSyncCount}.`);
      const limit = pageSize(input.MaxResults, RECORDS_PAGE);
      await requireOwnedPool(store, ctx.principal, address.identityPoolId);
      const listing = `ListRecords:${address.identityPoolId}:${address.identityId}:${address.datasetName}:${lastSyncCount}`;
      const after = resumePosition(deps, listing, input.NextToken);

      // A sync session starts with the first page of a pull; later pages, or a pull that presents a live token
      // of its own, continue the session they belong to.
      let sessionId: string | undefined;
      if (input.SyncSessionToken !== undefined && input.SyncSessionToken !== '') {
        const opened = deps.sessions.open(input.SyncSessionToken, address, ctx.now);
        if (opened.status === 'valid') {
          if (await store.isSyncSessionSpent(opened.sessionId)) throw spentOnPull();
          sessionId = opened.sessionId;
        }
      }
      const result = await store.listRecords(address, { lastSyncCount, limit, after });
      if (result.outcome === 'identity-not-found') throw identityNotFoundError(address.identityPoolId, address.identityId, result);
      if (result.outcome === 'no-such-sync-count') {
        // iOS recognizes this exact wording and resyncs from zero.
        throw invalidParameter(`No such SyncCount: ${lastSyncCount} exists for this Dataset`);
      }
      if (sessionId === undefined && after === undefined) await store.countSyncSession(address.identityPoolId);
      const next = result.nextAfter && JSON.stringify([result.nextAfter.syncCount, result.nextAfter.key]);
      // Every member but NextToken is always present: Android unboxes them without null checks, and reads a
      // NextToken that is present as "more pages follow".
      return {
        Records: result.records.map(recordToWire),
        NextToken: deps.pageTokens.issue(listing, next),
        Count: result.records.length,
        DatasetSyncCount: result.dataset?.syncCount ?? 0,
        LastModifiedBy: result.dataset?.lastModifiedBy,
        MergedDatasetNames: result.mergedDatasetNames,
        DatasetExists: result.dataset !== undefined,
        DatasetDeletedAfterRequestedSyncCount: result.deletedAfterRequestedSyncCount,
        SyncSessionToken: deps.sessions.issue(address, ctx.now, sessionId),
      };
    },

    // ClientContext (base64 JSON describing the client app) is accepted and not needed for syncing.
    async UpdateRecords(input, ctx): Promise<UpdateRecordsResponse> {
      const address = addressOf(input);
      const patches = checkedPatches(input.RecordPatches);
      await requireOwnedPool(store, ctx.principal, address.identityPoolId);
      const session = deps.sessions.require(input.SyncSessionToken, address, ctx.now);
      // The write itself spends the session, atomically (store.updateRecords). Checked before it where something
      // runs instead of it: an empty batch (which writes nothing, so it spends nothing, but a spent token is
      // still refused), and a pool's sync trigger (SyncTrigger.apply checks before invoking the function).
      if (patches.length === 0 && (await store.isSyncSessionSpent(session.sessionId))) throw spentOnPush();

      if (patches.length === 0) {
        // Nothing to write: no dataset is created and the count stays, but a missing identity is still reported.
        const described = await store.describeDataset(address);
        if (described.outcome === 'identity-not-found') throw identityNotFoundError(address.identityPoolId, address.identityId, described);
        return { Records: [] };
      }
      // AWS runs the sync trigger only for identity credentials: developer writes go in as sent.
      const runsTrigger = deps.syncTrigger !== undefined && ctx.principal.kind === 'identity';
      const planned: TriggeredUpdate = runsTrigger
        ? await deps.syncTrigger!.apply(address, patches, { region: ctx.region, syncSessionId: session.sessionId })
        : { outcome: 'write', patches };
      // The trigger may have dropped every change: then, as for an empty batch, nothing is written.
      if (planned.outcome === 'write' && planned.patches.length === 0) return { Records: [] };
      const result =
        planned.outcome === 'write'
          ? await store.updateRecords(address, {
              patches: planned.patches,
              modifiedBy: writerOf(ctx.principal),
              now: ctx.now,
              quotas: deps.quotas,
              // The writer's own device gets no push sync for this write.
              writerDeviceId: input.DeviceId,
              syncSession: session,
            })
          : planned;
      switch (result.outcome) {
        case 'identity-not-found':
          throw identityNotFoundError(address.identityPoolId, address.identityId, result);
        case 'conflict':
          // The exact wording real clients have seen; they pull and retry on 409.
          throw new ServiceError('ResourceConflictException', `Current SyncCount for: ${result.key} is: ${result.current} not: ${result.given}`);
        case 'sync-count-ahead':
          throw invalidParameter(
            `SyncCount ${result.given} for key '${result.key}' is greater than the dataset's current SyncCount ${result.datasetSyncCount}; it was never issued.`,
          );
        case 'limit':
          throw limitExceeded(result.quota, result.limit, result.wouldBe);
        case 'session-spent':
          throw spentOnPush();
        case 'ok':
          return { Records: result.records.map(recordToWire) };
      }
    },
  };
}
