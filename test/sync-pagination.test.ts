// MaxResults and NextToken on every Cognito Sync list: ListRecords over more than 1,024 records (live ones
// and tombstones), ListDatasets over 20 datasets, ListIdentityPoolUsage; tokens are opaque, and a forged
// one or one from another listing is refused.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  ListDatasetsCommand,
  ListIdentityPoolUsageCommand,
  ListRecordsCommand,
  type ListRecordsCommandOutput,
  type RecordPatch,
  UpdateRecordsCommand,
} from '@aws-sdk/client-cognito-sync';
import { createIdentityPool, newIdentity, type SyncIdentity } from './helpers/sync-identities.ts';
import { errorOf, startServer, type TestServer } from './helpers/server.ts';
import { SyncDevice } from './helpers/sync-device.ts';

const where = (identity: SyncIdentity, DatasetName: string) => ({ IdentityPoolId: identity.identityPoolId, IdentityId: identity.identityId, DatasetName });

async function write(identity: SyncIdentity, DatasetName: string, RecordPatches: RecordPatch[]) {
  const client = identity.device();
  const { SyncSessionToken } = await client.send(new ListRecordsCommand(where(identity, DatasetName)));
  return client.send(new UpdateRecordsCommand({ ...where(identity, DatasetName), SyncSessionToken, RecordPatches }));
}

async function allPages(identity: SyncIdentity, DatasetName: string, LastSyncCount: number, MaxResults?: number) {
  const pages: ListRecordsCommandOutput[] = [];
  let NextToken: string | undefined;
  do {
    const page = await identity.device().send(new ListRecordsCommand({ ...where(identity, DatasetName), LastSyncCount, MaxResults, NextToken }));
    pages.push(page);
    NextToken = page.NextToken;
  } while (NextToken);
  return pages;
}

describe('pagination', { timeout: 120_000 }, () => {
  let server: TestServer;
  let poolId: string;
  let user: SyncIdentity;
  before(async () => {
    server = await startServer();
    poolId = await createIdentityPool(server);
    user = await newIdentity(server, poolId);
    // 1,024 records at count 1; then 100 removed and 100 added at count 2: 1,124 rows, 1,024 of them live.
    await write(user, 'big', Array.from({ length: 1024 }, (_, i) => ({ Op: 'replace', Key: `k${String(i).padStart(4, '0')}`, Value: `v${i}`, SyncCount: 0 })));
    await write(user, 'big', [
      ...Array.from({ length: 100 }, (_, i): RecordPatch => ({ Op: 'remove', Key: `k${String(i).padStart(4, '0')}`, SyncCount: 1 })),
      ...Array.from({ length: 100 }, (_, i): RecordPatch => ({ Op: 'replace', Key: `new${i}`, Value: `n${i}`, SyncCount: 0 })),
    ]);
  });
  after(async () => {
    await server.dispose();
  });

  it('ListRecords pages through 1,124 records (tombstones included) without loss or repetition, in SyncCount order', async () => {
    for (const maxResults of [undefined, 100, 7]) {
      const pages = await allPages(user, 'big', 0, maxResults);
      const size = maxResults ?? 1024;
      assert.equal(pages.length, Math.ceil(1124 / size), `pages of ${size}`);
      for (const page of pages.slice(0, -1)) assert.equal(page.Count, size);
      const records = pages.flatMap((p) => p.Records!);
      assert.equal(records.length, 1124);
      assert.equal(new Set(records.map((r) => r.Key)).size, 1124, 'no record twice');
      const order = records.map((r) => `${r.SyncCount}:${r.Key}`);
      assert.deepEqual(order, [...order].sort(), 'ordered by SyncCount, then key');
      assert.equal(records.filter((r) => r.Value === undefined).length, 100, 'the 100 tombstones');
      for (const page of pages) {
        assert.equal(page.DatasetSyncCount, 2);
        assert.equal(page.DatasetExists, true);
        assert.equal(typeof page.SyncSessionToken, 'string');
      }
    }
  });

  it('a delta since a count pages too, and a device that pages ends with the whole dataset', async () => {
    const pages = await allPages(user, 'big', 1, 30);
    assert.equal(pages.length, 7);
    const records = pages.flatMap((p) => p.Records!);
    assert.equal(records.length, 200);
    assert.ok(records.every((r) => r.SyncCount === 2));

    const device = new SyncDevice(user.device(), where(user, 'big'));
    await device.pull(250);
    assert.equal(Object.keys(device.values()).length, 1024);
    assert.equal(device.lastSyncCount, 2);
  });

  it('ListDatasets pages through 20 datasets', async () => {
    const owner = await newIdentity(server, poolId);
    const names = Array.from({ length: 20 }, (_, i) => `ds-${String(i).padStart(2, '0')}`);
    for (const name of names) await write(owner, name, [{ Op: 'replace', Key: 'k', Value: 'v', SyncCount: 0 }]);
    const client = owner.device();
    const seen: string[] = [];
    const counts: number[] = [];
    let NextToken: string | undefined;
    do {
      const page = await client.send(new ListDatasetsCommand({ IdentityPoolId: poolId, IdentityId: owner.identityId, MaxResults: 6, NextToken }));
      counts.push(page.Count!);
      seen.push(...page.Datasets!.map((d) => d.DatasetName!));
      NextToken = page.NextToken;
    } while (NextToken);
    assert.deepEqual(counts, [6, 6, 6, 2]);
    assert.deepEqual(seen, names);

    const whole = await client.send(new ListDatasetsCommand({ IdentityPoolId: poolId, IdentityId: owner.identityId }));
    assert.equal(whole.Count, 20);
    assert.equal(whole.NextToken, undefined);
  });

  it('ListIdentityPoolUsage pages through the account\'s pools', async () => {
    await createIdentityPool(server);
    await createIdentityPool(server);
    const client = server.syncClient();
    const seen: string[] = [];
    let NextToken: string | undefined;
    do {
      const page = await client.send(new ListIdentityPoolUsageCommand({ MaxResults: 2, NextToken }));
      assert.equal(page.MaxResults, 2);
      assert.equal(page.Count, page.IdentityPoolUsages!.length);
      seen.push(...page.IdentityPoolUsages!.map((u) => u.IdentityPoolId!));
      NextToken = page.NextToken;
    } while (NextToken);
    assert.equal(seen.length, 3);
    assert.deepEqual(seen, [...seen].sort());
    assert.ok(seen.includes(poolId));
  });

  it('refuses forged tokens, tokens from another listing, and MaxResults below 1', async () => {
    const first = await user.device().send(new ListRecordsCommand({ ...where(user, 'big'), MaxResults: 10 }));
    assert.ok(first.NextToken);
    const other = await newIdentity(server, poolId);

    const attempts = [
      // forged
      () => user.device().send(new ListRecordsCommand({ ...where(user, 'big'), NextToken: 'A'.repeat(80) })),
      () => user.device().send(new ListRecordsCommand({ ...where(user, 'big'), NextToken: 'garbage' })),
      // the same token for another lastSyncCount, dataset, identity, or operation
      () => user.device().send(new ListRecordsCommand({ ...where(user, 'big'), LastSyncCount: 1, NextToken: first.NextToken })),
      () => user.device().send(new ListRecordsCommand({ ...where(user, 'other'), NextToken: first.NextToken })),
      () => server.syncClient().send(new ListRecordsCommand({ ...where(other, 'big'), NextToken: first.NextToken })),
      () => user.device().send(new ListDatasetsCommand({ IdentityPoolId: poolId, IdentityId: user.identityId, NextToken: first.NextToken })),
      () => server.syncClient().send(new ListIdentityPoolUsageCommand({ NextToken: first.NextToken })),
      // the session token is not a page token
      () => user.device().send(new ListRecordsCommand({ ...where(user, 'big'), NextToken: first.SyncSessionToken })),
    ];
    for (const attempt of attempts) {
      const error = await errorOf(attempt());
      assert.equal(error.name, 'InvalidParameterException', error.message);
      assert.equal(error.$metadata.httpStatusCode, 400);
      assert.match(error.message, /NextToken/);
    }

    for (const attempt of [
      () => user.device().send(new ListRecordsCommand({ ...where(user, 'big'), MaxResults: 0 })),
      () => user.device().send(new ListDatasetsCommand({ IdentityPoolId: poolId, IdentityId: user.identityId, MaxResults: -5 })),
      () => server.syncClient().send(new ListIdentityPoolUsageCommand({ MaxResults: 0 })),
    ]) {
      const error = await errorOf(attempt());
      assert.equal(error.name, 'InvalidParameterException');
      assert.match(error.message, /MaxResults/);
    }
  });
});
