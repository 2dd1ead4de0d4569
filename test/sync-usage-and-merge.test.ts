// Usage figures after writes, removes and deletes; and merged identities' datasets under the survivor.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DeleteIdentitiesCommand, MergeDeveloperIdentitiesCommand } from '@aws-sdk/client-cognito-identity';
import {
  DeleteDatasetCommand,
  DescribeIdentityPoolUsageCommand,
  DescribeIdentityUsageCommand,
  ListDatasetsCommand,
  ListIdentityPoolUsageCommand,
  ListRecordsCommand,
  type RecordPatch,
  UpdateRecordsCommand,
} from '@aws-sdk/client-cognito-sync';
import { errorOf, startServer, type TestServer } from './helpers/server.ts';
import { SyncDevice } from './helpers/sync-device.ts';
import { createIdentityPool, DEVELOPER_PROVIDER, developerUserIdentity, newIdentity, type SyncIdentity } from './helpers/sync-identities.ts';

const where = (identity: SyncIdentity, DatasetName: string) => ({ IdentityPoolId: identity.identityPoolId, IdentityId: identity.identityId, DatasetName });

async function write(identity: SyncIdentity, DatasetName: string, RecordPatches: RecordPatch[]) {
  const client = identity.device();
  const { SyncSessionToken } = await client.send(new ListRecordsCommand(where(identity, DatasetName)));
  return client.send(new UpdateRecordsCommand({ ...where(identity, DatasetName), SyncSessionToken, RecordPatches }));
}

describe('usage figures', { timeout: 120_000 }, () => {
  let server: TestServer;
  before(async () => {
    server = await startServer();
  });
  after(async () => {
    await server.dispose();
  });

  const poolUsage = async (IdentityPoolId: string) => (await server.syncClient().send(new DescribeIdentityPoolUsageCommand({ IdentityPoolId }))).IdentityPoolUsage!;
  const identityUsage = async (identity: SyncIdentity) =>
    (await identity.device().send(new DescribeIdentityUsageCommand({ IdentityPoolId: identity.identityPoolId, IdentityId: identity.identityId }))).IdentityUsage!;

  it('DataStorage, DatasetCount and LastModifiedDate follow writes, removes and deletes', async () => {
    const poolId = await createIdentityPool(server);
    const fresh = await poolUsage(poolId);
    assert.deepEqual({ ...fresh }, { IdentityPoolId: poolId, SyncSessionsCount: 0, DataStorage: 0 });

    const alice = await newIdentity(server, poolId);
    const bob = await newIdentity(server, poolId);
    const untouched = await identityUsage(alice);
    assert.deepEqual({ ...untouched }, { IdentityId: alice.identityId, IdentityPoolId: poolId, DatasetCount: 0, DataStorage: 0 });

    const started = Date.now();
    await write(alice, 'x', [
      { Op: 'replace', Key: 'k1', Value: 'abc', SyncCount: 0 },
      { Op: 'replace', Key: 'k2', Value: 'de', SyncCount: 0 },
    ]);
    await write(alice, 'y', [{ Op: 'replace', Key: 'q', Value: '', SyncCount: 0 }]);
    await write(bob, 'z', [{ Op: 'replace', Key: 'z', Value: 'é', SyncCount: 0 }]);
    const a1 = await identityUsage(alice);
    assert.equal(a1.DatasetCount, 2);
    assert.equal(a1.DataStorage, 2 + 3 + 2 + 2 + 1);
    assert.ok(a1.LastModifiedDate!.getTime() >= started - 1000);
    assert.equal((await identityUsage(bob)).DataStorage, 1 + 2, "'é' is two bytes");
    assert.equal((await poolUsage(poolId)).DataStorage, 10 + 3);

    await write(alice, 'x', [{ Op: 'remove', Key: 'k1', SyncCount: 1 }]);
    assert.equal((await identityUsage(alice)).DataStorage, 2 + 2 + 2 + 1, 'the removed record keeps only its key');

    await bob.device().send(new DeleteDatasetCommand(where(bob, 'z')));
    const b2 = await identityUsage(bob);
    assert.equal(b2.DatasetCount, 0);
    assert.equal(b2.DataStorage, 0);
    assert.ok(b2.LastModifiedDate, 'a delete is a modification');
    assert.equal((await poolUsage(poolId)).DataStorage, 7);

    const listed = await server.syncClient().send(new ListIdentityPoolUsageCommand({}));
    const mine = listed.IdentityPoolUsages!.find((u) => u.IdentityPoolId === poolId)!;
    assert.equal(mine.DataStorage, 7);
    assert.ok(mine.LastModifiedDate);

    // Deleting an identity takes its datasets with it.
    await server.identityClient().send(new DeleteIdentitiesCommand({ IdentityIdsToDelete: [alice.identityId] }));
    assert.equal((await poolUsage(poolId)).DataStorage, 0);
  });

  it('SyncSessionsCount counts pulls that start a sync: not the later pages, not a pull that continues a session', async () => {
    const poolId = await createIdentityPool(server);
    const user = await newIdentity(server, poolId);
    await write(user, 'd', Array.from({ length: 5 }, (_, i): RecordPatch => ({ Op: 'replace', Key: `k${i}`, Value: 'v', SyncCount: 0 })));
    assert.equal((await poolUsage(poolId)).SyncSessionsCount, 1, 'the pull before the write');

    const device = new SyncDevice(user.device(), where(user, 'd'));
    const pulled = await device.pull(2);
    assert.equal(pulled.pages.length, 3);
    assert.equal((await poolUsage(poolId)).SyncSessionsCount, 2, 'three pages, one session');

    await user.device().send(new ListRecordsCommand({ ...where(user, 'd'), SyncSessionToken: pulled.pages.at(-1)!.SyncSessionToken }));
    assert.equal((await poolUsage(poolId)).SyncSessionsCount, 2, 'a pull presenting its live session token continues it');

    const other = await errorOf(user.device().send(new ListRecordsCommand({ ...where(user, 'e'), SyncSessionToken: pulled.pages.at(-1)!.SyncSessionToken })));
    assert.equal(other.message, 'SyncSessionToken not valid for these inputs');
    assert.equal((await poolUsage(poolId)).SyncSessionsCount, 2);
  });
});

describe('merged identities', { timeout: 120_000 }, () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ args: ['--max-datasets-per-identity', '4'] });
  });
  after(async () => {
    await server.dispose();
  });

  it("the merged identity's datasets appear under the survivor as <name>.<id>, listed in MergedDatasetNames and counted toward the quota", async () => {
    const poolId = await createIdentityPool(server);
    const phone = await developerUserIdentity(server, poolId, 'alice-phone');
    const account = await developerUserIdentity(server, poolId, 'alice');
    await write(phone, 'prefs', [{ Op: 'replace', Key: 'theme', Value: 'dark', SyncCount: 0 }]);
    await write(phone, 'prefs', [{ Op: 'replace', Key: 'font', Value: 'serif', SyncCount: 0 }]);
    await write(phone, 'game', [{ Op: 'replace', Key: 'level', Value: '3', SyncCount: 0 }]);
    await write(account, 'prefs', [{ Op: 'replace', Key: 'lang', Value: 'en', SyncCount: 0 }]);
    await write(account, 'notes', [{ Op: 'replace', Key: 'n', Value: '1', SyncCount: 0 }]);

    await server.identityClient().send(
      new MergeDeveloperIdentitiesCommand({ IdentityPoolId: poolId, DeveloperProviderName: DEVELOPER_PROVIDER, SourceUserIdentifier: 'alice-phone', DestinationUserIdentifier: 'alice' }),
    );

    const survivor = account.device();
    const datasets = await survivor.send(new ListDatasetsCommand({ IdentityPoolId: poolId, IdentityId: account.identityId }));
    assert.deepEqual(datasets.Datasets!.map((d) => d.DatasetName), [`game.${phone.identityId}`, 'notes', 'prefs', `prefs.${phone.identityId}`]);

    const prefs = await survivor.send(new ListRecordsCommand(where(account, 'prefs')));
    assert.deepEqual(prefs.MergedDatasetNames, [`prefs.${phone.identityId}`]);
    const game = await survivor.send(new ListRecordsCommand(where(account, 'game')));
    assert.equal(game.DatasetExists, false);
    assert.deepEqual(game.MergedDatasetNames, [`game.${phone.identityId}`], 'listed even where the survivor has no such dataset');

    const merged = await survivor.send(new ListRecordsCommand(where(account, `prefs.${phone.identityId}`)));
    assert.equal(merged.DatasetSyncCount, 2, 'records and counts moved intact');
    assert.deepEqual(merged.Records!.map((r) => [r.Key, r.Value, r.SyncCount]), [['theme', 'dark', 1], ['font', 'serif', 2]]);

    // Four datasets now, the quota here: the survivor may write to them but not make a fifth.
    const limit = await errorOf(write(account, 'fifth', [{ Op: 'replace', Key: 'k', Value: 'v', SyncCount: 0 }]));
    assert.equal(limit.name, 'LimitExceededException');
    assert.match(limit.message, /merged datasets included/);

    // What a client does next: fold the merged dataset into its own and delete it.
    await write(account, 'prefs', [{ Op: 'replace', Key: 'theme', Value: 'dark', SyncCount: 0 }]);
    await survivor.send(new DeleteDatasetCommand(where(account, `prefs.${phone.identityId}`)));
    const after = await survivor.send(new ListRecordsCommand(where(account, 'prefs')));
    assert.deepEqual(after.MergedDatasetNames, []);
    await write(account, 'fifth', [{ Op: 'replace', Key: 'k', Value: 'v', SyncCount: 0 }]);

    // The merged identity's own id no longer holds data.
    const gone = await errorOf(server.syncClient().send(new ListRecordsCommand(where(phone, 'prefs'))));
    assert.equal(gone.name, 'ResourceNotFoundException');
    assert.ok(gone.message.includes(account.identityId), gone.message);
  });
});
