// Store contract: push sync devices and dataset subscriptions (PushStore), on both stores.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { it } from 'node:test';
import { PUSH_SYNC_KIND, type PushSyncPayload } from '../../src/store/push-outbox-entries.ts';
import type { PushDevice, PushPlatform, Store, SyncQuotas } from '../../src/store/store.ts';
import { at, contractSuite, makeIdentity, makePool } from './stores.ts';

const QUOTAS: SyncQuotas = { maxDatasetsPerIdentity: 20, maxRecordsPerDataset: 1024, maxDatasetBytes: 1024 * 1024 };
const T1 = at('2024-08-01T10:00:00.001Z');
const APP = 'arn:aws:sns:us-east-1:123456789012:app/GCM/contract';

function device(identityPoolId: string, identityId: string, token: string, platform: PushPlatform = 'GCM'): PushDevice {
  return {
    deviceId: randomUUID(),
    identityPoolId,
    identityId,
    platform,
    token,
    endpointArn: `arn:aws:sns:us-east-1:123456789012:endpoint/${platform}/contract/${randomUUID()}`,
    createdAt: T1,
  };
}

function ok<T extends { outcome: string }>(result: T): Extract<T, { outcome: 'ok' }> {
  assert.equal(result.outcome, 'ok', `expected ok, got ${JSON.stringify(result)}`);
  return result as Extract<T, { outcome: 'ok' }>;
}

async function setup(store: Store) {
  const pool = await makePool(store);
  const identity = await makeIdentity(store, pool.identityPoolId);
  const address = (datasetName = 'settings', identityId = identity.identityId) => ({ identityPoolId: pool.identityPoolId, identityId, datasetName });
  const write = async (datasetName = 'settings', identityId = identity.identityId) =>
    ok(await store.updateRecords(address(datasetName, identityId), { patches: [{ op: 'replace', key: 'k', value: 'v', syncCount: 0 }], modifiedBy: identityId, now: T1, quotas: QUOTAS }));
  const register = async (token: string, identityId = identity.identityId, platform: PushPlatform = 'GCM') =>
    ok(await store.putDevice(device(pool.identityPoolId, identityId, token, platform))).device;
  return { pool, identity, address, write, register };
}

contractSuite('store contract: push devices and subscriptions', (subject) => {
  it('putDevice stores a device; the same identity, platform and token again keeps its id and takes the new endpoint', async () => {
    const { store } = subject();
    const { pool, identity, address, write } = await setup(store);
    const first = device(pool.identityPoolId, identity.identityId, 'token-a');
    assert.deepEqual(ok(await store.putDevice(first)).device, first);

    const again = { ...device(pool.identityPoolId, identity.identityId, 'token-a'), endpointArn: `${APP}-moved` };
    const result = ok(await store.putDevice(again)).device;
    assert.equal(result.deviceId, first.deviceId);
    assert.equal(result.endpointArn, `${APP}-moved`);
    assert.deepEqual(result.createdAt, T1);

    // Another token, or the same token on another platform, is another device.
    const other = ok(await store.putDevice(device(pool.identityPoolId, identity.identityId, 'token-b'))).device;
    const apns = ok(await store.putDevice(device(pool.identityPoolId, identity.identityId, 'token-a', 'APNS'))).device;
    assert.equal(new Set([first.deviceId, other.deviceId, apns.deviceId]).size, 3);

    // The stored endpoint is the one later listings return.
    await write();
    ok(await store.subscribeToDataset(address(), first.deviceId, T1));
    assert.deepEqual((await store.listDatasetSubscribers(address())).map((d) => [d.deviceId, d.endpointArn, d.token, d.platform]), [
      [first.deviceId, `${APP}-moved`, 'token-a', 'GCM'],
    ]);
  });

  it('putDevice reports an identity that is not in the pool, or was merged away', async () => {
    const { store } = subject();
    const { pool, identity } = await setup(store);
    const otherPool = await makePool(store);
    assert.deepEqual(await store.putDevice(device(otherPool.identityPoolId, identity.identityId, 't')), { outcome: 'identity-not-found' });
    assert.deepEqual(await store.putDevice(device(pool.identityPoolId, `us-east-1:${randomUUID()}`, 't')), { outcome: 'identity-not-found' });
    const merged = await makeIdentity(store, pool.identityPoolId);
    await store.mergeIdentities(merged.identityId, identity.identityId, T1);
    assert.deepEqual(await store.putDevice(device(pool.identityPoolId, merged.identityId, 't')), {
      outcome: 'identity-not-found',
      mergedInto: identity.identityId,
    });
  });

  it('subscribe ties the identity’s own device to an existing dataset, idempotently; listings are ordered by device id', async () => {
    const { store } = subject();
    const { pool, address, write, register } = await setup(store);
    const a = await register('token-a');
    const b = await register('token-b');
    await write();
    ok(await store.subscribeToDataset(address(), a.deviceId, T1));
    ok(await store.subscribeToDataset(address(), b.deviceId, T1));
    ok(await store.subscribeToDataset(address(), a.deviceId, T1));
    const ids = (await store.listDatasetSubscribers(address())).map((d) => d.deviceId);
    assert.deepEqual(ids, [a.deviceId, b.deviceId].sort());
    assert.deepEqual(await store.listDatasetSubscribers(address('other')), []);

    // A device of another identity is as unknown as a made-up one.
    const stranger = await makeIdentity(store, pool.identityPoolId);
    const theirs = await register('token-c', stranger.identityId);
    assert.deepEqual(await store.subscribeToDataset(address(), theirs.deviceId, T1), { outcome: 'device-not-found' });
    assert.deepEqual(await store.subscribeToDataset(address(), randomUUID(), T1), { outcome: 'device-not-found' });
    assert.deepEqual(await store.subscribeToDataset(address('never-written'), a.deviceId, T1), { outcome: 'dataset-not-found' });
    assert.deepEqual(await store.subscribeToDataset(address('settings', `us-east-1:${randomUUID()}`), a.deviceId, T1), {
      outcome: 'identity-not-found',
    });
  });

  it('unsubscribe removes one subscription, is idempotent, and refuses unknown devices', async () => {
    const { store } = subject();
    const { address, write, register } = await setup(store);
    const a = await register('token-a');
    const b = await register('token-b');
    await write();
    await write('other');
    for (const d of [a, b]) ok(await store.subscribeToDataset(address(), d.deviceId, T1));
    ok(await store.subscribeToDataset(address('other'), a.deviceId, T1));

    ok(await store.unsubscribeFromDataset(address(), a.deviceId));
    ok(await store.unsubscribeFromDataset(address(), a.deviceId));
    ok(await store.unsubscribeFromDataset(address('never-written'), a.deviceId));
    assert.deepEqual((await store.listDatasetSubscribers(address())).map((d) => d.deviceId), [b.deviceId]);
    assert.deepEqual((await store.listDatasetSubscribers(address('other'))).map((d) => d.deviceId), [a.deviceId]);
    assert.deepEqual(await store.unsubscribeFromDataset(address(), randomUUID()), { outcome: 'device-not-found' });
  });

  it('deleting a dataset drops its subscriptions; a recreated dataset starts with none', async () => {
    const { store } = subject();
    const { address, write, register } = await setup(store);
    const a = await register('token-a');
    await write();
    ok(await store.subscribeToDataset(address(), a.deviceId, T1));
    ok(await store.deleteDataset(address(), T1));
    assert.deepEqual(await store.listDatasetSubscribers(address()), []);
    await write();
    assert.deepEqual(await store.listDatasetSubscribers(address()), []);
  });

  it('a merge carries subscriptions along with the moved dataset', async () => {
    const { store } = subject();
    const { pool, identity, address, write, register } = await setup(store);
    const merged = await makeIdentity(store, pool.identityPoolId);
    const theirs = await register('token-m', merged.identityId);
    await write('settings', merged.identityId);
    ok(await store.subscribeToDataset(address('settings', merged.identityId), theirs.deviceId, T1));
    await store.mergeIdentities(merged.identityId, identity.identityId, T1);
    assert.deepEqual(
      (await store.listDatasetSubscribers(address(`settings.${merged.identityId}`))).map((d) => d.deviceId),
      [theirs.deviceId],
    );
  });

  it('dropEndpointSubscriptions drops every subscription of the devices on that endpoint and keeps the devices', async () => {
    const { store } = subject();
    const { pool, address, write, register } = await setup(store);
    const a = await register('token-a');
    const b = await register('token-b');
    // Another identity registered the same physical device: SNS gives it the same endpoint.
    const other = await makeIdentity(store, pool.identityPoolId);
    const shared = ok(await store.putDevice({ ...device(pool.identityPoolId, other.identityId, 'token-a'), endpointArn: a.endpointArn })).device;
    await write();
    await write('other');
    await write('settings', other.identityId);
    ok(await store.subscribeToDataset(address(), a.deviceId, T1));
    ok(await store.subscribeToDataset(address('other'), a.deviceId, T1));
    ok(await store.subscribeToDataset(address(), b.deviceId, T1));
    ok(await store.subscribeToDataset(address('settings', other.identityId), shared.deviceId, T1));

    assert.equal(await store.dropEndpointSubscriptions(a.endpointArn), 3);
    assert.deepEqual((await store.listDatasetSubscribers(address())).map((d) => d.deviceId), [b.deviceId]);
    assert.deepEqual(await store.listDatasetSubscribers(address('other')), []);
    assert.deepEqual(await store.listDatasetSubscribers(address('settings', other.identityId)), []);
    assert.equal(await store.dropEndpointSubscriptions(a.endpointArn), 0);
    // The device is still registered: subscribing again works.
    ok(await store.subscribeToDataset(address(), a.deviceId, T1));
  });

  it('deleting an identity deletes its devices', async () => {
    const { store } = subject();
    const { pool, address, write } = await setup(store);
    const doomed = await makeIdentity(store, pool.identityPoolId);
    const theirs = ok(await store.putDevice(device(pool.identityPoolId, doomed.identityId, 'token-d'))).device;
    await write('settings', doomed.identityId);
    ok(await store.subscribeToDataset(address('settings', doomed.identityId), theirs.deviceId, T1));
    assert.deepEqual(await store.deleteIdentities([doomed.identityId]), [doomed.identityId]);
    assert.deepEqual(await store.listDatasetSubscribers(address('settings', doomed.identityId)), []);
    // Its registration is gone with it: the same token makes a new device once the id exists again.
    assert.deepEqual(await store.putDevice(device(pool.identityPoolId, doomed.identityId, 'token-d')), { outcome: 'identity-not-found' });
  });

  it('racing registrations of one token through two handles end with one device', async () => {
    const { store, openAnother } = subject();
    const other = await openAnother();
    const { pool, identity } = await setup(store);
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => (i % 2 ? other : store).putDevice(device(pool.identityPoolId, identity.identityId, 'raced'))),
    );
    assert.equal(new Set(results.map((r) => ok(r).device.deviceId)).size, 1);
  });
});

contractSuite('store contract: UpdateRecords queues push sync items', (subject) => {
  const claimPushes = async (store: Store, identityId: string) =>
    (await store.claimOutboxItems(`contract-${randomUUID()}`, 1000, 60_000, new Date(Date.now() + 1000)))
      .filter((item) => item.kind === PUSH_SYNC_KIND && (item.payload as PushSyncPayload).identityId === identityId)
      .sort((a, b) => a.orderingKey.localeCompare(b.orderingKey));

  it('one item per subscribed device but the writer’s, in the same transaction as the write', async () => {
    const { store } = subject();
    const { pool, identity, address, register } = await setup(store);
    const a = await register('token-a');
    const b = await register('token-b', identity.identityId, 'APNS');
    const c = await register('token-c');
    const first = ok(await store.updateRecords(address(), { patches: [{ op: 'replace', key: 'k', value: 'v', syncCount: 0 }], modifiedBy: identity.identityId, now: T1, quotas: QUOTAS }));
    assert.notEqual(first.outboxed, true, 'nobody is subscribed yet');
    for (const d of [a, b, c]) ok(await store.subscribeToDataset(address(), d.deviceId, T1));
    await store.unsubscribeFromDataset(address(), c.deviceId);

    const written = ok(await store.updateRecords(address(), {
      patches: [{ op: 'replace', key: 'k', value: 'w', syncCount: 1 }],
      modifiedBy: identity.identityId,
      now: T1,
      quotas: QUOTAS,
      writerDeviceId: a.deviceId,
    }));
    assert.equal(written.outboxed, true);
    const items = await claimPushes(store, identity.identityId);
    assert.deepEqual(
      items.map((item) => [item.orderingKey, item.payload]),
      [[`push-sync:${b.deviceId}`, {
        deviceId: b.deviceId,
        endpointArn: b.endpointArn,
        platform: 'APNS',
        identityPoolId: pool.identityPoolId,
        identityId: identity.identityId,
        datasetName: 'settings',
        syncCount: 2,
      }]],
    );
    for (const item of items) await store.completeOutboxItem(item);

    // A refused write queues nothing; a write without a DeviceId (e.g. developer credentials) pushes to every subscriber.
    const refused = await store.updateRecords(address(), { patches: [{ op: 'replace', key: 'k', value: 'x', syncCount: 1 }], modifiedBy: identity.identityId, now: T1, quotas: QUOTAS });
    assert.equal(refused.outcome, 'conflict');
    assert.deepEqual(await claimPushes(store, identity.identityId), []);
    ok(await store.updateRecords(address(), { patches: [{ op: 'replace', key: 'k', value: 'x', syncCount: 2 }], modifiedBy: 'developer', now: T1, quotas: QUOTAS }));
    const everyone = await claimPushes(store, identity.identityId);
    assert.deepEqual(everyone.map((item) => (item.payload as PushSyncPayload).deviceId).sort(), [a.deviceId, b.deviceId].sort());
    assert.ok(everyone.every((item) => (item.payload as PushSyncPayload).syncCount === 3));
  });
});
