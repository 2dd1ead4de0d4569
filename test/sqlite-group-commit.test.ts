// Group commit in the embedded store: sync writes that arrive together share one durable COMMIT. What must
// hold: each write is still all-or-nothing on its own, later writes of a batch see the earlier ones (as if
// committed one after another), a failed COMMIT fails every write of its batch, and every acknowledged
// write survives a kill -9.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ListRecordsCommand, UpdateRecordsCommand } from '@aws-sdk/client-cognito-sync';
import type { SqlRunner } from '../src/store/sql/database.ts';
import { sql } from '../src/store/sql/sql.ts';
import { openSqliteDatabase, type SqliteDatabase } from '../src/store/sqlite/sqlite-database.ts';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import type { RecordPatchInput, SyncQuotas } from '../src/store/store.ts';
import { createPool, unauthenticatedIdentity } from './helpers/identity-flows.ts';
import { startServer, type TestServer } from './helpers/server.ts';
import { makeIdentity, makePool } from './store-contract/stores.ts';

const QUOTAS: SyncQuotas = { maxDatasetsPerIdentity: 20, maxRecordsPerDataset: 1024, maxDatasetBytes: 1024 * 1024 };
const put = (key: string, value: string, syncCount = 0): RecordPatchInput => ({ op: 'replace', key, value, syncCount });
const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'group-commit-'));
  dirs.push(dir);
  return dir;
};
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
const names = (db: SqliteDatabase) =>
  (db.connection.prepare('SELECT name FROM probe ORDER BY name').all() as Array<{ name: string }>).map((r) => r.name);
/** A grouped write, as the store issues UpdateRecords. */
const grouped = (db: SqliteDatabase) => <T>(work: (tx: SqlRunner) => Promise<T>) => db.write(work, { grouped: true });
const insert = (tx: SqlRunner, name: string) => tx.run(sql`INSERT INTO probe (name) VALUES (${name})`);

describe('group commit (SQLite store)', { timeout: 300_000 }, () => {
  it('writes issued together each get their own outcome, in order, and all are there after reopening', async () => {
    const dir = tempDir();
    let store = openSqliteStore(dir);
    const pool = await makePool(store);
    const identity = await makeIdentity(store, pool.identityPoolId);
    const address = (datasetName: string) => ({ identityPoolId: pool.identityPoolId, identityId: identity.identityId, datasetName });
    const update = (datasetName: string, patches: RecordPatchInput[], quotas = QUOTAS) =>
      store.updateRecords(address(datasetName), { patches, modifiedBy: identity.identityId, now: new Date(), quotas });

    // Issued in one turn of the event loop: one batch.
    const results = await Promise.all([
      update('a', [put('k', 'first')]),
      update('a', [put('k', 'second')]), // same key, SyncCount 0 again: the first write of this batch makes it a conflict
      update('b', [put('k', 'b1')]),
      update('c', [put('k', 'x'.repeat(50))], { ...QUOTAS, maxDatasetBytes: 10 }), // over its quota
      update('a', [put('k', 'third', 1)]), // builds on the first write of this very batch
      update('d', [put('k', 'd1')]),
    ]);
    assert.deepEqual(results.map((r) => r.outcome), ['ok', 'conflict', 'ok', 'limit', 'ok', 'ok']);
    await store.close();

    store = openSqliteStore(dir);
    const list = async (datasetName: string) => {
      const result = await store.listRecords(address(datasetName), { lastSyncCount: 0, limit: 10 });
      assert.equal(result.outcome, 'ok');
      return result as Extract<typeof result, { outcome: 'ok' }>;
    };
    const a = await list('a');
    assert.equal(a.dataset?.syncCount, 2);
    assert.deepEqual(a.records.map((r) => [r.key, r.value, r.syncCount]), [['k', 'third', 2]]);
    assert.deepEqual((await list('b')).records.map((r) => r.value), ['b1']);
    assert.equal((await list('c')).dataset, undefined, 'the refused write left nothing behind');
    assert.deepEqual((await list('d')).records.map((r) => r.value), ['d1']);
    await store.close();
  });

  it('a write that throws is undone alone; its neighbours commit', async () => {
    const db = openSqliteDatabase(tempDir());
    db.connection.exec('CREATE TABLE probe (name TEXT PRIMARY KEY)');
    const commit = grouped(db);
    const outcomes = await Promise.allSettled([
      commit(async (tx) => (await insert(tx, 'one'), 1)),
      commit(async (tx) => {
        await insert(tx, 'half-done');
        throw new Error('write failed midway');
      }),
      commit(async (tx) => (await insert(tx, 'three'), 3)),
    ]);
    assert.deepEqual(outcomes.map((o) => (o.status === 'fulfilled' ? o.value : (o.reason as Error).message)), [1, 'write failed midway', 3]);
    assert.deepEqual(names(db), ['one', 'three']);
    await db.close();
  });

  it('keeps savepoint journals in memory, and a failed write of a batch that changed far more than 64 KiB is undone alone', async () => {
    const db = openSqliteDatabase(tempDir());
    // 2 = MEMORY: past 64 KiB of changed pages a transaction's statement journal would otherwise become a file.
    assert.equal((db.connection.prepare('PRAGMA temp_store').get() as { temp_store: number }).temp_store, 2);
    db.connection.exec('CREATE TABLE probe (name TEXT PRIMARY KEY)');
    const commit = grouped(db);
    const bulky = (prefix: string) => async (tx: SqlRunner) => {
      for (let i = 0; i < 50; i++) await insert(tx, `${prefix}${String(i).padStart(2, '0')}${'x'.repeat(2000)}`);
    };
    const outcomes = await Promise.allSettled([
      commit(bulky('a')),
      commit(async (tx) => {
        await bulky('b')(tx);
        throw new Error('failed after 100 KB');
      }),
      commit(bulky('c')),
    ]);
    assert.deepEqual(outcomes.map((o) => o.status), ['fulfilled', 'rejected', 'fulfilled']);
    const kept = names(db);
    assert.equal(kept.length, 100);
    assert.deepEqual([...new Set(kept.map((name) => name[0]))], ['a', 'c']);
    await db.close();
  });

  it('when the shared COMMIT fails, no write of the batch is acknowledged and none is kept', async () => {
    const db = openSqliteDatabase(tempDir());
    // A deferred foreign key is checked only at COMMIT: one orphan row makes the whole COMMIT fail.
    db.connection.exec(`CREATE TABLE probe (name TEXT PRIMARY KEY);
             CREATE TABLE parent (id INTEGER PRIMARY KEY);
             CREATE TABLE child (parent_id INTEGER REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED)`);
    const commit = grouped(db);
    const outcomes = await Promise.allSettled([
      commit((tx) => insert(tx, 'one')),
      commit((tx) => tx.run(sql`INSERT INTO child (parent_id) VALUES (42)`)),
      commit((tx) => insert(tx, 'three')),
    ]);
    assert.deepEqual(outcomes.map((o) => o.status), ['rejected', 'rejected', 'rejected']);
    assert.match(String((outcomes[0] as PromiseRejectedResult).reason), /FOREIGN KEY/);
    assert.equal(db.connection.isTransaction, false);
    assert.deepEqual(names(db), []);
    // The store keeps working: the next batch commits.
    await commit((tx) => insert(tx, 'after'));
    assert.deepEqual(names(db), ['after']);
    await db.close();
  });

  describe('over HTTP', () => {
    let server: TestServer;
    after(() => server?.dispose());

    it('a kill -9 while writes are in flight loses no acknowledged UpdateRecords, and each reads back exactly', async () => {
      server = await startServer();
      const poolId = await createPool(server);
      const writers = await Promise.all(Array.from({ length: 8 }, () => unauthenticatedIdentity(server, poolId)));
      /** Acknowledged writes in all before the kill; every other writer has one in flight at that moment. */
      const KILL_AFTER = 40;
      /** Bound on each writer's loop (it stops at the kill long before). */
      const MAX_WRITES = 200;
      const acknowledged = new Map<string, number>();
      let total = 0;
      let killed: Promise<void> | undefined;
      let inFlightAtKill = 0;
      // Write k of a writer sets `counter` to k and adds `step<k>`; it is acknowledged when the server answers 200.
      const written = (identityId: string, k: number) => `write ${k} by ${identityId}`;
      await Promise.all(
        writers.map(async (writer) => {
          const client = server.syncClient(writer.credentials);
          const dataset = { IdentityPoolId: poolId, IdentityId: writer.identityId, DatasetName: 'durable' };
          acknowledged.set(writer.identityId, 0);
          for (let k = 1; k <= MAX_WRITES; k++) {
            const startedBeforeKill = killed === undefined;
            try {
              // A fresh pull before each push, as a device syncs (and a token is never pushed with twice).
              const { SyncSessionToken } = await client.send(new ListRecordsCommand({ ...dataset, LastSyncCount: k - 1 }));
              await client.send(
                new UpdateRecordsCommand({
                  ...dataset,
                  SyncSessionToken,
                  RecordPatches: [
                    { Op: 'replace', Key: 'counter', Value: written(writer.identityId, k), SyncCount: k - 1 },
                    { Op: 'replace', Key: `step${k}`, Value: written(writer.identityId, k), SyncCount: 0 },
                  ],
                }),
              );
            } catch (error) {
              // Before the kill every write must succeed; after it, this one's outcome is unknown.
              if (killed === undefined) throw error;
              if (startedBeforeKill) inFlightAtKill += 1;
              return;
            }
            acknowledged.set(writer.identityId, k);
            total += 1;
            if (total === KILL_AFTER) killed = server.kill9();
          }
        }),
      );
      await killed;
      assert.ok(killed, 'the server was killed during the load');
      assert.ok(inFlightAtKill > 0, 'the kill landed while writes were in flight');

      server = await startServer({ dataDir: server.dataDir, developer: server.developer });
      for (const writer of writers) {
        const acked = acknowledged.get(writer.identityId)!;
        const listed = await server.syncClient(writer.credentials).send(
          new ListRecordsCommand({ IdentityPoolId: poolId, IdentityId: writer.identityId, DatasetName: 'durable', MaxResults: 1000 }),
        );
        // The write in flight at the kill may have committed or not; nothing acknowledged may be missing.
        const syncCount = listed.DatasetSyncCount!;
        assert.ok(syncCount === acked || syncCount === acked + 1, `${writer.identityId}: ${acked} acknowledged, DatasetSyncCount ${syncCount}`);
        const records = new Map(listed.Records!.map((r) => [r.Key, r]));
        assert.equal(records.size, syncCount + 1, 'the counter and one step per committed write, nothing else');
        assert.equal(records.get('counter')?.Value, written(writer.identityId, syncCount));
        for (let k = 1; k <= syncCount; k++) {
          const step = records.get(`step${k}`);
          assert.equal(step?.Value, written(writer.identityId, k), `${writer.identityId}: step${k} reads back as written`);
          assert.equal(step?.SyncCount, k, `${writer.identityId}: step${k} was written by sync ${k}`);
        }
      }
    });
  });
});
