// GetIdentityPoolConfiguration and SetIdentityPoolConfiguration: the pool's push sync and Cognito
// streams settings. Set replaces the parts it is given and keeps the others; the store serializes
// concurrent Sets on one pool so neither is lost.
import type { CognitoStreamsConfig, IdentityPoolStore, PoolSyncConfiguration, PoolSyncConfigurationStore, PushSyncConfig } from '../../store/store.ts';
import type { RequestContext, ServiceHandlers } from '../context.ts';
import { requireOwnedPool } from '../pool-access.ts';

interface PoolConfigurationWire {
  IdentityPoolId: string;
  PushSync?: PushSyncConfig;
  CognitoStreams?: CognitoStreamsConfig;
}

const toWire = (config: PoolSyncConfiguration): PoolConfigurationWire => ({
  IdentityPoolId: config.identityPoolId,
  PushSync: config.pushSync,
  CognitoStreams: config.cognitoStreams,
});

export function poolConfigurationHandlers(store: IdentityPoolStore & PoolSyncConfigurationStore): ServiceHandlers {
  return {
    async GetIdentityPoolConfiguration(input: { IdentityPoolId: string }, ctx: RequestContext) {
      await requireOwnedPool(store, ctx.principal, input.IdentityPoolId);
      return toWire(await store.getPoolSyncConfiguration(input.IdentityPoolId));
    },

    async SetIdentityPoolConfiguration(input: PoolConfigurationWire, ctx: RequestContext) {
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
