// The sync protocol end to end (reference: "The sync protocol"), through the AWS SDK v3 Cognito Sync client
// signed with an identity's temporary credentials: each "device" is its own client on the same identity.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { DeleteIdentitiesCommand } from '@aws-sdk/client-cognito-identity';
import {
  DeleteDatasetCommand,
  DescribeDatasetCommand,
  DescribeIdentityUsageCommand,
  ListDatasetsCommand,
  ListRecordsCommand,
  UpdateRecordsCommand,
} from '@aws-sdk/client-cognito-sync';
import { createIdentityPool, newIdentity, type SyncIdentity } from './helpers/sync-identities.ts';
import { sendSigned } from './helpers/raw-http.ts';
import { errorOf, startServer, type TestServer } from './helpers/server.ts';
import { SyncDevice } from './helpers/sync-device.ts';

const address = (identity: SyncIdentity, DatasetName: string) => ({ IdentityPoolId: identity.identityPoolId, IdentityId: identity.identityId, DatasetName });

describe('the sync protocol', { timeout: 120_000 }, () => {
  let server: TestServer;
  let poolId: string;
  before(async () => {
    server = await startServer();
    poolId = await createIdentityPool(server);
  });
  after(async () => {
    await server.dispose();
  });

  it('two devices on one identity: pull, push, pull on the other, and a remove travels as a tombstone', async () => {
    const user = await newIdentity(server, poolId);
    const phone = new SyncDevice(user.device(), address(user, 'settings'));
    const tablet = new SyncDevice(user.device(), address(user, 'settings'));

    const first = await phone.pull();
    const empty = first.pages[0]!;
    assert.deepEqual(empty.Records, []);
    assert.equal(empty.Count, 0);
    assert.equal(empty.DatasetExists, false);
    assert.equal(empty.DatasetSyncCount, 0);
    assert.equal(empty.DatasetDeletedAfterRequestedSyncCount, false);
    assert.deepEqual(empty.MergedDatasetNames, []);
    assert.equal(typeof empty.SyncSessionToken, 'string');
    assert.equal(empty.NextToken, undefined, 'a present NextToken would make Android ask for another page');

    phone.put('theme', 'dark');
    phone.put('volume', '7');
    const pushed = await phone.push();
    assert.deepEqual(pushed.map((r) => [r.Key, r.Value, r.SyncCount, r.LastModifiedBy]).sort(), [
      ['theme', 'dark', 1, user.identityId],
      ['volume', '7', 1, user.identityId],
    ]);
    assert.equal(phone.lastSyncCount, 1, 'the new count is exactly one above the pulled one');

    const onTablet = await tablet.pull();
    assert.deepEqual(tablet.values(), { theme: 'dark', volume: '7' });
    assert.equal(onTablet.pages.at(-1)!.DatasetSyncCount, 1);
    assert.equal(onTablet.pages.at(-1)!.LastModifiedBy, user.identityId);
    assert.equal(onTablet.pages.at(-1)!.DatasetExists, true);

    tablet.put('volume', '9');
    assert.deepEqual((await tablet.push()).map((r) => [r.Key, r.SyncCount]), [['volume', 2]]);

    const delta = await phone.pull();
    assert.deepEqual(delta.records.map((r) => [r.Key, r.Value, r.SyncCount]), [['volume', '9', 2]], 'only what changed since count 1');
    assert.equal(delta.pages[0]!.Count, 1);

    phone.remove('theme');
    const removed = await phone.push();
    assert.equal(removed.length, 1);
    assert.equal(removed[0]!.Key, 'theme');
    assert.equal(removed[0]!.Value, undefined);
    assert.equal(removed[0]!.SyncCount, 3);

    const tombstones = await tablet.pull();
    assert.deepEqual(tombstones.records.map((r) => [r.Key, r.Value, r.SyncCount]), [['theme', undefined, 3]]);
    assert.deepEqual(tablet.values(), { volume: '9' });
    assert.deepEqual(phone.values(), tablet.values());

    const { Dataset } = await user.device().send(new DescribeDatasetCommand(address(user, 'settings')));
    assert.equal(Dataset!.NumRecords, 1, 'the tombstone is not a record');
    assert.equal(Dataset!.DataStorage, 'theme'.length + 'volume'.length + '9'.length, 'a tombstone still counts its key');
    assert.equal(Dataset!.LastModifiedBy, user.identityId);
  });

  it('a conflict refuses the whole batch with 409, and the device recovers by pulling and pushing again', async () => {
    const user = await newIdentity(server, poolId);
    const phone = new SyncDevice(user.device(), address(user, 'game'));
    const tablet = new SyncDevice(user.device(), address(user, 'game'));
    phone.put('level', '1');
    await phone.sync();
    await tablet.pull();

    phone.put('score', '10');
    await phone.sync();
    tablet.put('score', '20');
    tablet.put('coins', '5');
    const conflict = await errorOf(tablet.push());
    assert.equal(conflict.name, 'ResourceConflictException');
    assert.equal(conflict.$metadata.httpStatusCode, 409);
    assert.equal(conflict.message, 'Current SyncCount for: score is: 2 not: 0');

    const state = await user.device().send(new ListRecordsCommand({ ...address(user, 'game'), LastSyncCount: 0 }));
    assert.equal(state.DatasetSyncCount, 2, 'the refused batch did not count');
    assert.deepEqual(state.Records!.map((r) => r.Key).sort(), ['level', 'score'], "nothing of the batch was applied ('coins' absent)");

    // Recovery as a client resolves it: pull, keep the local value on top of the server's SyncCount, push.
    const pulled = await tablet.pull();
    const remoteScore = pulled.records.find((r) => r.Key === 'score')!;
    assert.equal(remoteScore.Value, '10');
    tablet.local.get('score')!.syncCount = remoteScore.SyncCount!;
    const resolved = await tablet.push();
    assert.deepEqual(resolved.map((r) => [r.Key, r.Value, r.SyncCount]).sort(), [
      ['coins', '5', 3],
      ['score', '20', 3],
    ]);
    await phone.pull();
    assert.deepEqual(phone.values(), { level: '1', score: '20', coins: '5' });
  });

  it('delete and recreate: the other devices learn of it, purge, and resync from zero', async () => {
    const user = await newIdentity(server, poolId);
    const phone = new SyncDevice(user.device(), address(user, 'notes'));
    const tablet = new SyncDevice(user.device(), address(user, 'notes'));
    const laptop = new SyncDevice(user.device(), address(user, 'notes'));
    phone.put('a', 'old-a');
    phone.put('b', 'old-b');
    await phone.sync();
    phone.put('a', 'old-a2');
    await phone.sync();
    await tablet.pull();
    await laptop.pull();
    assert.equal(laptop.lastSyncCount, 2);

    const deleted = await user.device().send(new DeleteDatasetCommand(address(user, 'notes')));
    assert.equal(deleted.Dataset!.DatasetName, 'notes');
    assert.equal(deleted.Dataset!.NumRecords, 2);
    const gone = await errorOf(user.device().send(new DescribeDatasetCommand(address(user, 'notes'))));
    assert.equal(gone.name, 'ResourceNotFoundException');
    assert.match(gone.message, /notes/);
    const again = await errorOf(user.device().send(new DeleteDatasetCommand(address(user, 'notes'))));
    assert.equal(again.name, 'ResourceNotFoundException');

    // Deleted, not recreated: the tablet (at count 2) is told, and purges.
    const seenByTablet = await tablet.pull();
    assert.equal(seenByTablet.pages[0]!.DatasetExists, false);
    assert.equal(seenByTablet.pages[0]!.DatasetDeletedAfterRequestedSyncCount, true);
    assert.equal(seenByTablet.purged, true);
    assert.deepEqual(tablet.values(), {});

    // Recreated by the phone, which starts over locally.
    const fresh = new SyncDevice(user.device(), address(user, 'notes'));
    fresh.put('c', 'new-c');
    const recreated = await fresh.sync();
    assert.ok(recreated[0]!.SyncCount! > 2, 'counts continue above the deleted incarnation, so old counts stay unambiguous');

    // The laptop still holds the old incarnation at count 2: told the dataset was deleted after its count.
    const seenByLaptop = await laptop.pull();
    assert.equal(seenByLaptop.pages[0]!.DatasetExists, true);
    assert.equal(seenByLaptop.pages[0]!.DatasetDeletedAfterRequestedSyncCount, true);
    assert.equal(seenByLaptop.purged, true);
    await laptop.pull();
    assert.deepEqual(laptop.values(), { c: 'new-c' }, 'after the purge, a pull from zero holds only the new incarnation');
    await tablet.pull();
    assert.deepEqual(tablet.values(), { c: 'new-c' });
  });

  it('lastSyncCount above the dataset\'s count: "No such SyncCount"', async () => {
    const user = await newIdentity(server, poolId);
    const device = new SyncDevice(user.device(), address(user, 'counts'));
    device.put('k', 'v');
    await device.sync();
    const error = await errorOf(user.device().send(new ListRecordsCommand({ ...address(user, 'counts'), LastSyncCount: 37 })));
    assert.equal(error.name, 'InvalidParameterException');
    assert.equal(error.$metadata.httpStatusCode, 400);
    assert.equal(error.message, 'No such SyncCount: 37 exists for this Dataset');
    const negative = await errorOf(user.device().send(new ListRecordsCommand({ ...address(user, 'counts'), LastSyncCount: -1 })));
    assert.equal(negative.name, 'InvalidParameterException');
    assert.match(negative.message, /LastSyncCount/);
  });

  it('developer credentials write as the account id; DeviceLastModifiedDate is kept; x-amz-Client-Context is accepted', async () => {
    const user = await newIdentity(server, poolId);
    const developer = server.syncClient();
    const where = address(user, 'admin-notes');
    const { SyncSessionToken } = await developer.send(new ListRecordsCommand(where));
    const deviceTime = new Date('2014-10-10T20:47:37.151Z');
    const clientContext = Buffer.from(JSON.stringify({ client: { app_title: 'tests' }, env: { platform: 'node' } })).toString('base64');
    const { Records } = await developer.send(
      new UpdateRecordsCommand({
        ...where,
        SyncSessionToken,
        ClientContext: clientContext,
        DeviceId: 'device-1',
        RecordPatches: [{ Op: 'replace', Key: 'note', Value: 'hello', SyncCount: 0, DeviceLastModifiedDate: deviceTime }],
      }),
    );
    assert.equal(Records![0]!.LastModifiedBy, server.developer.accountId);
    assert.equal(Records![0]!.DeviceLastModifiedDate!.getTime(), deviceTime.getTime());
    const listed = await user.device().send(new ListRecordsCommand(where));
    assert.equal(listed.LastModifiedBy, server.developer.accountId);
    assert.equal(listed.Records![0]!.DeviceLastModifiedDate!.getTime(), deviceTime.getTime());
    assert.equal(listed.Records![0]!.LastModifiedBy, server.developer.accountId);
  });

  it('on the wire: timestamps are epoch seconds and every ListRecords member is present, on a missing dataset too', async () => {
    const user = await newIdentity(server, poolId);
    const path = `/identitypools/${encodeURIComponent(poolId)}/identities/${encodeURIComponent(user.identityId)}/datasets/wire`;
    const signing = { credentials: user.credentials, service: 'cognito-sync' };
    const missing = await sendSigned(server.url, { method: 'GET', path: `${path}/records` }, signing);
    assert.equal(missing.status, 200);
    const body = missing.json();
    assert.deepEqual(Object.keys(body).sort(), [
      'Count',
      'DatasetDeletedAfterRequestedSyncCount',
      'DatasetExists',
      'DatasetSyncCount',
      'MergedDatasetNames',
      'Records',
      'SyncSessionToken',
    ]);
    assert.deepEqual(
      { ...body, SyncSessionToken: undefined },
      { Records: [], Count: 0, DatasetSyncCount: 0, MergedDatasetNames: [], DatasetExists: false, DatasetDeletedAfterRequestedSyncCount: false, SyncSessionToken: undefined },
    );

    const before = Date.now() / 1000;
    const update = await sendSigned(
      server.url,
      {
        method: 'POST',
        path,
        headers: { 'content-type': 'application/json', 'x-amz-Client-Context': 'eyJjbGllbnQiOnt9fQ==' },
        body: JSON.stringify({
          SyncSessionToken: body.SyncSessionToken,
          RecordPatches: [{ Op: 'replace', Key: 'k', Value: 'v', SyncCount: 0, DeviceLastModifiedDate: 1.412974057151e9 }],
        }),
      },
      signing,
    );
    assert.equal(update.status, 200, update.text);
    const record = (update.json().Records as Array<Record<string, unknown>>)[0]!;
    assert.equal(record.DeviceLastModifiedDate, 1412974057.151);
    assert.equal(typeof record.LastModifiedDate, 'number');
    assert.ok((record.LastModifiedDate as number) >= Math.floor(before) && (record.LastModifiedDate as number) < before + 3600);

    const described = await sendSigned(server.url, { method: 'GET', path }, signing);
    const dataset = described.json().Dataset as Record<string, unknown>;
    assert.equal(typeof dataset.CreationDate, 'number');
    assert.equal(typeof dataset.LastModifiedDate, 'number');
  });

  it('the JSON 1.1 target form (every member in the body, as the API reference sample sends it) syncs the same way', async () => {
    const user = await newIdentity(server, poolId);
    const signing = { credentials: user.credentials, service: 'cognito-sync' };
    const target = (operation: string, body: Record<string, unknown>, headers: Record<string, string> = {}) =>
      sendSigned(
        server.url,
        {
          method: 'POST',
          path: '/',
          headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `com.amazonaws.cognito.sync.model.AWSCognitoSyncService.${operation}`, ...headers },
          body: JSON.stringify({ IdentityPoolId: poolId, IdentityId: user.identityId, DatasetName: 'target-form', ...body }),
        },
        signing,
      );
    const pulled = await target('ListRecords', { LastSyncCount: 0 });
    assert.equal(pulled.status, 200, pulled.text);
    const pushed = await target(
      'UpdateRecords',
      { SyncSessionToken: pulled.json().SyncSessionToken, RecordPatches: [{ Op: 'replace', Key: 'k', Value: 'v', SyncCount: 0 }] },
      { 'x-amz-Client-Context': 'eyJjbGllbnQiOnt9fQ==' },
    );
    assert.equal(pushed.status, 200, pushed.text);
    const viaSdk = await user.device().send(new ListRecordsCommand(address(user, 'target-form')));
    assert.deepEqual(viaSdk.Records!.map((r) => [r.Key, r.Value, r.SyncCount]), [['k', 'v', 1]]);
  });

  it('a SyncSessionToken is bound to its identity and dataset', async () => {
    const user = await newIdentity(server, poolId);
    const other = await newIdentity(server, poolId);
    const device = user.device();
    const { SyncSessionToken } = await device.send(new ListRecordsCommand(address(user, 'one')));
    const patch = [{ Op: 'replace' as const, Key: 'k', Value: 'v', SyncCount: 0 }];

    const otherDataset = await errorOf(device.send(new UpdateRecordsCommand({ ...address(user, 'two'), SyncSessionToken, RecordPatches: patch })));
    assert.equal(otherDataset.name, 'InvalidParameterException');
    assert.equal(otherDataset.$metadata.httpStatusCode, 400);
    assert.equal(otherDataset.message, 'SyncSessionToken not valid for these inputs');

    const otherIdentity = await errorOf(
      server.syncClient().send(new UpdateRecordsCommand({ ...address(other, 'one'), SyncSessionToken, RecordPatches: patch })),
    );
    assert.equal(otherIdentity.message, 'SyncSessionToken not valid for these inputs');

    const garbage = await errorOf(device.send(new UpdateRecordsCommand({ ...address(user, 'one'), SyncSessionToken: 'not-a-token', RecordPatches: patch })));
    assert.equal(garbage.name, 'InvalidParameterException');
    assert.match(garbage.message, /^SyncSessionToken not valid/);

    const missing = await errorOf(device.send(new UpdateRecordsCommand({ ...address(user, 'one'), RecordPatches: patch } as never)));
    assert.equal(missing.name, 'InvalidParameterException');
    assert.match(missing.message, /syncSessionToken/);

    const listed = await device.send(new ListDatasetsCommand({ IdentityPoolId: poolId, IdentityId: user.identityId }));
    assert.deepEqual(listed.Datasets, [], 'none of the refused writes made a dataset');
  });

  it('identity credentials reach only their own identity', async () => {
    const user = await newIdentity(server, poolId);
    const other = await newIdentity(server, poolId);
    const error = await errorOf(user.device().send(new ListRecordsCommand(address(other, 'settings'))));
    assert.equal(error.name, 'NotAuthorizedException');
    assert.equal(error.$metadata.httpStatusCode, 403);
  });

  it('an identity not in the pool is ResourceNotFoundException naming it; a missing dataset of a real one is not an error for ListRecords', async () => {
    const ghost = 'us-east-1:00000000-0000-4000-8000-000000000000';
    const where = { IdentityPoolId: poolId, IdentityId: ghost, DatasetName: 'd' };
    const developer = server.syncClient();
    for (const call of [
      () => developer.send(new ListRecordsCommand(where)),
      () => developer.send(new DescribeDatasetCommand(where)),
      () => developer.send(new DeleteDatasetCommand(where)),
      () => developer.send(new ListDatasetsCommand({ IdentityPoolId: poolId, IdentityId: ghost })),
      () => developer.send(new DescribeIdentityUsageCommand({ IdentityPoolId: poolId, IdentityId: ghost })),
    ]) {
      const error = await errorOf(call());
      assert.equal(error.name, 'ResourceNotFoundException', error.message);
      assert.equal(error.$metadata.httpStatusCode, 404);
      assert.ok(error.message.includes(ghost), error.message);
    }

    // An identity deleted between pull and push (its own credentials stop working; the developer's push is
    // refused the same way, and the data went with the identity).
    const doomed = await newIdentity(server, poolId);
    const device = new SyncDevice(doomed.device(), address(doomed, 'd'));
    device.put('k', 'v');
    await device.sync();
    const { SyncSessionToken } = await developer.send(new ListRecordsCommand(address(doomed, 'd')));
    await server.identityClient().send(new DeleteIdentitiesCommand({ IdentityIdsToDelete: [doomed.identityId] }));
    const pushed = await errorOf(
      developer.send(new UpdateRecordsCommand({ ...address(doomed, 'd'), SyncSessionToken, RecordPatches: [{ Op: 'replace', Key: 'k', Value: 'v2', SyncCount: 1 }] })),
    );
    assert.equal(pushed.name, 'ResourceNotFoundException');
    assert.ok(pushed.message.includes(doomed.identityId), pushed.message);

    const user = await newIdentity(server, poolId);
    const none = await developer.send(new ListRecordsCommand(address(user, 'never-written')));
    assert.equal(none.DatasetExists, false);
    const describe = await errorOf(developer.send(new DescribeDatasetCommand(address(user, 'never-written'))));
    assert.equal(describe.name, 'ResourceNotFoundException');
    assert.match(describe.message, /never-written/);
  });

  it('an expired SyncSessionToken is refused, naming the expiry', async () => {
    const shortLived = await startServer({ args: ['--sync-session-ttl', '1'] });
    try {
      const pool = await createIdentityPool(shortLived);
      const user = await newIdentity(shortLived, pool);
      const { SyncSessionToken } = await user.device().send(new ListRecordsCommand(address(user, 'd')));
      await sleep(1500);
      const error = await errorOf(
        user.device().send(new UpdateRecordsCommand({ ...address(user, 'd'), SyncSessionToken, RecordPatches: [{ Op: 'replace', Key: 'k', Value: 'v', SyncCount: 0 }] })),
      );
      assert.equal(error.name, 'InvalidParameterException');
      assert.match(error.message, /^SyncSessionToken not valid for these inputs: the token expired at .*ListRecords/);
    } finally {
      await shortLived.dispose();
    }
  });
});
