// Store contract: datasets and records (ListRecords, UpdateRecords), dataset metadata, usage, merges, and
// concurrent writers through two handles on the same data (what two nodes are).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { it } from 'node:test';
import type { RecordPatchInput, Store, SyncQuotas } from '../../src/store/store.ts';
import { at, contractSuite, makeIdentity, makePool, newAccountId, newId } from './stores.ts';

const QUOTAS: SyncQuotas = { maxDatasetsPerIdentity: 20, maxRecordsPerDataset: 1024, maxDatasetBytes: 1024 * 1024 };
const T1 = at('2024-07-01T10:00:00.001Z');
const T2 = at('2024-07-01T11:00:00.002Z');
const T3 = at('2024-07-01T12:00:00.003Z');

const put = (key: string, value: string, syncCount = 0, deviceLastModifiedAt?: Date): RecordPatchInput => ({ op: 'replace', key, value, syncCount, deviceLastModifiedAt });
const remove = (key: string, syncCount: number): RecordPatchInput => ({ op: 'remove', key, syncCount });

async function setup(store: Store) {
  const pool = await makePool(store);
  const identity = await makeIdentity(store, pool.identityPoolId);
  const address = (datasetName = 'settings') => ({ identityPoolId: pool.identityPoolId, identityId: identity.identityId, datasetName });
  const update = (patches: RecordPatchInput[], options: { datasetName?: string; now?: Date; by?: string; quotas?: SyncQuotas } = {}) =>
    store.updateRecords(address(options.datasetName), { patches, modifiedBy: options.by ?? identity.identityId, now: options.now ?? T1, quotas: options.quotas ?? QUOTAS });
  const list = (lastSyncCount = 0, options: { datasetName?: string; limit?: number; after?: { syncCount: number; key: string } } = {}) =>
    store.listRecords(address(options.datasetName), { lastSyncCount, limit: options.limit ?? 100, after: options.after });
  return { pool, identity, address, update, list };
}

function ok<T extends { outcome: string }>(result: T): Extract<T, { outcome: 'ok' }> {
  assert.equal(result.outcome, 'ok', `expected ok, got ${JSON.stringify(result)}`);
  return result as Extract<T, { outcome: 'ok' }>;
}

contractSuite('store contract: records', (subject) => {
  it('a first write creates the dataset at SyncCount 1 and stamps every record with it', async () => {
    const { store } = subject();
    const { identity, update } = await setup(store);
    const device = at('2024-06-30T09:00:00.123Z');
    const result = ok(await update([put('a', 'one', 0, device), put('b', 'twö')], { by: 'writer-1' }));
    assert.deepEqual(result.records, [
      { key: 'a', value: 'one', syncCount: 1, lastModifiedAt: T1, lastModifiedBy: 'writer-1', deviceLastModifiedAt: device },
      { key: 'b', value: 'twö', syncCount: 1, lastModifiedAt: T1, lastModifiedBy: 'writer-1' },
    ]);
    assert.deepEqual(result.dataset, {
      identityId: identity.identityId,
      datasetName: 'settings',
      createdAt: T1,
      lastModifiedAt: T1,
      lastModifiedBy: 'writer-1',
      dataStorage: 'a'.length + 'one'.length + 'b'.length + Buffer.byteLength('twö'),
      numRecords: 2,
      syncCount: 1,
    });
  });

  it('ListRecords returns the records above lastSyncCount ordered by (SyncCount, key), with the dataset state', async () => {
    const { store } = subject();
    const { update, list } = await setup(store);
    ok(await update([put('b', '1'), put('a', '1')], { now: T1 }));
    ok(await update([put('c', '2'), put('a', '2', 1)], { now: T2, by: 'dev' }));
    const all = ok(await list(0));
    assert.deepEqual(all.records.map((r) => [r.key, r.value, r.syncCount]), [['b', '1', 1], ['a', '2', 2], ['c', '2', 2]]);
    assert.equal(all.dataset!.syncCount, 2);
    assert.equal(all.dataset!.lastModifiedBy, 'dev');
    assert.deepEqual(all.dataset!.createdAt, T1);
    assert.deepEqual(all.dataset!.lastModifiedAt, T2);
    assert.deepEqual(all.mergedDatasetNames, []);
    assert.equal(all.deletedAfterRequestedSyncCount, false);
    assert.equal(all.nextAfter, undefined);
    const delta = ok(await list(1));
    assert.deepEqual(delta.records.map((r) => r.key), ['a', 'c']);
    assert.deepEqual(ok(await list(2)).records, []);
  });

  it('ListRecords pages by (SyncCount, key) position', async () => {
    const { store } = subject();
    const { update, list } = await setup(store);
    ok(await update([put('k3', 'x'), put('k1', 'x'), put('k2', 'x')]));
    ok(await update([put('k0', 'y'), put('k4', 'y')]));
    const keys: string[] = [];
    let after: { syncCount: number; key: string } | undefined;
    for (let page = 0; page < 10; page++) {
      const result = ok(await list(0, { limit: 2, after }));
      keys.push(...result.records.map((r) => r.key));
      if (!result.nextAfter) break;
      assert.deepEqual(result.nextAfter, { syncCount: result.records.at(-1)!.syncCount, key: result.records.at(-1)!.key });
      after = result.nextAfter;
    }
    assert.deepEqual(keys, ['k1', 'k2', 'k3', 'k0', 'k4']);
  });

  it('a dataset that does not exist lists as ok with no dataset and no records', async () => {
    const { store } = subject();
    const { list } = await setup(store);
    assert.deepEqual(await list(0, { datasetName: 'never' }), { outcome: 'ok', records: [], mergedDatasetNames: [], deletedAfterRequestedSyncCount: false });
  });

  it('lastSyncCount above the dataset count is no-such-sync-count', async () => {
    const { store } = subject();
    const { update, list } = await setup(store);
    ok(await update([put('a', '1')]));
    assert.deepEqual(await list(37), { outcome: 'no-such-sync-count', datasetSyncCount: 1 });
  });

  it('an unknown identity, an identity of another pool and a merged identity are identity-not-found', async () => {
    const { store } = subject();
    const { pool, identity } = await setup(store);
    const otherPool = await makePool(store);
    const stranger = await makeIdentity(store, otherPool.identityPoolId);
    const merged = await makeIdentity(store, pool.identityPoolId);
    await store.mergeIdentities(merged.identityId, identity.identityId, T1);
    const options = { lastSyncCount: 0, limit: 10 };
    const change = { patches: [put('a', '1')], modifiedBy: 'x', now: T1, quotas: QUOTAS };
    for (const identityId of [newId(), stranger.identityId]) {
      const address = { identityPoolId: pool.identityPoolId, identityId, datasetName: 'd' };
      assert.deepEqual(await store.listRecords(address, options), { outcome: 'identity-not-found' });
      assert.deepEqual(await store.updateRecords(address, change), { outcome: 'identity-not-found' });
      assert.deepEqual(await store.describeDataset(address), { outcome: 'identity-not-found' });
      assert.deepEqual(await store.deleteDataset(address, T1), { outcome: 'identity-not-found' });
      assert.deepEqual(await store.listDatasets(pool.identityPoolId, identityId, 10), { outcome: 'identity-not-found' });
      assert.deepEqual(await store.describeIdentityUsage(pool.identityPoolId, identityId), { outcome: 'identity-not-found' });
    }
    const address = { identityPoolId: pool.identityPoolId, identityId: merged.identityId, datasetName: 'd' };
    const mergedAnswer = { outcome: 'identity-not-found', mergedInto: identity.identityId };
    assert.deepEqual(await store.listRecords(address, options), mergedAnswer);
    assert.deepEqual(await store.updateRecords(address, change), mergedAnswer);
    assert.deepEqual(await store.describeDataset(address), mergedAnswer);
    assert.deepEqual(await store.listDatasets(pool.identityPoolId, merged.identityId, 10), mergedAnswer);
  });

  it('a patch with a stale SyncCount refuses the whole batch as a conflict', async () => {
    const { store } = subject();
    const { update, list } = await setup(store);
    ok(await update([put('a', '1'), put('b', '1')]));
    ok(await update([put('a', '2', 1)]));
    assert.deepEqual(await update([put('b', 'new', 1), put('a', 'stale', 1)]), { outcome: 'conflict', key: 'a', current: 2, given: 1 });
    assert.deepEqual(await update([put('c', 'x', 0), put('b', 'x', 0)]), { outcome: 'conflict', key: 'b', current: 1, given: 0 });
    assert.deepEqual(await update([put('a', 'x', 0)]), { outcome: 'conflict', key: 'a', current: 2, given: 0 });
    const state = ok(await list(0));
    assert.equal(state.dataset!.syncCount, 2, 'nothing applied');
    assert.deepEqual(state.records.map((r) => [r.key, r.value]), [['b', '1'], ['a', '2']]);
  });

  it('a patch claiming a SyncCount the dataset never reached is sync-count-ahead', async () => {
    const { store } = subject();
    const { update } = await setup(store);
    assert.deepEqual(await update([put('a', '1', 5)]), { outcome: 'sync-count-ahead', key: 'a', given: 5, datasetSyncCount: 0 });
    ok(await update([put('a', '1')]));
    assert.deepEqual(await update([put('a', '2', 1), put('b', '2', 3)]), { outcome: 'sync-count-ahead', key: 'b', given: 3, datasetSyncCount: 1 });
  });

  it('remove leaves a tombstone (no value, new SyncCount) that counts its key only', async () => {
    const { store } = subject();
    const { update, list } = await setup(store);
    ok(await update([put('gone', 'value'), put('kept', 'v')]));
    const removed = ok(await update([remove('gone', 1)], { now: T2 }));
    assert.deepEqual(removed.records, [{ key: 'gone', syncCount: 2, lastModifiedAt: T2, lastModifiedBy: removed.records[0]!.lastModifiedBy }]);
    assert.equal(removed.dataset.numRecords, 1);
    assert.equal(removed.dataset.dataStorage, 'gone'.length + 'kept'.length + 'v'.length);
    const delta = ok(await list(1));
    assert.equal(delta.records.length, 1);
    assert.equal(delta.records[0]!.key, 'gone');
    assert.equal('value' in delta.records[0]!, false);
    const revived = ok(await update([put('gone', 'back', 2)]));
    assert.equal(revived.dataset.numRecords, 2);
  });

  it('quotas: datasets per identity, records per dataset, bytes per dataset; nothing is applied past one', async () => {
    const { store } = subject();
    const { update, list } = await setup(store);
    const quotas = { maxDatasetsPerIdentity: 2, maxRecordsPerDataset: 3, maxDatasetBytes: 20 };
    ok(await update([put('a', '1')], { datasetName: 'one', quotas }));
    ok(await update([put('a', '1')], { datasetName: 'two', quotas }));
    assert.deepEqual(await update([put('a', '1')], { datasetName: 'three', quotas }), { outcome: 'limit', quota: 'maxDatasetsPerIdentity', limit: 2, wouldBe: 3 });
    assert.deepEqual(await update([put('b', '1'), put('c', '1'), put('d', '1')], { datasetName: 'one', quotas }), {
      outcome: 'limit',
      quota: 'maxRecordsPerDataset',
      limit: 3,
      wouldBe: 4,
    });
    assert.deepEqual(await update([put('b', 'x'.repeat(18))], { datasetName: 'one', quotas }), { outcome: 'limit', quota: 'maxDatasetBytes', limit: 20, wouldBe: 21 });
    assert.equal(ok(await list(0, { datasetName: 'one' })).dataset!.syncCount, 1, 'refused batches changed nothing');
    assert.deepEqual(ok(await list(0, { datasetName: 'three' })).dataset, undefined);
    // Replacing a record with a smaller value and removing one frees room.
    ok(await update([put('a', 'x'.repeat(18), 1)], { datasetName: 'one', quotas }));
    ok(await update([remove('a', 2), put('b', 'y'.repeat(15))], { datasetName: 'one', quotas }));
  });

  it('countSyncSession counts one sync session per call, and listRecords alone counts none', async () => {
    const { store } = subject();
    const { pool, list } = await setup(store);
    assert.equal((await store.describeIdentityPoolUsage(pool.identityPoolId)).syncSessionsCount, 0);
    ok(await list(0));
    assert.equal((await store.describeIdentityPoolUsage(pool.identityPoolId)).syncSessionsCount, 0, 'a listing is a pure read');
    await Promise.all([store.countSyncSession(pool.identityPoolId), store.countSyncSession(pool.identityPoolId)]);
    assert.equal((await store.describeIdentityPoolUsage(pool.identityPoolId)).syncSessionsCount, 2);
  });

  it('countSyncSession: counts made together for several pools each land on their own pool, and one for a deleted pool is dropped', async () => {
    const { store } = subject();
    const first = await makePool(store);
    const second = await makePool(store);
    const gone = await makePool(store);
    await store.deleteIdentityPool(gone.identityPoolId);
    // Issued in one turn, so they may share writes: 37 + 5 counts, interleaved, plus three for the deleted pool.
    const counts: Array<Promise<void>> = [];
    for (let i = 0; i < 37; i++) {
      counts.push(store.countSyncSession(first.identityPoolId));
      if (i % 8 === 0) counts.push(store.countSyncSession(second.identityPoolId));
      if (i % 16 === 0) counts.push(store.countSyncSession(gone.identityPoolId));
    }
    await Promise.all(counts);
    assert.equal((await store.describeIdentityPoolUsage(first.identityPoolId)).syncSessionsCount, 37);
    assert.equal((await store.describeIdentityPoolUsage(second.identityPoolId)).syncSessionsCount, 5);
    // A later count, in a turn of its own, adds to what is there.
    await store.countSyncSession(second.identityPoolId);
    assert.equal((await store.describeIdentityPoolUsage(second.identityPoolId)).syncSessionsCount, 6);
  });
});

contractSuite('store contract: datasets and usage', (subject) => {
  it('describeDataset answers the metadata, or ok without a dataset when there is none', async () => {
    const { store } = subject();
    const { address, update } = await setup(store);
    assert.deepEqual(await store.describeDataset(address()), { outcome: 'ok', dataset: undefined });
    const written = ok(await update([put('a', 'bc')]));
    assert.deepEqual(await store.describeDataset(address()), { outcome: 'ok', dataset: written.dataset });
  });

  it('deleteDataset removes it and returns its last metadata; a recreated dataset continues its count', async () => {
    const { store } = subject();
    const { address, update, list } = await setup(store);
    assert.deepEqual(await store.deleteDataset(address(), T2), { outcome: 'ok' }, 'deleting a missing dataset');
    ok(await update([put('a', '1')]));
    const last = ok(await update([put('b', '1')]));
    assert.deepEqual(await store.deleteDataset(address(), T2), { outcome: 'ok', dataset: last.dataset });
    assert.deepEqual(await store.describeDataset(address()), { outcome: 'ok', dataset: undefined });
    const gone = ok(await list(2));
    assert.equal(gone.dataset, undefined);
    assert.deepEqual(gone.records, []);
    assert.equal(gone.deletedAfterRequestedSyncCount, true, 'a device at count 2 learns the dataset was deleted');
    assert.equal(ok(await list(0)).deletedAfterRequestedSyncCount, false, 'a device that never synced has nothing to purge');

    assert.deepEqual(await update([put('a', 'x', 1)]), { outcome: 'conflict', key: 'a', current: 0, given: 1 }, 'old records are gone');
    const recreated = ok(await update([put('c', '1')], { now: T3 }));
    assert.equal(recreated.dataset.syncCount, 3, 'counts continue above the deleted incarnation');
    assert.deepEqual(recreated.dataset.createdAt, T3);
    const relisted = ok(await list(1));
    assert.equal(relisted.deletedAfterRequestedSyncCount, true, 'lastSyncCount 1 belongs to the deleted incarnation');
    assert.deepEqual(relisted.records.map((r) => r.key), ['c']);
    assert.equal(ok(await list(3)).deletedAfterRequestedSyncCount, false);
  });

  it("listDatasets lists the identity's datasets by name, page by page", async () => {
    const { store } = subject();
    const { pool, identity, update } = await setup(store);
    for (const name of ['b', 'A', 'a.b', 'a_b', 'a-b']) ok(await update([put('k', 'v')], { datasetName: name }));
    const names: string[] = [];
    let after: string | undefined;
    for (let page = 0; page < 10; page++) {
      const result = await store.listDatasets(pool.identityPoolId, identity.identityId, 2, after);
      assert.equal(result.outcome, 'ok');
      if (result.outcome !== 'ok') return;
      names.push(...result.page.items.map((d) => d.datasetName));
      assert.ok(result.page.items.every((d) => d.identityId === identity.identityId && d.syncCount === 1 && d.numRecords === 1));
      if (!result.page.nextAfter) break;
      after = result.page.nextAfter;
    }
    assert.deepEqual(names, ['A', 'a-b', 'a.b', 'a_b', 'b']);
  });

  it('identity usage: dataset count, storage and last change (deletes included)', async () => {
    const { store } = subject();
    const { pool, identity, address, update } = await setup(store);
    assert.deepEqual(await store.describeIdentityUsage(pool.identityPoolId, identity.identityId), {
      outcome: 'ok',
      usage: { datasetCount: 0, dataStorage: 0, lastModifiedAt: undefined },
    });
    ok(await update([put('ab', 'cd')], { datasetName: 'x', now: T1 }));
    ok(await update([put('e', 'f')], { datasetName: 'y', now: T2 }));
    assert.deepEqual(await store.describeIdentityUsage(pool.identityPoolId, identity.identityId), {
      outcome: 'ok',
      usage: { datasetCount: 2, dataStorage: 6, lastModifiedAt: T2 },
    });
    await store.deleteDataset(address('x'), T3);
    assert.deepEqual(await store.describeIdentityUsage(pool.identityPoolId, identity.identityId), {
      outcome: 'ok',
      usage: { datasetCount: 1, dataStorage: 2, lastModifiedAt: T3 },
    });
  });

  it("pool usage: one pool, and an account's pools page by page", async () => {
    const { store } = subject();
    const account = newAccountId();
    const pools = [await makePool(store, account), await makePool(store, account), await makePool(store, account)];
    await makePool(store);
    const identity = await makeIdentity(store, pools[1]!.identityPoolId);
    const address = { identityPoolId: pools[1]!.identityPoolId, identityId: identity.identityId, datasetName: 'd' };
    ok(await store.updateRecords(address, { patches: [put('key', 'value')], modifiedBy: 'x', now: T2, quotas: QUOTAS }));
    ok(await store.listRecords(address, { lastSyncCount: 0, limit: 10 }));
    await store.countSyncSession(address.identityPoolId);

    assert.deepEqual(await store.describeIdentityPoolUsage(pools[1]!.identityPoolId), {
      identityPoolId: pools[1]!.identityPoolId,
      syncSessionsCount: 1,
      dataStorage: 8,
      lastModifiedAt: T2,
    });
    assert.deepEqual(await store.describeIdentityPoolUsage(pools[0]!.identityPoolId), {
      identityPoolId: pools[0]!.identityPoolId,
      syncSessionsCount: 0,
      dataStorage: 0,
      lastModifiedAt: undefined,
    });
    const unknown = newId();
    assert.deepEqual(await store.describeIdentityPoolUsage(unknown), { identityPoolId: unknown, syncSessionsCount: 0, dataStorage: 0 });

    const seen = [];
    let after: string | undefined;
    for (let page = 0; page < 10; page++) {
      const result = await store.listIdentityPoolUsage(account, 2, after);
      seen.push(...result.items);
      if (!result.nextAfter) break;
      after = result.nextAfter;
    }
    assert.deepEqual(seen.map((u) => u.identityPoolId), pools.map((p) => p.identityPoolId).sort((a, b) => (Buffer.from(a) < Buffer.from(b) ? -1 : 1)));
    assert.equal(seen.find((u) => u.identityPoolId === pools[1]!.identityPoolId)!.dataStorage, 8);
  });

  it('merging moves datasets under the survivor as <name>.<fromIdentityId>, records and counts intact', async () => {
    const { store } = subject();
    const { pool, identity: survivor, update } = await setup(store);
    const merged = await makeIdentity(store, pool.identityPoolId);
    const mergedAddress = (datasetName: string) => ({ identityPoolId: pool.identityPoolId, identityId: merged.identityId, datasetName });
    ok(await update([put('mine', '1')], { datasetName: 'settings' }));
    ok(await store.updateRecords(mergedAddress('settings'), { patches: [put('theirs', '1')], modifiedBy: 'm', now: T1, quotas: QUOTAS }));
    ok(await store.updateRecords(mergedAddress('settings'), { patches: [put('theirs', '2', 1)], modifiedBy: 'm', now: T2, quotas: QUOTAS }));
    // The survivor already has a dataset with the name the merge would pick: a numbered name keeps both.
    ok(await update([put('manual', '1')], { datasetName: `notes.${merged.identityId}` }));
    ok(await store.updateRecords(mergedAddress('notes'), { patches: [put('n', '1')], modifiedBy: 'm', now: T1, quotas: QUOTAS }));

    // mergeIdentities is the whole merge: datasets, logins and the merge mark in one transaction.
    await store.mergeIdentities(merged.identityId, survivor.identityId, T3);
    assert.deepEqual(await store.listDatasets(pool.identityPoolId, merged.identityId, 10), { outcome: 'identity-not-found', mergedInto: survivor.identityId });

    const movedName = `settings.${merged.identityId}`;
    const base = ok(await store.listRecords({ identityPoolId: pool.identityPoolId, identityId: survivor.identityId, datasetName: 'settings' }, { lastSyncCount: 0, limit: 10 }));
    assert.deepEqual(base.mergedDatasetNames, [movedName]);
    const moved = ok(await store.listRecords({ identityPoolId: pool.identityPoolId, identityId: survivor.identityId, datasetName: movedName }, { lastSyncCount: 0, limit: 10 }));
    assert.equal(moved.dataset!.syncCount, 2);
    assert.deepEqual(moved.records.map((r) => [r.key, r.value, r.syncCount]), [['theirs', '2', 2]]);
    const listed = await store.listDatasets(pool.identityPoolId, survivor.identityId, 10);
    assert.equal(listed.outcome, 'ok');
    if (listed.outcome !== 'ok') return;
    assert.deepEqual(
      listed.page.items.map((d) => d.datasetName),
      [`notes.${merged.identityId}`, `notes.${merged.identityId}.2`, 'settings', movedName].sort((a, b) => (Buffer.from(a) < Buffer.from(b) ? -1 : 1)),
    );
    const notes = ok(await store.listRecords({ identityPoolId: pool.identityPoolId, identityId: survivor.identityId, datasetName: 'notes' }, { lastSyncCount: 0, limit: 10 }));
    assert.deepEqual(notes.mergedDatasetNames, [`notes.${merged.identityId}.2`]);
  });

  it('merging identities of different pools is refused', async () => {
    const { store } = subject();
    const { pool, identity } = await setup(store);
    const stranger = await makeIdentity(store, (await makePool(store)).identityPoolId);
    ok(await store.updateRecords({ identityPoolId: stranger.identityPoolId, identityId: stranger.identityId, datasetName: 'd' }, { patches: [put('k', 'v')], modifiedBy: 'm', now: T1, quotas: QUOTAS }));
    await assert.rejects(store.mergeIdentities(stranger.identityId, identity.identityId, T1));
    const strangers = await store.listDatasets(stranger.identityPoolId, stranger.identityId, 10);
    assert.deepEqual(strangers.outcome === 'ok' && strangers.page.items.map((d) => d.datasetName), ['d'], 'nothing moved');
  });
});

contractSuite('store contract: concurrent writers through two handles (two nodes)', (subject) => {
  it('16 writers of distinct keys on one dataset: every write lands, SyncCount rises by one per write', async () => {
    const { store, openAnother } = subject();
    const other = await openAnother();
    const { address } = await setup(store);
    const results = await Promise.all(
      Array.from({ length: 16 }, (_, i) =>
        (i % 2 === 0 ? store : other).updateRecords(address(), { patches: [put(`key-${i}`, `value-${i}`)], modifiedBy: `w${i}`, now: T1, quotas: QUOTAS }),
      ),
    );
    const counts = results.map((r) => ok(r).dataset.syncCount).sort((a, b) => a - b);
    assert.deepEqual(counts, Array.from({ length: 16 }, (_, i) => i + 1), 'each write got its own SyncCount');
    const state = ok(await store.listRecords(address(), { lastSyncCount: 0, limit: 100 }));
    assert.equal(state.dataset!.syncCount, 16);
    assert.equal(state.dataset!.numRecords, 16);
    assert.equal(state.records.length, 16);
    for (const record of state.records) assert.equal(record.value, `value-${record.key.slice(4)}`);
  });

  it('16 writers racing on one key: successes equal the final SyncCount and every refusal is a conflict', async () => {
    const { store, openAnother } = subject();
    const other = await openAnother();
    const { address } = await setup(store);
    ok(await store.updateRecords(address(), { patches: [put('hot', 'start')], modifiedBy: 'w', now: T1, quotas: QUOTAS }));
    const results = await Promise.all(
      Array.from({ length: 16 }, (_, i) =>
        (i % 2 === 0 ? store : other).updateRecords(address(), { patches: [put('hot', `v${i}`, 1)], modifiedBy: `w${i}`, now: T2, quotas: QUOTAS }),
      ),
    );
    const wins = results.filter((r) => r.outcome === 'ok');
    assert.equal(wins.length, 1, 'only one writer held SyncCount 1');
    assert.ok(results.every((r) => r.outcome === 'ok' || (r.outcome === 'conflict' && r.current === 2 && r.given === 1)));
    const state = ok(await store.listRecords(address(), { lastSyncCount: 0, limit: 10 }));
    assert.equal(state.dataset!.syncCount, 2);
    assert.equal(state.records[0]!.value, (wins[0] as { records: Array<{ value?: string }> }).records[0]!.value);
  });

  it('racing creations of different datasets cannot overrun the per-identity quota', async () => {
    const { store, openAnother } = subject();
    const other = await openAnother();
    const { address } = await setup(store);
    const quotas = { ...QUOTAS, maxDatasetsPerIdentity: 3 };
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        (i % 2 === 0 ? store : other).updateRecords(address(`ds-${i}`), { patches: [put('k', 'v')], modifiedBy: 'w', now: T1, quotas }),
      ),
    );
    assert.equal(results.filter((r) => r.outcome === 'ok').length, 3);
    assert.ok(results.every((r) => r.outcome === 'ok' || (r.outcome === 'limit' && r.quota === 'maxDatasetsPerIdentity')));
  });

  it('racing first writes of one new dataset both land, one after the other', async () => {
    const { store, openAnother } = subject();
    const other = await openAnother();
    const { address } = await setup(store);
    const [a, b] = await Promise.all([
      store.updateRecords(address('fresh'), { patches: [put('a', '1')], modifiedBy: 'w', now: T1, quotas: QUOTAS }),
      other.updateRecords(address('fresh'), { patches: [put('b', '1')], modifiedBy: 'w', now: T1, quotas: QUOTAS }),
    ]);
    assert.deepEqual([ok(a).dataset.syncCount, ok(b).dataset.syncCount].sort(), [1, 2]);
  });
});

contractSuite('store contract: spent sync sessions', (subject) => {
  const session = (expiresAt = at('2030-01-01T00:00:00.000Z')) => ({ sessionId: `session-${randomUUID()}`, expiresAt });

  it('an accepted UpdateRecords spends its session in its own transaction; a refused one spends nothing; a spent one writes nothing', async () => {
    const { store } = subject();
    const { address, list } = await setup(store);
    const spending = session();
    const write = (patches: RecordPatchInput[], quotas = QUOTAS) =>
      store.updateRecords(address(), { patches, modifiedBy: 'w', now: T1, quotas, syncSession: spending });
    assert.equal(await store.isSyncSessionSpent(spending.sessionId), false);

    assert.deepEqual(await write([put('a', '1', 3)]), { outcome: 'sync-count-ahead', key: 'a', given: 3, datasetSyncCount: 0 });
    assert.equal((await write([put('a', 'too long')], { ...QUOTAS, maxDatasetBytes: 2 })).outcome, 'limit');
    assert.equal(await store.isSyncSessionSpent(spending.sessionId), false, 'refused batches spend nothing');

    ok(await write([put('a', '1')]));
    assert.equal(await store.isSyncSessionSpent(spending.sessionId), true);
    assert.deepEqual(await write([put('b', '1')]), { outcome: 'session-spent' });
    const listed = ok(await list());
    assert.deepEqual([listed.dataset!.syncCount, listed.records.map((r) => r.key)], [1, ['a']], 'the refused write changed nothing');
    // Writes presenting no session, or another one, are unaffected.
    ok(await store.updateRecords(address(), { patches: [put('b', '1')], modifiedBy: 'w', now: T1, quotas: QUOTAS }));
  });

  it('one session pushed through two handles at once: exactly one write lands', async () => {
    const { store, openAnother } = subject();
    const other = await openAnother();
    const { address, list } = await setup(store);
    const racing = session();
    const results = await Promise.all(
      [store, other, store, other].map((handle, i) =>
        handle.updateRecords(address(), { patches: [put(`k${i}`, 'v')], modifiedBy: 'w', now: T1, quotas: QUOTAS, syncSession: racing }),
      ),
    );
    assert.deepEqual(results.map((r) => r.outcome).sort(), ['ok', 'session-spent', 'session-spent', 'session-spent']);
    assert.equal(ok(await list()).dataset!.syncCount, 1);
  });

  it('spent sessions whose tokens expired are forgotten, at most `limit` at a time', async () => {
    const { store } = subject();
    const { identity, pool } = await setup(store);
    const expiring = [at('2031-01-01T00:00:00.000Z'), at('2031-01-01T00:00:01.000Z'), at('2031-01-01T00:00:02.000Z')].map(session);
    for (const [i, spent] of expiring.entries()) {
      const address = { identityPoolId: pool.identityPoolId, identityId: identity.identityId, datasetName: `sweep-${i}` };
      ok(await store.updateRecords(address, { patches: [put('k', 'v')], modifiedBy: 'w', now: T1, quotas: QUOTAS, syncSession: spent }));
    }
    // Rows left by other tests expire in 2030, before these: sweep those first so the counts below are ours.
    while ((await store.deleteExpiredSyncSessions(at('2030-12-31T23:59:59.999Z'), 1000)) > 0);
    assert.equal(await store.deleteExpiredSyncSessions(at('2030-12-31T23:59:59.999Z'), 10), 0);
    assert.equal(await store.deleteExpiredSyncSessions(at('2031-01-01T00:00:01.000Z'), 1), 1, 'at most the limit');
    assert.equal(await store.isSyncSessionSpent(expiring[0]!.sessionId), false, 'the oldest went first');
    assert.equal(await store.isSyncSessionSpent(expiring[1]!.sessionId), true);
    assert.equal(await store.deleteExpiredSyncSessions(at('2031-01-01T00:00:01.000Z'), 10), 1, 'expiring exactly now counts as expired');
    assert.deepEqual(
      await Promise.all(expiring.map((s) => store.isSyncSessionSpent(s.sessionId))),
      [false, false, true],
      'the one still live is kept',
    );
  });
});
