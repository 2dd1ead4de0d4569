// Quotas, each hit exactly at its boundary: AWS's defaults (20 datasets per identity, 1,024 records and
// 1 MB of UTF-8 keys + values per dataset) and a self-hoster's own values set by flags.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  type CognitoSyncClient,
  DeleteDatasetCommand,
  DescribeDatasetCommand,
  ListDatasetsCommand,
  ListRecordsCommand,
  type RecordPatch,
  UpdateRecordsCommand,
} from '@aws-sdk/client-cognito-sync';
import { createIdentityPool, newIdentity, type SyncIdentity } from './helpers/sync-identities.ts';
import { errorOf, startServer, type TestServer } from './helpers/server.ts';

const MB = 1024 * 1024;

/** One pull-then-push, as a client's synchronize() does it. */
async function write(client: CognitoSyncClient, identity: SyncIdentity, DatasetName: string, RecordPatches: RecordPatch[]) {
  const where = { IdentityPoolId: identity.identityPoolId, IdentityId: identity.identityId, DatasetName };
  const { SyncSessionToken } = await client.send(new ListRecordsCommand(where));
  return client.send(new UpdateRecordsCommand({ ...where, SyncSessionToken, RecordPatches }));
}

const replace = (Key: string, Value: string, SyncCount = 0): RecordPatch => ({ Op: 'replace', Key, Value, SyncCount });

async function datasetOf(client: CognitoSyncClient, identity: SyncIdentity, DatasetName: string) {
  const { Dataset } = await client.send(new DescribeDatasetCommand({ IdentityPoolId: identity.identityPoolId, IdentityId: identity.identityId, DatasetName }));
  return Dataset!;
}

describe('quotas at AWS defaults', { timeout: 120_000 }, () => {
  let server: TestServer;
  let poolId: string;
  before(async () => {
    server = await startServer();
    poolId = await createIdentityPool(server);
  });
  after(async () => {
    await server.dispose();
  });

  it('20 datasets per identity: the 20th is made, the 21st refused, and a delete makes room', async () => {
    const user = await newIdentity(server, poolId);
    const device = user.device();
    for (let i = 1; i <= 20; i += 1) await write(device, user, `set-${String(i).padStart(2, '0')}`, [replace('k', 'v')]);
    const error = await errorOf(write(device, user, 'set-21', [replace('k', 'v')]));
    assert.equal(error.name, 'LimitExceededException');
    assert.equal(error.$metadata.httpStatusCode, 400);
    assert.match(error.message, /maxDatasetsPerIdentity/);
    assert.match(error.message, /at most 20 datasets/);
    const listed = await device.send(new ListDatasetsCommand({ IdentityPoolId: poolId, IdentityId: user.identityId }));
    assert.equal(listed.Count, 20, 'the refused write made no dataset');

    await write(device, user, 'set-20', [replace('k', 'v2', 1)]);
    await device.send(new DeleteDatasetCommand({ IdentityPoolId: poolId, IdentityId: user.identityId, DatasetName: 'set-01' }));
    await write(device, user, 'set-21', [replace('k', 'v')]);
  });

  it('1,024 records per dataset: 1,024 fit, the 1,025th is refused; a removed record frees its place', async () => {
    const user = await newIdentity(server, poolId);
    const device = user.device();
    const patches = Array.from({ length: 1024 }, (_, i) => replace(`key-${i}`, `value-${i}`));
    const { Records } = await write(device, user, 'many', patches);
    assert.equal(Records!.length, 1024);
    assert.equal((await datasetOf(device, user, 'many')).NumRecords, 1024);

    const error = await errorOf(write(device, user, 'many', [replace('one-more', 'x')]));
    assert.equal(error.name, 'LimitExceededException');
    assert.match(error.message, /maxRecordsPerDataset/);
    assert.match(error.message, /at most 1024 records; this update would make 1025/);

    // Replacing an existing record does not add one; removing one makes room for a new key in the same batch.
    await write(device, user, 'many', [replace('key-0', 'changed', 1)]);
    await write(device, user, 'many', [{ Op: 'remove', Key: 'key-1', SyncCount: 1 }, replace('one-more', 'x')]);
    const dataset = await datasetOf(device, user, 'many');
    assert.equal(dataset.NumRecords, 1024);
  });

  it('1 MB per dataset in UTF-8 bytes of keys and values: exactly 1,048,576 fits, one byte more is refused', async () => {
    const user = await newIdentity(server, poolId);
    const device = user.device();
    // 'é' is two bytes in UTF-8: key 'k' (1) + 524,287 × 2 = 1,048,575 bytes.
    await write(device, user, 'big', [replace('k', 'é'.repeat((MB - 2) / 2))]);
    assert.equal((await datasetOf(device, user, 'big')).DataStorage, MB - 1);
    await write(device, user, 'big', [replace('z', '')]);
    assert.equal((await datasetOf(device, user, 'big')).DataStorage, MB, 'exactly 1 MB is allowed');

    const error = await errorOf(write(device, user, 'big', [replace('y', '')]));
    assert.equal(error.name, 'LimitExceededException');
    assert.match(error.message, /maxDatasetBytes/);
    assert.match(error.message, /at most 1048576 bytes of keys and values; this update would make 1048577/);

    // A removed record keeps its key's bytes (the tombstone), its value's bytes are freed.
    await write(device, user, 'big', [{ Op: 'remove', Key: 'k', SyncCount: 1 }]);
    assert.equal((await datasetOf(device, user, 'big')).DataStorage, 'k'.length + 'z'.length);
  });

  it('one value of the longest allowed length (1,048,575 characters) with a one-character key fills the dataset exactly', async () => {
    const user = await newIdentity(server, poolId);
    const device = user.device();
    await write(device, user, 'full', [replace('k', 'x'.repeat(MB - 1))]);
    assert.equal((await datasetOf(device, user, 'full')).DataStorage, MB);
  });
});

describe('quotas set by a self-hoster', { timeout: 120_000 }, () => {
  let server: TestServer;
  let poolId: string;
  before(async () => {
    server = await startServer({
      args: ['--max-datasets-per-identity', '2', '--max-records-per-dataset', '3'],
      env: { COGNITO_SYNC_MAX_DATASET_BYTES: '10' },
    });
    poolId = await createIdentityPool(server);
  });
  after(async () => {
    await server.dispose();
  });

  it('apply at their own boundaries and name the setting', async () => {
    const user = await newIdentity(server, poolId);
    const device = user.device();
    await write(device, user, 'a', [replace('k1', 'v'), replace('k2', 'v'), replace('k3', 'v')]);
    await write(device, user, 'b', [replace('0123456789', '')]);

    const datasets = await errorOf(write(device, user, 'c', [replace('k', 'v')]));
    assert.equal(datasets.name, 'LimitExceededException');
    assert.match(datasets.message, /at most 2 datasets.*--max-datasets-per-identity/);

    const records = await errorOf(write(device, user, 'a', [replace('k4', 'v')]));
    assert.match(records.message, /at most 3 records.*--max-records-per-dataset/);

    const bytes = await errorOf(write(device, user, 'b', [replace('x', '')]));
    assert.match(bytes.message, /at most 10 bytes of keys and values; this update would make 11.*--max-dataset-bytes/);
  });
});

describe('quotas lowered below what a dataset already holds', { timeout: 60_000 }, () => {
  // Data written under the defaults, then the server restarted with lower quotas (or an import that brought a
  // dataset in above them): a batch that does not grow the dataset is never refused; one that grows it is.
  let first: TestServer;
  let server: TestServer;
  let user: SyncIdentity;
  const lowered = ['--max-records-per-dataset', '3', '--max-dataset-bytes', '20'];
  before(async () => {
    first = await startServer();
    const poolId = await createIdentityPool(first);
    user = await newIdentity(first, poolId);
    // 6 records of 2 + 4 bytes each: 36 bytes, over both lowered quotas.
    await write(first.syncClient(), user, 'over', Array.from({ length: 6 }, (_, i) => replace(`k${i}`, `val${i}`)));
    await first.stop();
    server = await startServer({ dataDir: first.dataDir, developer: first.developer, args: lowered });
  });
  after(async () => {
    await server.dispose();
    // The first run owns the data directory (and schema): disposing it removes them.
    await first.dispose();
  });

  it('a pure removal, a same-size and a shrinking replace are accepted; growth in records or bytes is refused', async () => {
    const client = server.syncClient();
    const removal = await write(client, user, 'over', [{ Op: 'remove', Key: 'k0', SyncCount: 1 }]);
    assert.equal(removal.Records![0]!.Key, 'k0');
    let dataset = await datasetOf(client, user, 'over');
    assert.deepEqual([dataset.NumRecords, dataset.DataStorage], [5, 32], 'still above both quotas, and that is fine');

    await write(client, user, 'over', [replace('k1', 'VAL1', 1)]);
    await write(client, user, 'over', [replace('k2', 'v', 1)]);
    // Two removals and one new key: fewer records and fewer bytes than before the batch.
    await write(client, user, 'over', [{ Op: 'remove', Key: 'k3', SyncCount: 1 }, { Op: 'remove', Key: 'k4', SyncCount: 1 }, replace('n', 'x')]);
    dataset = await datasetOf(client, user, 'over');
    assert.deepEqual([dataset.NumRecords, dataset.DataStorage], [4, 23]);

    const moreRecords = await errorOf(write(client, user, 'over', [replace('extra', '')]));
    assert.equal(moreRecords.name, 'LimitExceededException');
    assert.match(moreRecords.message, /maxRecordsPerDataset.*at most 3 records; this update would make 5/);
    const moreBytes = await errorOf(write(client, user, 'over', [replace('n', 'a much longer value', 5)]));
    assert.equal(moreBytes.name, 'LimitExceededException');
    assert.match(moreBytes.message, /maxDatasetBytes.*this update would make 41/);
    dataset = await datasetOf(client, user, 'over');
    assert.deepEqual([dataset.NumRecords, dataset.DataStorage], [4, 23], 'the refused batches wrote nothing');
  });
});
