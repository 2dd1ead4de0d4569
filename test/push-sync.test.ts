// Push sync end to end: RegisterDevice / SubscribeToDataset / UnsubscribeFromDataset through identity credentials,
// and the silent pushes a dataset change sends through SNS. SNS has no runnable implementation here, so the server
// runs its real @aws-sdk/client-sns against test/helpers/sns-stand-in.ts (the AWS query protocol SNS speaks),
// which records every Publish.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  type CognitoSyncClient,
  ListRecordsCommand,
  RegisterDeviceCommand,
  SetIdentityPoolConfigurationCommand,
  SubscribeToDatasetCommand,
  UnsubscribeFromDatasetCommand,
  UpdateRecordsCommand,
} from '@aws-sdk/client-cognito-sync';
import { errorOf, startServer, type TestServer } from './helpers/server.ts';
import { type SnsStandIn, startSnsStandIn } from './helpers/sns-stand-in.ts';
import { createIdentityPool, newIdentity, type SyncIdentity } from './helpers/sync-identities.ts';

const ROLE = 'arn:aws:iam::123456789012:role/cognito-push';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The server's SNS client: pointed at the stand-in by the standard variable, with made-up credentials. */
const snsEnvironment = (sns: SnsStandIn) => ({
  AWS_ENDPOINT_URL_SNS: sns.url,
  AWS_ACCESS_KEY_ID: 'AKIASNSSTANDIN000001',
  AWS_SECRET_ACCESS_KEY: 'sns-stand-in-secret',
  AWS_SESSION_TOKEN: undefined,
  AWS_PROFILE: undefined,
});

async function configurePushSync(server: TestServer, identityPoolId: string, applicationArns: string[]) {
  await server.syncClient().send(new SetIdentityPoolConfigurationCommand({ IdentityPoolId: identityPoolId, PushSync: { ApplicationArns: applicationArns, RoleArn: ROLE } }));
}

const register = (identity: SyncIdentity, Platform: 'GCM' | 'APNS' | 'APNS_SANDBOX' | 'ADM', Token: string, client: CognitoSyncClient = identity.device()) =>
  client.send(new RegisterDeviceCommand({ IdentityPoolId: identity.identityPoolId, IdentityId: identity.identityId, Platform, Token }));

const subscription = (identity: SyncIdentity, DatasetName: string, DeviceId: string) => ({
  IdentityPoolId: identity.identityPoolId,
  IdentityId: identity.identityId,
  DatasetName,
  DeviceId,
});

/** One UpdateRecords as a device does it: ListRecords for the session token, then the write naming the device. */
async function write(identity: SyncIdentity, DatasetName: string, values: Record<string, string>, DeviceId?: string) {
  const address = { IdentityPoolId: identity.identityPoolId, IdentityId: identity.identityId, DatasetName };
  const device = identity.device();
  const pulled = await device.send(new ListRecordsCommand(address));
  const counts = new Map((pulled.Records ?? []).map((r) => [r.Key!, r.SyncCount!]));
  const written = await device.send(
    new UpdateRecordsCommand({
      ...address,
      DeviceId,
      SyncSessionToken: pulled.SyncSessionToken,
      RecordPatches: Object.entries(values).map(([Key, Value]) => ({ Op: 'replace', Key, Value, SyncCount: counts.get(Key) ?? 0 })),
    }),
  );
  return written.Records![0]!.SyncCount!;
}

describe('push sync: devices and subscriptions', () => {
  let sns: SnsStandIn;
  let server: TestServer;
  let gcmApp: string;
  let apnsApp: string;
  before(async () => {
    sns = await startSnsStandIn();
    gcmApp = sns.createPlatformApplication('GCM', 'android-app');
    apnsApp = sns.createPlatformApplication('APNS', 'ios-app');
    server = await startServer({ env: snsEnvironment(sns) });
  });
  after(async () => {
    await server.dispose();
    await sns.stop();
  });

  it('RegisterDevice makes an SNS endpoint under the application ARN of its platform and answers a DeviceId', async () => {
    const poolId = await createIdentityPool(server);
    await configurePushSync(server, poolId, [apnsApp, gcmApp]);
    const identity = await newIdentity(server, poolId);

    const gcm = await register(identity, 'GCM', 'gcm-registration-token-1');
    assert.match(gcm.DeviceId!, UUID);
    const gcmEndpoint = [...sns.endpoints.values()].find((e) => e.token === 'gcm-registration-token-1');
    assert.ok(gcmEndpoint, 'an endpoint was created for the token');
    assert.equal(gcmEndpoint.applicationArn, gcmApp);
    assert.match(gcmEndpoint.endpointArn, /^arn:aws:sns:us-east-1:123456789012:endpoint\/GCM\/android-app\/[0-9a-f-]{36}$/);

    const apns = await register(identity, 'APNS', '0A1B2C3D4E5F60718293A4B5C6D7E8F90A1B2C3D4E5F60718293A4B5C6D7E8F9');
    assert.match(apns.DeviceId!, UUID);
    assert.notEqual(apns.DeviceId, gcm.DeviceId);
    assert.equal([...sns.endpoints.values()].find((e) => e.token.startsWith('0A1B'))?.applicationArn, apnsApp);

    // Registering the same token again (every app start does) is the same device and the same endpoint.
    const endpointsBefore = sns.endpoints.size;
    assert.equal((await register(identity, 'GCM', 'gcm-registration-token-1')).DeviceId, gcm.DeviceId);
    assert.equal(sns.endpoints.size, endpointsBefore);
  });

  it('RegisterDevice re-enables an endpoint SNS had disabled when its token registers again', async () => {
    const poolId = await createIdentityPool(server);
    await configurePushSync(server, poolId, [gcmApp]);
    const identity = await newIdentity(server, poolId);
    await register(identity, 'GCM', 'token-to-revive');
    const endpoint = [...sns.endpoints.values()].find((e) => e.token === 'token-to-revive')!;
    sns.disableEndpoint(endpoint.endpointArn);
    await register(identity, 'GCM', 'token-to-revive');
    assert.equal(endpoint.enabled, true);
  });

  it('RegisterDevice without PushSync, or without an application ARN for the platform: 400 InvalidConfigurationException', async () => {
    const poolId = await createIdentityPool(server);
    const identity = await newIdentity(server, poolId);
    const unconfigured = await errorOf(register(identity, 'GCM', 'token'));
    assert.equal(unconfigured.name, 'InvalidConfigurationException');
    assert.equal(unconfigured.$metadata.httpStatusCode, 400);
    assert.match(unconfigured.message, /Push sync is not configured/);

    await configurePushSync(server, poolId, [apnsApp]);
    for (const platform of ['GCM', 'APNS_SANDBOX', 'ADM'] as const) {
      const error = await errorOf(register(identity, platform, 'token'));
      assert.equal(error.name, 'InvalidConfigurationException', platform);
      assert.equal(error.$metadata.httpStatusCode, 400);
      assert.match(error.message, new RegExp(`no PushSync application ARN for platform ${platform}`));
    }
    assert.equal([...sns.endpoints.values()].filter((e) => e.token === 'token').length, 0, 'SNS was not called');
  });

  it('an application ARN SNS does not know: 400 InvalidConfigurationException naming it', async () => {
    const poolId = await createIdentityPool(server);
    const missing = 'arn:aws:sns:us-east-1:123456789012:app/GCM/deleted-app';
    await configurePushSync(server, poolId, [missing]);
    const identity = await newIdentity(server, poolId);
    const error = await errorOf(register(identity, 'GCM', 'token'));
    assert.equal(error.name, 'InvalidConfigurationException');
    assert.match(error.message, /deleted-app/);
    assert.match(error.message, /NotFound/);
  });

  it('the three operations refuse developer credentials (403) and other identities (403)', async () => {
    const poolId = await createIdentityPool(server);
    await configurePushSync(server, poolId, [gcmApp]);
    const identity = await newIdentity(server, poolId);
    const other = await newIdentity(server, poolId);
    const { DeviceId } = await register(identity, 'GCM', 'token-403');
    await write(identity, 'settings', { a: '1' });
    const developer = server.syncClient();

    const calls = [
      (client: CognitoSyncClient) => register(identity, 'GCM', 'token-403', client),
      (client: CognitoSyncClient) => client.send(new SubscribeToDatasetCommand(subscription(identity, 'settings', DeviceId!))),
      (client: CognitoSyncClient) => client.send(new UnsubscribeFromDatasetCommand(subscription(identity, 'settings', DeviceId!))),
    ];
    for (const call of calls) {
      for (const client of [developer, other.device()]) {
        const error = await errorOf(call(client));
        assert.equal(error.name, 'NotAuthorizedException');
        assert.equal(error.$metadata.httpStatusCode, 403);
      }
    }
  });

  it('subscriptions name the identity’s own registered device and an existing dataset; otherwise 404', async () => {
    const poolId = await createIdentityPool(server);
    await configurePushSync(server, poolId, [gcmApp]);
    const identity = await newIdentity(server, poolId);
    const other = await newIdentity(server, poolId);
    const mine = (await register(identity, 'GCM', 'token-mine')).DeviceId!;
    const theirs = (await register(other, 'GCM', 'token-theirs')).DeviceId!;
    await write(identity, 'settings', { a: '1' });
    const device = identity.device();

    await device.send(new SubscribeToDatasetCommand(subscription(identity, 'settings', mine)));
    await device.send(new SubscribeToDatasetCommand(subscription(identity, 'settings', mine)));
    for (const [input, pattern] of [
      [subscription(identity, 'settings', theirs), /Device '.*' is not registered for identity/],
      [subscription(identity, 'settings', '00000000-0000-4000-8000-000000000000'), /is not registered/],
      [subscription(identity, 'never-written', mine), /Dataset 'never-written' not found/],
    ] as const) {
      const error = await errorOf(device.send(new SubscribeToDatasetCommand(input)));
      assert.equal(error.name, 'ResourceNotFoundException');
      assert.equal(error.$metadata.httpStatusCode, 404);
      assert.match(error.message, pattern);
    }

    await device.send(new UnsubscribeFromDatasetCommand(subscription(identity, 'settings', mine)));
    await device.send(new UnsubscribeFromDatasetCommand(subscription(identity, 'settings', mine)));
    const unknown = await errorOf(device.send(new UnsubscribeFromDatasetCommand(subscription(identity, 'settings', theirs))));
    assert.equal(unknown.name, 'ResourceNotFoundException');
  });

  it('SubscribeToDataset in a pool without push sync: 400 InvalidConfigurationException', async () => {
    const poolId = await createIdentityPool(server);
    await configurePushSync(server, poolId, [gcmApp]);
    const identity = await newIdentity(server, poolId);
    const { DeviceId } = await register(identity, 'GCM', 'token-unconfigured');
    await write(identity, 'settings', { a: '1' });
    await configurePushSync(server, poolId, []);
    const error = await errorOf(identity.device().send(new SubscribeToDatasetCommand(subscription(identity, 'settings', DeviceId!))));
    assert.equal(error.name, 'InvalidConfigurationException');
    // Unsubscribing still works: a device can always stop its pushes.
    await identity.device().send(new UnsubscribeFromDatasetCommand(subscription(identity, 'settings', DeviceId!)));
  });

  it('bad input: an empty token, an unknown platform, a DeviceId over 256 characters: 400 InvalidParameterException', async () => {
    const poolId = await createIdentityPool(server);
    await configurePushSync(server, poolId, [gcmApp]);
    const identity = await newIdentity(server, poolId);
    const empty = await errorOf(register(identity, 'GCM', ''));
    assert.equal(empty.name, 'InvalidParameterException');
    assert.match(empty.message, /Token/);
    const platform = await errorOf(register(identity, 'WNS' as 'GCM', 'token'));
    assert.equal(platform.name, 'InvalidParameterException');
    assert.match(platform.message, /'platform'.*APNS, APNS_SANDBOX, GCM, ADM/);
    const long = await errorOf(identity.device().send(new SubscribeToDatasetCommand(subscription(identity, 'settings', 'd'.repeat(257)))));
    assert.equal(long.name, 'InvalidParameterException');
    assert.match(long.message, /deviceId/i);
  });
});
