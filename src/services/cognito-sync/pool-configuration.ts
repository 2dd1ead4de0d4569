// GetIdentityPoolConfiguration and SetIdentityPoolConfiguration: the pool's push sync and Cognito
// streams settings. Set replaces the parts it is given and keeps the others; the store serializes
// concurrent Sets on one pool so neither is lost.
import type { GetIdentityPoolConfigurationResponse, SetIdentityPoolConfigurationResponse } from '../../model/cognito-sync-types.ts';
import type { CognitoStreamsConfig, IdentityPoolStore, PoolSyncConfiguration, PoolSyncConfigurationStore } from '../../store/store.ts';
import type { CognitoSyncHandlers } from '../context.ts';
import { requireOwnedPool } from '../pool-access.ts';

// Get and Set answer the same members.
const toWire = (config: PoolSyncConfiguration): GetIdentityPoolConfigurationResponse => ({
  IdentityPoolId: config.identityPoolId,
  PushSync: config.pushSync,
  CognitoStreams: config.cognitoStreams,
});

export function poolConfigurationHandlers(
  store: IdentityPoolStore & PoolSyncConfigurationStore,
): Pick<CognitoSyncHandlers, 'GetIdentityPoolConfiguration' | 'SetIdentityPoolConfiguration'> {
  return {
    async GetIdentityPoolConfiguration(input, ctx): Promise<GetIdentityPoolConfigurationResponse> {
      await requireOwnedPool(store, ctx.principal, input.IdentityPoolId);
      return toWire(await store.getPoolSyncConfiguration(input.IdentityPoolId));
    },

    async SetIdentityPoolConfiguration(input, ctx): Promise<SetIdentityPoolConfigurationResponse> {
      await requireOwnedPool(store, ctx.principal, input.IdentityPoolId);
      const updated = await store.updatePoolSyncConfiguration(input.IdentityPoolId, (current) => ({
        ...current,
        pushSync: input.PushSync ?? current.pushSync,
        // A new streams configuration clears any reason streaming was turned off: the developer re-enabled it.
        cognitoStreams: input.CognitoStreams ? withoutDisabledReason(input.CognitoStreams) : current.cognitoStreams,
      }));
      return toWire(updated);
    },
  };
}

function withoutDisabledReason(streams: CognitoStreamsConfig): CognitoStreamsConfig {
  const { DisabledReason: _dropped, ...rest } = streams;
  return rest;
}
