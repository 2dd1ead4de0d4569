// GetCognitoEvents and SetCognitoEvents: which Lambda function a pool's events invoke. The only event AWS
// ever defined is SyncTrigger (reference: "Cognito Events: the sync trigger"). Set changes the one key it is
// given and keeps the others; an empty value removes the key. The model already limits the map to one entry.
import type { GetCognitoEventsResponse } from '../../model/cognito-sync-types.ts';
import { invalidParameter } from '../../protocol/errors.ts';
import type { IdentityPoolStore, PoolSyncConfigurationStore } from '../../store/store.ts';
import type { CognitoSyncHandlers } from '../context.ts';
import { requireOwnedPool } from '../pool-access.ts';

export const SYNC_TRIGGER = 'SyncTrigger';
const EVENT_TYPES = new Set([SYNC_TRIGGER]);

// Lambda's own FunctionArn rule (botocore lambda model), unversioned or with a version or alias; a function
// name is at most 64 characters and a FunctionName at most 140.
const FUNCTION_ARN = /^arn:(aws[a-zA-Z-]*)?:lambda:[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:\d{12}:function:[a-zA-Z0-9-_]{1,64}(:(\$LATEST|[a-zA-Z0-9-_]+))?$/;
const MAX_FUNCTION_ARN = 140;

function checkedEvents(events: Record<string, string>): Record<string, string> {
  for (const [eventType, functionArn] of Object.entries(events)) {
    if (!EVENT_TYPES.has(eventType)) {
      throw invalidParameter(`Unknown Cognito event type '${eventType.slice(0, 64)}': the only event type is ${SYNC_TRIGGER}.`);
    }
    if (functionArn === '') continue;
    if (functionArn.length > MAX_FUNCTION_ARN || !FUNCTION_ARN.test(functionArn)) {
      throw invalidParameter(
        `Events.${eventType} must be a Lambda function ARN like arn:aws:lambda:us-east-1:123456789012:function:my-function ` +
          `(optionally with :version or :alias, at most ${MAX_FUNCTION_ARN} characters), or empty to remove the trigger; got '${functionArn.slice(0, 160)}'.`,
      );
    }
  }
  return events;
}

export function cognitoEventsHandlers(
  store: IdentityPoolStore & PoolSyncConfigurationStore,
): Pick<CognitoSyncHandlers, 'GetCognitoEvents' | 'SetCognitoEvents'> {
  return {
    async GetCognitoEvents(input, ctx): Promise<GetCognitoEventsResponse> {
      await requireOwnedPool(store, ctx.principal, input.IdentityPoolId);
      const config = await store.getPoolSyncConfiguration(input.IdentityPoolId);
      return { Events: config.cognitoEvents ?? {} };
    },

    async SetCognitoEvents(input, ctx): Promise<void> {
      const events = checkedEvents(input.Events);
      await requireOwnedPool(store, ctx.principal, input.IdentityPoolId);
      await store.updatePoolSyncConfiguration(input.IdentityPoolId, (current) => {
        const next = { ...current.cognitoEvents };
        for (const [eventType, functionArn] of Object.entries(events)) {
          if (functionArn === '') delete next[eventType];
          else next[eventType] = functionArn;
        }
        return { ...current, cognitoEvents: Object.keys(next).length > 0 ? next : undefined };
      });
    },
  };
}
