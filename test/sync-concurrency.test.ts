// Racing writers on one dataset: UpdateRecords is one atomic transaction, so no update is lost, no two
// successful syncs share a count, and every refused write is a 409 the writer can recover from.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ListRecordsCommand, UpdateRecordsCommand } from '@aws-sdk/client-cognito-sync';
import { createIdentityPool, newIdentity, type SyncIdentity } from './helpers/sync-identities.ts';
import { startServer, type TestServer } from './helpers/server.ts';

const WRITERS = 16;

describe('concurrent writers on one dataset', { timeout: 120_000 }, () => {
  let server: TestServer;
  before(async () => {
    server = await startServer();
  });
  after(async () => {
    await server.dispose();
  });

  it(`${WRITERS} devices increment one shared counter: DatasetSyncCount ends at the number of successful writes, every failure a 409`, async () => {
    const pool = await createIdentityPool(server);
    const user: SyncIdentity = await newIdentity(server, pool);
    const where = { IdentityPoolId: pool, IdentityId: user.identityId, DatasetName: 'race' };
    const successes: number[] = [];
    const failures: Array<{ name: string; status?: number; message: string }> = [];

    // Every writer pulls, then pushes "counter + 1" together with its own key, retrying on conflict until it
    // lands. All start together, so their first pushes race on the same SyncCount.
    const writer = async (i: number) => {
      const device = user.device();
      // Each refusal means another writer landed in between, and each lands once: WRITERS attempts at most.
      for (let attempt = 1; ; attempt++) {
        assert.ok(attempt <= WRITERS, `writer ${i} lands within ${WRITERS} attempts`);
        const pulled = await device.send(new ListRecordsCommand({ ...where, LastSyncCount: 0 }));
        const counter = pulled.Records!.find((r) => r.Key === 'counter');
        const mine = pulled.Records!.find((r) => r.Key === `writer-${i}`);
        try {
          const { Records } = await device.send(
            new UpdateRecordsCommand({
              ...where,
              SyncSessionToken: pulled.SyncSessionToken,
              RecordPatches: [
                { Op: 'replace', Key: 'counter', Value: String(Number(counter?.Value ?? '0') + 1), SyncCount: counter?.SyncCount ?? 0 },
                { Op: 'replace', Key: `writer-${i}`, Value: `written by ${i}`, SyncCount: mine?.SyncCount ?? 0 },
              ],
            }),
          );
          const counts = new Set(Records!.map((r) => r.SyncCount));
          assert.equal(counts.size, 1, 'one sync stamps every record it writes with one count');
          const [count] = counts;
          assert.equal(count, pulled.DatasetSyncCount! + 1, 'a successful push lands exactly one above the count it pulled');
          successes.push(count!);
          return;
        } catch (error) {
          const e = error as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
          failures.push({ name: e.name, status: e.$metadata?.httpStatusCode, message: e.message });
          if (e.name !== 'ResourceConflictException') throw error;
        }
      }
    };
    await Promise.all(Array.from({ length: WRITERS }, (_, i) => writer(i)));

    const final = await user.device().send(new ListRecordsCommand({ ...where, LastSyncCount: 0 }));
    const values = Object.fromEntries(final.Records!.map((r) => [r.Key, r.Value]));
    assert.equal(successes.length, WRITERS);
    assert.equal(final.DatasetSyncCount, successes.length, 'DatasetSyncCount equals the number of successful writes');
    assert.deepEqual(
      [...successes].sort((a, b) => a - b),
      Array.from({ length: WRITERS }, (_, i) => i + 1),
      'no two successful writes share a count, and none is skipped',
    );
    assert.equal(values.counter, String(WRITERS), 'no increment was lost');
    for (let i = 0; i < WRITERS; i += 1) assert.equal(values[`writer-${i}`], `written by ${i}`);
    for (const failure of failures) {
      assert.equal(failure.name, 'ResourceConflictException');
      assert.equal(failure.status, 409);
      assert.match(failure.message, /^Current SyncCount for: counter is: \d+ not: \d+$/);
    }
    assert.ok(failures.length > 0, 'the writers did race (some first pushes were refused)');
  });
});
