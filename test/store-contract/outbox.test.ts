// Store contract: the outbox (claims as leases, one node per item, oldest-first per ordering key, retries,
// extensions, depth), what UpdateRecords and DeleteDataset queue for Cognito Streams in their own transaction,
// and BulkPublish jobs (start rules, finishing, the pool-wide dataset walk).
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { OutboxEntry, RecordPatchInput, Store, SyncQuotas } from '../../src/store/store.ts';
import {
  BULK_PUBLISH_KIND,
  type BulkPublishPayload,
  STREAM_RECORD_KIND,
  type StreamRecordPayload,
} from '../../src/store/stream-outbox-entries.ts';
import { at, contractSuite, makeIdentity, makePool } from './stores.ts';

const QUOTAS: SyncQuotas = { maxDatasetsPerIdentity: 20, maxRecordsPerDataset: 1024, maxDatasetBytes: 1024 * 1024 };
const T0 = at('2024-09-01T00:00:00.000Z');
const plus = (ms: number, from = T0) => new Date(from.getTime() + ms);
const LEASE = 30_000;
/** Far enough ahead that every lease and backoff has run out. */
const LATER = at('2100-01-01T00:00:00.000Z');

let uniq = 0;
const entry = (orderingKey = `key-${(uniq += 1)}`, payload: unknown = { n: uniq }): OutboxEntry => ({ kind: 'test-kind', orderingKey, payload });

/** Completes every item left by earlier tests, so each test sees only its own. */
async function drain(store: Store) {
  for (let round = 0; ; round++) {
    assert.ok(round < 1000, 'the outbox drains');
    const items = await store.claimOutboxItems('drain', 500, LEASE, LATER);
    if (items.length === 0) return;
    for (const item of items) await store.completeOutboxItem(item);
  }
  // Dead letters left by earlier tests are drained too.
  await store.retryDeadLetters(LATER);
  for (const item of await store.claimOutboxItems('drain', 500, LEASE, LATER)) await store.completeOutboxItem(item);
}

const enableStreams = (store: Store, identityPoolId: string, status: 'ENABLED' | 'DISABLED' = 'ENABLED') =>
  store.updatePoolSyncConfiguration(identityPoolId, (c) => ({
    ...c,
    cognitoStreams: { StreamName: 'stream-1', RoleArn: 'arn:aws:iam::123456789012:role/streams', StreamingStatus: status },
  }));

const put = (key: string, value: string, syncCount = 0, deviceLastModifiedAt?: Date): RecordPatchInput => ({ op: 'replace', key, value, syncCount, deviceLastModifiedAt });

contractSuite('store contract: outbox', (subject) => {
  it('a claimed item is leased to one worker; another worker gets it only after the lease runs out', async () => {
    const { store } = subject();
    await drain(store);
    const id = await store.enqueueOutboxItem(entry('k', { hello: 'wörld', n: [1, 2] }), T0);
    assert.equal(await store.outboxDepth(), 1);

    const [claimed, ...rest] = await store.claimOutboxItems('worker-a', 10, LEASE, T0);
    assert.deepEqual(rest, []);
    assert.equal(typeof claimed!.claimToken, 'string');
    assert.deepEqual(claimed, {
      id,
      claimToken: claimed!.claimToken,
      kind: 'test-kind',
      orderingKey: 'k',
      payload: { hello: 'wörld', n: [1, 2] },
      attempts: 1,
      createdAt: T0,
    });
    assert.deepEqual(await store.claimOutboxItems('worker-b', 10, LEASE, plus(LEASE - 1)), []);

    // worker-a hung: at the end of its lease the item is due again, and counts a second attempt.
    const [reclaimed] = await store.claimOutboxItems('worker-b', 10, LEASE, plus(LEASE));
    assert.deepEqual([reclaimed!.id, reclaimed!.attempts], [id, 2]);
    assert.notEqual(reclaimed!.claimToken, claimed!.claimToken, 'each claim has its own token');
    // The old claim is fenced off: it can neither extend, retry, dead-letter nor complete what worker-b holds.
    assert.equal(await store.extendOutboxClaim(claimed!, LEASE, plus(LEASE)), false);
    assert.equal(await store.retryOutboxItem(claimed!, plus(LEASE), 'late'), false);
    assert.equal(await store.deadLetterOutboxItem(claimed!, 'late', plus(LEASE)), false);
    assert.equal(await store.completeOutboxItem(claimed!), false);
    assert.equal(await store.outboxDepth(), 1, 'the item is still there for worker-b');
    assert.deepEqual(await store.claimOutboxItems('worker-c', 10, LEASE, plus(LEASE + 1)), [], 'and still leased to worker-b');
    assert.equal(await store.completeOutboxItem(reclaimed!), true);
    assert.equal(await store.completeOutboxItem(reclaimed!), false);
    assert.equal(await store.outboxDepth(), 0);
  });

  it('items of one ordering key are handed out one at a time, oldest first; other keys are not held up', async () => {
    const { store } = subject();
    await drain(store);
    const first = await store.enqueueOutboxItem(entry('dataset-1', 1), T0);
    const second = await store.enqueueOutboxItem(entry('dataset-1', 2), T0);
    const other = await store.enqueueOutboxItem(entry('dataset-2', 3), T0);
    const claims = await store.claimOutboxItems('w', 10, LEASE, T0);
    assert.deepEqual(claims.map((i) => i.id), [first, other]);
    // While the first is out (claimed, then waiting for a retry) the second stays back.
    assert.deepEqual(await store.claimOutboxItems('w', 10, LEASE, T0), []);
    assert.equal(await store.retryOutboxItem(claims[0]!, plus(5_000), 'stream throttled'), true);
    assert.deepEqual(await store.claimOutboxItems('w', 10, LEASE, plus(4_999)), []);
    const [retried] = await store.claimOutboxItems('w', 10, LEASE, plus(5_000));
    assert.deepEqual([retried!.id, retried!.attempts], [first, 2]);
    await store.completeOutboxItem(retried!);
    await store.completeOutboxItem(claims[1]!);
    const [last] = await store.claimOutboxItems('w', 10, LEASE, plus(5_000));
    assert.equal(last!.id, second);
    await store.completeOutboxItem(last!);
  });

  it('claims respect the limit and hand out items in id order', async () => {
    const { store } = subject();
    await drain(store);
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) ids.push(await store.enqueueOutboxItem(entry(), T0));
    assert.deepEqual((await store.claimOutboxItems('w', 3, LEASE, T0)).map((i) => i.id), ids.slice(0, 3));
    assert.deepEqual((await store.claimOutboxItems('w', 3, LEASE, T0)).map((i) => i.id), ids.slice(3));
    assert.equal(await store.outboxDepth(), 5);
    await drain(store);
  });

  it('extending a claim keeps the item away from other workers and can record progress in the payload', async () => {
    const { store } = subject();
    await drain(store);
    const id = await store.enqueueOutboxItem(entry('job', { step: 0 }), T0);
    const [owned] = await store.claimOutboxItems('owner', 1, LEASE, T0);
    assert.equal(await store.extendOutboxClaim(owned!, LEASE, plus(LEASE - 1), { step: 1 }), true);
    assert.deepEqual(await store.claimOutboxItems('thief', 1, LEASE, plus(LEASE + 1)), []);
    assert.equal(await store.extendOutboxClaim({ id, claimToken: 'guessed' }, LEASE, plus(LEASE + 1)), false);
    // A retry may record progress too; the next claim (any worker) starts from it.
    assert.equal(await store.retryOutboxItem(owned!, plus(LEASE), 'shutting down', { step: 2 }), true);
    const [again] = await store.claimOutboxItems('next', 1, LEASE, plus(LEASE));
    assert.deepEqual([again!.id, again!.payload, again!.attempts], [id, { step: 2 }, 2]);
    assert.equal(await store.extendOutboxClaim(owned!, LEASE, plus(LEASE)), false, 'the released claim is spent');
    await store.completeOutboxItem(again!);
  });

  it('a claim the same worker takes again after its lease ran out is a new claim: the old one is fenced off', async () => {
    const { store } = subject();
    await drain(store);
    const id = await store.enqueueOutboxItem(entry(), T0);
    const [first] = await store.claimOutboxItems('node-a', 1, LEASE, T0);
    const [second] = await store.claimOutboxItems('node-a', 1, LEASE, plus(LEASE));
    assert.equal(second!.id, id);
    assert.equal(await store.completeOutboxItem(first!), false, 'the worker name alone proves nothing');
    assert.equal(await store.completeOutboxItem(second!), true);
  });

  it('a dead letter is kept, claimed no more, holds back its ordering key, is counted and listed, and can be retried', async () => {
    const { store } = subject();
    await drain(store);
    const poisoned = await store.enqueueOutboxItem({ kind: 'kind-a', orderingKey: 'dl-key', payload: { n: 1 } }, T0);
    const behind = await store.enqueueOutboxItem({ kind: 'kind-a', orderingKey: 'dl-key', payload: { n: 2 } }, T0);
    const elsewhere = await store.enqueueOutboxItem({ kind: 'kind-b', orderingKey: 'other-key', payload: { n: 3 } }, T0);
    const claimed = await store.claimOutboxItems('w', 10, LEASE, T0);
    assert.deepEqual(claimed.map((i) => i.id), [poisoned, elsewhere]);
    const deadAt = plus(1_000);
    assert.equal(await store.deadLetterOutboxItem(claimed[0]!, 'Kinesis unreachable', deadAt), true);
    assert.equal(await store.deadLetterOutboxItem(claimed[0]!, 'again', deadAt), false, 'the claim ended with it');

    const afterLeases = await store.claimOutboxItems('w', 10, LEASE, LATER);
    assert.deepEqual(afterLeases.map((i) => i.id), [elsewhere], 'neither the dead letter nor the item behind it; the other key is not held up');
    assert.deepEqual(await store.outboxDepthByKind(), [
      { kind: 'kind-a', pending: 1, deadLetters: 1 },
      { kind: 'kind-b', pending: 1, deadLetters: 0 },
    ]);
    assert.equal(await store.outboxDepth(), 3);
    assert.deepEqual(await store.listDeadLetters(10), [
      { id: poisoned, kind: 'kind-a', orderingKey: 'dl-key', payload: { n: 1 }, attempts: 1, createdAt: T0, deadAt, lastError: 'Kinesis unreachable' },
    ]);
    assert.deepEqual(await store.listDeadLetters(0), []);

    assert.equal(await store.retryDeadLetters(plus(2_000), [elsewhere]), 0, 'only dead letters are retried');
    assert.equal(await store.retryDeadLetters(plus(2_000), []), 0);
    assert.equal(await store.retryDeadLetters(plus(2_000)), 1);
    assert.deepEqual(await store.listDeadLetters(10), []);
    const [again] = await store.claimOutboxItems('w', 10, LEASE, plus(2_000));
    assert.deepEqual([again!.id, again!.attempts], [poisoned, 1], 'due at once, attempts counted afresh');
    assert.deepEqual(await store.outboxDepthByKind(), [{ kind: 'kind-a', pending: 2, deadLetters: 0 }, { kind: 'kind-b', pending: 1, deadLetters: 0 }]);
    await store.completeOutboxItem(again!);
    const [next] = await store.claimOutboxItems('w', 10, LEASE, plus(2_000));
    assert.equal(next!.id, behind, 'its key moves again once it is delivered');
    await store.completeOutboxItem(next!);
    await store.completeOutboxItem(afterLeases[0]!);
    assert.deepEqual(await store.outboxDepthByKind(), []);
  });

  it('retryDeadLetters with ids retries just those', async () => {
    const { store } = subject();
    await drain(store);
    const ids = [await store.enqueueOutboxItem(entry(), T0), await store.enqueueOutboxItem(entry(), T0)];
    for (const item of await store.claimOutboxItems('w', 10, LEASE, T0)) await store.deadLetterOutboxItem(item, 'failed', T0);
    assert.equal(await store.retryDeadLetters(T0, [ids[1]!]), 1);
    assert.deepEqual((await store.listDeadLetters(10)).map((d) => d.id), [ids[0]]);
    assert.deepEqual((await store.claimOutboxItems('w', 10, LEASE, T0)).map((i) => i.id), [ids[1]]);
    await drain(store);
  });

  it('two handles claiming at once (two nodes) never get the same item', async () => {
    const { store, openAnother } = subject();
    await drain(store);
    const other = await openAnother();
    const ids = new Set<number>();
    for (let i = 0; i < 60; i++) ids.add(await store.enqueueOutboxItem(entry(), T0));
    const seen: number[] = [];
    const claimLoop = async (handle: Store, worker: string) => {
      for (let round = 0; ; round++) {
        assert.ok(round <= 60, 'sixty items are claimed in at most sixty rounds');
        const items = await handle.claimOutboxItems(worker, 4, LEASE, T0);
        if (items.length === 0) return;
        for (const item of items) seen.push(item.id);
      }
    };
    await Promise.all([claimLoop(store, 'a1'), claimLoop(other, 'b1'), claimLoop(store, 'a2'), claimLoop(other, 'b2')]);
    assert.equal(seen.length, ids.size, 'every item claimed exactly once');
    assert.deepEqual(new Set(seen), ids);
    await drain(store);
  });
});

contractSuite('store contract: what syncs queue for Cognito Streams', (subject) => {
  async function setup(store: Store) {
    const pool = await makePool(store);
    const identity = await makeIdentity(store, pool.identityPoolId);
    const address = { identityPoolId: pool.identityPoolId, identityId: identity.identityId, datasetName: 'stats' };
    const update = (patches: RecordPatchInput[], now = T0) => store.updateRecords(address, { patches, modifiedBy: identity.identityId, now, quotas: QUOTAS });
    return { pool, identity, address, update };
  }

  it('UpdateRecords queues nothing while streaming is off, and one stream entry per sync once it is ENABLED', async () => {
    const { store } = subject();
    await drain(store);
    const { pool, identity, update } = await setup(store);
    const first = await update([put('level', '1')]);
    assert.equal(first.outcome, 'ok');
    assert.ok(!(first as { outboxed?: boolean }).outboxed);
    await enableStreams(store, pool.identityPoolId, 'DISABLED');
    assert.ok(!((await update([put('level', '2', 1)])) as { outboxed?: boolean }).outboxed);
    assert.equal(await store.outboxDepth(), 0);

    await enableStreams(store, pool.identityPoolId);
    const device = at('2024-08-31T23:59:59.123Z');
    const T1 = plus(1_000);
    const written = await update([put('level', '3', 2, device), { op: 'remove', key: 'gone', syncCount: 0 }, put('score', 'x'), put('score', 'y')], T1);
    assert.equal(written.outcome, 'ok');
    assert.equal((written as { outboxed?: boolean }).outboxed, true);
    const [item, ...none] = await store.claimOutboxItems('w', 10, LEASE, T1);
    assert.deepEqual(none, []);
    assert.equal(item!.kind, STREAM_RECORD_KIND);
    const expected: StreamRecordPayload = {
      identityPoolId: pool.identityPoolId,
      identityId: identity.identityId,
      datasetName: 'stats',
      operation: 'replace',
      syncCount: 3,
      lastModifiedAt: T1.getTime(),
      records: [
        { key: 'level', value: '3', syncCount: 3, lastModifiedAt: T1.getTime(), deviceLastModifiedAt: device.getTime() },
        { key: 'gone', syncCount: 3, lastModifiedAt: T1.getTime() },
        // A key patched twice in one batch is streamed as stored: its last patch.
        { key: 'score', value: 'y', syncCount: 3, lastModifiedAt: T1.getTime() },
      ],
    };
    assert.deepEqual(item!.payload, expected);
    await store.completeOutboxItem(item!);
  });

  it('a refused sync (conflict, quota) queues nothing', async () => {
    const { store } = subject();
    await drain(store);
    const { pool, update } = await setup(store);
    await enableStreams(store, pool.identityPoolId);
    assert.equal((await update([put('a', '1')])).outcome, 'ok');
    assert.equal(await store.outboxDepth(), 1);
    assert.equal((await update([put('a', 'stale', 0)])).outcome, 'conflict');
    assert.equal((await update([put('b', 'x'.repeat(QUOTAS.maxDatasetBytes))])).outcome, 'limit');
    assert.equal(await store.outboxDepth(), 1);
    await drain(store);
  });

  it("DeleteDataset queues a 'remove' entry with the deleted dataset's count, ordered after the dataset's syncs", async () => {
    const { store } = subject();
    await drain(store);
    const { pool, identity, address, update } = await setup(store);
    await enableStreams(store, pool.identityPoolId);
    await update([put('a', '1')]);
    await update([put('a', '2', 1)]);
    const T9 = plus(9_000);
    const deleted = await store.deleteDataset(address, T9);
    assert.equal((deleted as { outboxed?: boolean }).outboxed, true);
    const payloads: unknown[] = [];
    for (let round = 0; ; round++) {
      assert.ok(round <= 3, 'three items, one at a time');
      const items = await store.claimOutboxItems('w', 10, LEASE, T9);
      if (items.length === 0) break;
      assert.equal(items.length, 1, 'one dataset: one item at a time');
      payloads.push(items[0]!.payload);
      await store.completeOutboxItem(items[0]!);
    }
    assert.deepEqual(payloads.map((p) => [(p as StreamRecordPayload).operation, (p as StreamRecordPayload).syncCount]), [['replace', 1], ['replace', 2], ['remove', 2]]);
    assert.deepEqual(payloads[2], {
      identityPoolId: pool.identityPoolId,
      identityId: identity.identityId,
      datasetName: 'stats',
      operation: 'remove',
      syncCount: 2,
      lastModifiedAt: T9.getTime(),
      records: [],
    });
  });
});

contractSuite('store contract: BulkPublish jobs', (subject) => {
  const DAY = 24 * 60 * 60 * 1000;

  it('NOT_STARTED, refused while streaming is off, then IN_PROGRESS with its job queued in the same step', async () => {
    const { store } = subject();
    await drain(store);
    const pool = await makePool(store);
    assert.deepEqual(await store.getBulkPublishDetails(pool.identityPoolId), { identityPoolId: pool.identityPoolId, status: 'NOT_STARTED' });
    assert.deepEqual(await store.startBulkPublish(pool.identityPoolId, T0), { outcome: 'streaming-disabled' });
    await enableStreams(store, pool.identityPoolId, 'DISABLED');
    assert.deepEqual(await store.startBulkPublish(pool.identityPoolId, T0), { outcome: 'streaming-disabled' });
    assert.deepEqual(await store.getBulkPublishDetails(pool.identityPoolId), { identityPoolId: pool.identityPoolId, status: 'NOT_STARTED' });
    assert.equal(await store.outboxDepth(), 0);

    await enableStreams(store, pool.identityPoolId);
    const started = await store.startBulkPublish(pool.identityPoolId, T0);
    assert.deepEqual(started, { outcome: 'started', details: { identityPoolId: pool.identityPoolId, status: 'IN_PROGRESS', startedAt: T0 } });
    const [job] = await store.claimOutboxItems('w', 10, LEASE, T0);
    assert.equal(job!.kind, BULK_PUBLISH_KIND);
    assert.deepEqual(job!.payload, { identityPoolId: pool.identityPoolId, startedAt: T0.getTime() } satisfies BulkPublishPayload);
    assert.deepEqual(await store.startBulkPublish(pool.identityPoolId, plus(1)), {
      outcome: 'in-progress',
      details: { identityPoolId: pool.identityPoolId, status: 'IN_PROGRESS', startedAt: T0, completedAt: undefined, failureMessage: undefined },
    });
    await store.completeOutboxItem(job!);
  });

  it('one success per 24 hours; a failure may be retried at once; finishing names the job it ends', async () => {
    const { store } = subject();
    await drain(store);
    const pool = await makePool(store);
    const id = pool.identityPoolId;
    await enableStreams(store, id);
    assert.equal((await store.startBulkPublish(id, T0)).outcome, 'started');
    assert.equal(await store.finishBulkPublish(id, plus(-1), { status: 'SUCCEEDED' }, plus(10)), false, 'another job');
    assert.equal(await store.finishBulkPublish(id, T0, { status: 'FAILED', failureMessage: 'stream gone' }, plus(10)), true);
    assert.equal(await store.finishBulkPublish(id, T0, { status: 'SUCCEEDED' }, plus(11)), false, 'already ended');
    assert.deepEqual(await store.getBulkPublishDetails(id), { identityPoolId: id, status: 'FAILED', startedAt: T0, completedAt: undefined, failureMessage: 'stream gone' });

    const T1 = plus(20);
    assert.equal((await store.startBulkPublish(id, T1)).outcome, 'started');
    const done = plus(30);
    assert.equal(await store.finishBulkPublish(id, T1, { status: 'SUCCEEDED' }, done), true);
    assert.deepEqual(await store.getBulkPublishDetails(id), { identityPoolId: id, status: 'SUCCEEDED', startedAt: T1, completedAt: done, failureMessage: undefined });
    const refused = await store.startBulkPublish(id, plus(DAY - 1, done));
    assert.equal(refused.outcome, 'already-streamed');
    assert.equal(await store.outboxDepth(), 2, 'the two jobs started so far, nothing for the refused one');
    assert.equal((await store.startBulkPublish(id, plus(DAY, done))).outcome, 'started');
    await drain(store);
  });

  it('two BulkPublish calls at once through two handles: exactly one starts', async () => {
    const { store, openAnother } = subject();
    await drain(store);
    const other = await openAnother();
    const pool = await makePool(store);
    await enableStreams(store, pool.identityPoolId);
    const outcomes = await Promise.all([
      store.startBulkPublish(pool.identityPoolId, T0),
      other.startBulkPublish(pool.identityPoolId, T0),
      store.startBulkPublish(pool.identityPoolId, T0),
      other.startBulkPublish(pool.identityPoolId, T0),
    ]);
    assert.deepEqual(outcomes.map((o) => o.outcome).sort(), ['in-progress', 'in-progress', 'in-progress', 'started']);
    assert.equal(await store.outboxDepth(), 1);
    await drain(store);
  });

  it('the pool-wide dataset walk pages by (identity, dataset) with every record, tombstones included, and only this pool', async () => {
    const { store } = subject();
    const pool = await makePool(store);
    const otherPool = await makePool(store);
    const identities = [await makeIdentity(store, pool.identityPoolId), await makeIdentity(store, pool.identityPoolId)].sort((a, b) =>
      a.identityId < b.identityId ? -1 : 1,
    );
    const stranger = await makeIdentity(store, otherPool.identityPoolId);
    const write = (identityId: string, identityPoolId: string, datasetName: string, patches: RecordPatchInput[]) =>
      store.updateRecords({ identityPoolId, identityId, datasetName }, { patches, modifiedBy: identityId, now: T0, quotas: QUOTAS });
    await write(identities[0]!.identityId, pool.identityPoolId, 'b', [put('k2', 'v'), put('k1', 'v')]);
    await write(identities[0]!.identityId, pool.identityPoolId, 'a', [put('x', '1')]);
    await write(identities[0]!.identityId, pool.identityPoolId, 'a', [{ op: 'remove', key: 'x', syncCount: 1 }, put('y', '2')]);
    await write(identities[1]!.identityId, pool.identityPoolId, 'a', [put('z', '3')]);
    await write(stranger.identityId, otherPool.identityPoolId, 'a', [put('secret', 's')]);

    const walked: Array<[string, string, number, Array<[string, string | undefined, number]>]> = [];
    let after: { identityId: string; datasetName: string } | undefined;
    for (let page = 0; page < 10; page++) {
      const result = await store.listPoolDatasetsWithRecords(pool.identityPoolId, 2, after);
      for (const { dataset, records } of result.items) {
        walked.push([dataset.identityId, dataset.datasetName, dataset.syncCount, records.map((r) => [r.key, r.value, r.syncCount])]);
      }
      if (!result.nextAfter) break;
      after = result.nextAfter;
    }
    assert.deepEqual(walked, [
      [identities[0]!.identityId, 'a', 2, [['x', undefined, 2], ['y', '2', 2]]],
      [identities[0]!.identityId, 'b', 1, [['k1', 'v', 1], ['k2', 'v', 1]]],
      [identities[1]!.identityId, 'a', 1, [['z', '3', 1]]],
    ]);
    assert.deepEqual(await store.listPoolDatasetsWithRecords(makePoolId(), 5), { items: [], nextAfter: undefined });
  });
});

const makePoolId = () => 'us-east-1:00000000-0000-0000-0000-000000000000';
