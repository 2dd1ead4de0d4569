// Push sync end to end: RegisterDevice / SubscribeToDataset / UnsubscribeFromDataset through identity credentials,
// and the silent pushes a dataset change sends through SNS. SNS has no runnable implementation here, so the server
// runs its real @aws-sdk/client-sns against test/helpers/sns-stand-in.ts (the AWS query protocol SNS speaks),
// which records every Publish.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  type CognitoSyncClient,
  DeleteDatasetCommand,
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

describe('push sync: devices and subscriptions', { timeout: 300_000 }, () => {
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

/** Polls until `check` holds (the pushes travel asynchronously, through the outbox). */
async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Items still waiting in the outbox, from the server's /metrics. */
async function outboxDepth(server: TestServer): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const match = /^cognito_sync_outbox_depth (\d+)/m.exec(text);
  assert.ok(match, 'the server reports cognito_sync_outbox_depth');
  return Number(match[1]);
}

/** Everything an acknowledged write queued has been handled (sent, dropped or abandoned for good). */
const drained = (server: TestServer) => until(async () => (await outboxDepth(server)) === 0, 'the outbox to drain');

const expectedData = (identity: SyncIdentity, datasetName: string, syncCount: number) => ({
  source: 'cognito-sync',
  identityPoolId: identity.identityPoolId,
  identityId: identity.identityId,
  datasetName,
  syncCount: String(syncCount),
});

describe('push sync: silent pushes on dataset changes', { timeout: 300_000 }, () => {
  let sns: SnsStandIn;
  let server: TestServer;
  let gcmApp: string;
  let apnsApp: string;
  before(async () => {
    sns = await startSnsStandIn();
    gcmApp = sns.createPlatformApplication('GCM', 'android-app');
    apnsApp = sns.createPlatformApplication('APNS_SANDBOX', 'ios-app');
    server = await startServer({ env: snsEnvironment(sns) });
  });
  after(async () => {
    await server.dispose();
    await sns.stop();
  });

  /** An identity with two registered devices, A (Android) and B (iOS), both subscribed to `settings`. */
  async function twoSubscribedDevices() {
    const poolId = await createIdentityPool(server);
    await configurePushSync(server, poolId, [gcmApp, apnsApp]);
    const identity = await newIdentity(server, poolId);
    const tokenA = `gcm-${Math.random().toString(36).slice(2)}`;
    const tokenB = `${Math.random().toString(16).slice(2)}${'0'.repeat(48)}`.slice(0, 64).toUpperCase();
    const a = (await register(identity, 'GCM', tokenA)).DeviceId!;
    const b = (await register(identity, 'APNS_SANDBOX', tokenB)).DeviceId!;
    await write(identity, 'settings', { volume: '1' }, a);
    for (const deviceId of [a, b]) await identity.device().send(new SubscribeToDatasetCommand(subscription(identity, 'settings', deviceId)));
    const endpointOf = (token: string) => [...sns.endpoints.values()].find((e) => e.token === token)!.endpointArn;
    return { identity, a, b, endpointA: endpointOf(tokenA), endpointB: endpointOf(tokenB) };
  }

  it('a write from device A sends exactly one push, to device B, with the five data fields as strings', async () => {
    const { identity, a, endpointA, endpointB } = await twoSubscribedDevices();
    const syncCount = await write(identity, 'settings', { volume: '2' }, a);
    await until(() => sns.publishesTo(endpointB).length === 1, 'the push to B');
    await drained(server);
    assert.equal(sns.publishesTo(endpointA).length, 0, 'the writer gets no push for its own write');
    assert.equal(sns.publishesTo(endpointB).length, 1, 'exactly one push');

    const [push] = sns.publishesTo(endpointB);
    assert.equal(push!.messageStructure, 'json');
    assert.match(push!.credentialScope, /^\d{8}\/us-east-1\/sns\/aws4_request$/, 'signed for SNS in the application’s region');
    const message = JSON.parse(push!.message) as Record<string, string>;
    assert.deepEqual(Object.keys(message).sort(), ['APNS_SANDBOX', 'default']);
    const apns = JSON.parse(message.APNS_SANDBOX!);
    assert.deepEqual(apns, { aps: { 'content-available': 1 }, data: expectedData(identity, 'settings', syncCount) });
    assert.deepEqual(JSON.parse(message.default!), expectedData(identity, 'settings', syncCount));
    assert.deepEqual(push!.attributes, { 'AWS.SNS.MOBILE.APNS.PUSH_TYPE': 'background', 'AWS.SNS.MOBILE.APNS.PRIORITY': '5' });
  });

  it('Android gets the GCM data message; a write naming no device (developer credentials) pushes to every subscriber', async () => {
    const { identity, b, endpointA, endpointB } = await twoSubscribedDevices();
    const fromB = await write(identity, 'settings', { volume: '3' }, b);
    await until(() => sns.publishesTo(endpointA).length === 1, 'the push to A');
    const message = JSON.parse(sns.publishesTo(endpointA)[0]!.message) as Record<string, string>;
    assert.deepEqual(Object.keys(message).sort(), ['GCM', 'default']);
    assert.deepEqual(JSON.parse(message.GCM!), { data: expectedData(identity, 'settings', fromB) });
    assert.deepEqual(sns.publishesTo(endpointA)[0]!.attributes, {});

    // The developer writes through the same protocol; no DeviceId, so nobody is the writer.
    const address = { IdentityPoolId: identity.identityPoolId, IdentityId: identity.identityId, DatasetName: 'settings' };
    const developer = server.syncClient();
    const pulled = await developer.send(new ListRecordsCommand(address));
    const written = await developer.send(
      new UpdateRecordsCommand({ ...address, SyncSessionToken: pulled.SyncSessionToken, RecordPatches: [{ Op: 'replace', Key: 'theme', Value: 'dark', SyncCount: 0 }] }),
    );
    const count = written.Records![0]!.SyncCount!;
    await until(() => sns.publishesTo(endpointA).length === 2 && sns.publishesTo(endpointB).length === 1, 'pushes to both');
    await drained(server);
    for (const endpoint of [endpointA, endpointB]) {
      const last = JSON.parse(sns.publishesTo(endpoint).at(-1)!.message) as Record<string, string>;
      assert.equal(JSON.parse(last.default!).syncCount, String(count));
    }
  });

  it('after UnsubscribeFromDataset a device gets no more pushes', async () => {
    const { identity, a, b, endpointB } = await twoSubscribedDevices();
    await write(identity, 'settings', { volume: '4' }, a);
    await until(() => sns.publishesTo(endpointB).length === 1, 'the push to B');
    await identity.device().send(new UnsubscribeFromDatasetCommand(subscription(identity, 'settings', b)));
    await write(identity, 'settings', { volume: '5' }, a);
    await write(identity, 'settings', { volume: '6' }, a);
    await drained(server);
    assert.equal(sns.publishesTo(endpointB).length, 1);
  });

  it('an endpoint SNS reports disabled is dropped from the subscriptions; registering again revives it', async () => {
    const { identity, a, b, endpointB } = await twoSubscribedDevices();
    sns.disableEndpoint(endpointB);
    await write(identity, 'settings', { volume: '7' }, a);
    await drained(server);
    assert.deepEqual(sns.attemptsTo(endpointB), ['EndpointDisabled']);

    // The token works again (SNS would have it re-enabled by a new registration); without one, B stays dropped.
    sns.endpoints.get(endpointB)!.enabled = true;
    await write(identity, 'settings', { volume: '8' }, a);
    await drained(server);
    assert.deepEqual(sns.attemptsTo(endpointB), ['EndpointDisabled'], 'no push to a dropped endpoint');

    // The device subscribes again and gets pushes again.
    await identity.device().send(new SubscribeToDatasetCommand(subscription(identity, 'settings', b)));
    await write(identity, 'settings', { volume: '9' }, a);
    await until(() => sns.publishesTo(endpointB).length === 1, 'the push to B after re-subscribing');
  });

  it('an endpoint deleted in SNS (NotFound) is dropped too', async () => {
    const { identity, a, endpointB } = await twoSubscribedDevices();
    sns.deleteEndpoint(endpointB);
    await write(identity, 'settings', { volume: '10' }, a);
    await drained(server);
    await write(identity, 'settings', { volume: '11' }, a);
    await drained(server);
    assert.deepEqual(sns.attemptsTo(endpointB), ['NotFound']);
  });

  it('deleting the dataset ends its subscriptions; removing the application ARN from PushSync stops queued pushes', async () => {
    const { identity, a, endpointB } = await twoSubscribedDevices();
    const developer = server.syncClient();
    await developer.send(new DeleteDatasetCommand({ IdentityPoolId: identity.identityPoolId, IdentityId: identity.identityId, DatasetName: 'settings' }));
    await write(identity, 'settings', { volume: '12' }, a);
    await drained(server);
    assert.deepEqual(sns.attemptsTo(endpointB), []);

    // Subscribed again, then push sync for iOS is taken away while a push waits (SNS is refusing for now).
    const { DeviceId: b } = await register(identity, 'APNS_SANDBOX', sns.endpoints.get(endpointB)!.token);
    await identity.device().send(new SubscribeToDatasetCommand(subscription(identity, 'settings', b!)));
    // SNS refuses until the outbox is empty, so any attempt that began before the change fails and is retried.
    sns.publishFailure = { code: 'InternalError', status: 500, message: 'try again later' };
    try {
      await write(identity, 'settings', { volume: '13' }, a);
      await until(() => sns.attemptsTo(endpointB).includes('InternalError'), 'a refused attempt');
      await configurePushSync(server, identity.identityPoolId, [gcmApp]);
      await drained(server);
    } finally {
      sns.publishFailure = undefined;
    }
    assert.equal(sns.publishesTo(endpointB).length, 0, 'nothing is sent through an application the pool no longer names');
  });
});

describe('push sync: delivery survives the node', { timeout: 300_000 }, () => {
  let sns: SnsStandIn;
  before(async () => {
    sns = await startSnsStandIn();
  });
  after(async () => {
    await sns.stop();
  });

  it('a push queued by an acknowledged sync is sent after a SIGKILL between the sync and its delivery', async () => {
    const gcmApp = sns.createPlatformApplication('GCM', 'survivor-app');
    // A short lease, so a claim held by the killed node is taken over quickly.
    const options = { env: snsEnvironment(sns), args: ['--outbox-lease-seconds', '1'] };
    const node = await startServer(options);
    let restarted: TestServer | undefined;
    try {
      const poolId = await createIdentityPool(node);
      await configurePushSync(node, poolId, [gcmApp]);
      const identity = await newIdentity(node, poolId);
      const a = (await register(identity, 'GCM', 'survivor-a')).DeviceId!;
      const b = (await register(identity, 'GCM', 'survivor-b')).DeviceId!;
      await write(identity, 'settings', { level: '1' }, a);
      await identity.device().send(new SubscribeToDatasetCommand(subscription(identity, 'settings', b)));
      const endpointB = [...sns.endpoints.values()].find((e) => e.token === 'survivor-b')!.endpointArn;

      // SNS refuses while the first node lives: the sync is acknowledged, its push is not delivered.
      sns.publishFailure = { code: 'InternalError', status: 500, message: 'SNS is having a bad day' };
      const syncCount = await write(identity, 'settings', { level: '2' }, a);
      await until(() => sns.attemptsTo(endpointB).length > 0, 'a delivery attempt by the first node');
      await node.kill9();
      sns.publishFailure = undefined;
      assert.equal(sns.publishesTo(endpointB).length, 0);

      restarted = await startServer({ ...options, dataDir: node.dataDir, developer: node.developer });
      await until(() => sns.publishesTo(endpointB).length > 0, 'the push after the restart');
      await drained(restarted);
      assert.equal(sns.publishesTo(endpointB).length, 1);
      const message = JSON.parse(sns.publishesTo(endpointB)[0]!.message) as Record<string, string>;
      assert.deepEqual(JSON.parse(message.GCM!), { data: expectedData(identity, 'settings', syncCount) });
    } finally {
      sns.publishFailure = undefined;
      await restarted?.dispose();
      await node.dispose();
    }
  });
});
