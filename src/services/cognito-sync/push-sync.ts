// RegisterDevice, SubscribeToDataset, UnsubscribeFromDataset (reference: "Push sync"). A device is an SNS platform
// endpoint made under the pool's PushSync application ARN for its platform; the pushes themselves are queued by
// UpdateRecords and sent by the outbox worker (src/delivery/sns-push-publisher.ts). Identity credentials only
// (src/auth/operation-rules.ts), and only for their own identity.
import { randomUUID } from 'node:crypto';
import type { MobilePush } from '../../delivery/sns-mobile-push.ts';
import type { RegisterDeviceResponse, SubscribeToDatasetResponse, UnsubscribeFromDatasetResponse } from '../../model/cognito-sync-types.ts';
import { invalidParameter, resourceNotFound, ServiceError } from '../../protocol/errors.ts';
import type { DatasetAddress, DeviceNotFound, IdentityNotFound, IdentityPoolStore, PoolSyncConfigurationStore, PushStore } from '../../store/store.ts';
import type { CognitoSyncHandlers } from '../context.ts';
import { requireOwnedPool } from '../pool-access.ts';
import { addressOf, datasetNotFound, identityNotFoundError } from './dataset-access.ts';

/** Longer than any push service's token; keeps a device row bounded. */
const MAX_TOKEN_LENGTH = 4096;

const invalidConfiguration = (message: string) => new ServiceError('InvalidConfigurationException', message);

/** The pool's application ARN for the platform: the one whose `app/<PLATFORM>/` names it. */
export function applicationArnFor(applicationArns: readonly string[] | undefined, platform: string): string | undefined {
  return applicationArns?.find((arn) => arn.includes(`:app/${platform}/`));
}

/** SNS's refusals at registration, in Cognito Sync's words; anything else (SNS unreachable, no credentials) is ours: 500. */
function registrationError(error: unknown, applicationArn: string): ServiceError | undefined {
  const name = (error as { name?: string })?.name;
  const detail = (error as { message?: string })?.message ?? String(error);
  switch (name) {
    case 'InvalidParameterException':
    case 'InvalidParameterValueException':
      return invalidParameter(`SNS refused the push token for ${applicationArn}: ${detail}`);
    case 'NotFoundException':
    case 'PlatformApplicationDisabledException':
    case 'AuthorizationErrorException':
    case 'InvalidClientTokenId':
    case 'AccessDeniedException':
      return invalidConfiguration(`The PushSync application ${applicationArn} cannot be used: SNS answered ${name}: ${detail}`);
    default:
      return undefined;
  }
}

export function pushSyncHandlers(
  store: IdentityPoolStore & PoolSyncConfigurationStore & PushStore,
  mobilePush: MobilePush,
): Pick<CognitoSyncHandlers, 'RegisterDevice' | 'SubscribeToDataset' | 'UnsubscribeFromDataset'> {
  async function requirePushSync(identityPoolId: string, platform?: string): Promise<string | undefined> {
    const { pushSync } = await store.getPoolSyncConfiguration(identityPoolId);
    if (!pushSync?.ApplicationArns?.length) {
      throw invalidConfiguration(`Push sync is not configured for identity pool '${identityPoolId}': set PushSync.ApplicationArns with SetIdentityPoolConfiguration.`);
    }
    if (platform === undefined) return undefined;
    const applicationArn = applicationArnFor(pushSync.ApplicationArns, platform);
    if (!applicationArn) {
      throw invalidConfiguration(
        `Identity pool '${identityPoolId}' has no PushSync application ARN for platform ${platform} (one of the form arn:aws:sns:<region>:<account>:app/${platform}/<name>).`,
      );
    }
    return applicationArn;
  }

  function subscriptionErrors(
    address: DatasetAddress,
    deviceId: string,
    outcome: IdentityNotFound | DeviceNotFound | { outcome: 'dataset-not-found' } | { outcome: 'ok' },
  ): void {
    if (outcome.outcome === 'identity-not-found') throw identityNotFoundError(address.identityPoolId, address.identityId, outcome);
    if (outcome.outcome === 'device-not-found') {
      throw resourceNotFound(`Device '${deviceId}' is not registered for identity '${address.identityId}'; register it with RegisterDevice.`);
    }
    if (outcome.outcome === 'dataset-not-found') throw datasetNotFound(address);
  }

  return {
    async RegisterDevice(input, ctx): Promise<RegisterDeviceResponse> {
      if (input.Token.length === 0) throw invalidParameter('Token must not be empty.');
      if (input.Token.length > MAX_TOKEN_LENGTH) throw invalidParameter(`Token must be at most ${MAX_TOKEN_LENGTH} characters, got ${input.Token.length}.`);
      await requireOwnedPool(store, ctx.principal, input.IdentityPoolId);
      const applicationArn = (await requirePushSync(input.IdentityPoolId, input.Platform))!;
      let endpointArn: string;
      try {
        endpointArn = await mobilePush.registerEndpoint(applicationArn, input.Token);
      } catch (error) {
        throw registrationError(error, applicationArn) ?? error;
      }
      const result = await store.putDevice({
        deviceId: randomUUID(),
        identityPoolId: input.IdentityPoolId,
        identityId: input.IdentityId,
        platform: input.Platform,
        token: input.Token,
        endpointArn,
        createdAt: ctx.now,
      });
      if (result.outcome === 'identity-not-found') throw identityNotFoundError(input.IdentityPoolId, input.IdentityId, result);
      return { DeviceId: result.device.deviceId };
    },

    async SubscribeToDataset(input, ctx): Promise<SubscribeToDatasetResponse> {
      const address = addressOf(input);
      await requireOwnedPool(store, ctx.principal, address.identityPoolId);
      await requirePushSync(address.identityPoolId);
      subscriptionErrors(address, input.DeviceId, await store.subscribeToDataset(address, input.DeviceId, ctx.now));
      return {};
    },

    async UnsubscribeFromDataset(input, ctx): Promise<UnsubscribeFromDatasetResponse> {
      const address = addressOf(input);
      await requireOwnedPool(store, ctx.principal, address.identityPoolId);
      // No configuration check: a device may always stop its pushes, even after push sync was turned off.
      subscriptionErrors(address, input.DeviceId, await store.unsubscribeFromDataset(address, input.DeviceId));
      return {};
    },
  };
}
