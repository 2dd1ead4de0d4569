// The outbox across nodes on one PostgreSQL database: every sync's stream record is delivered exactly once however
// the syncs and the deliveries are spread over the nodes, one dataset's records arrive in SyncCount order, and an
// item claimed by a node that is SIGKILLed mid-delivery is delivered by the other node once the claim's lease
// runs out. Real Kinesis (kinesalite); a TCP gate holds the doomed node's PutRecord so it dies holding a claim.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  type CognitoSyncClient,
  ListRecordsCommand,
  type RecordPatch,
  SetIdentityPoolConfigurationCommand,
  UpdateRecordsCommand,
} from '@aws-sdk/client-cognito-sync';
import { createPool, unauthenticatedIdentity } from './helpers/identity-flows.ts';
import { databaseUrlFor, dropSchema, queryTestDatabase, skipUnlessPostgresPass, testSchemaName } from './helpers/postgres.ts';
import { newDeveloperCredentials, startServer, type TestServer } from './helpers/server.ts';
import { type Gate, type StreamServices, startGate, startStreamServices, streamsEnv } from './helpers/stream-services.ts';

const skip = await skipUnlessPostgresPass();
const STREAM = 'multi-node-events';

async function sync(client: CognitoSyncClient, where: { IdentityPoolId: string; IdentityId: string; DatasetName: string }, RecordPatches: RecordPatch[]) {
  const { SyncSessionToken } = await client.send(new ListRecordsCommand(where));
  return client.send(new UpdateRecordsCommand({ ...where, SyncSessionToken, RecordPatches }));
}

describe('the outbox on two nodes sharing one PostgreSQL database', { skip, timeout: 300_000 }, () => {
  const schema = testSchemaName();
  const databaseUrl = databaseUrlFor(schema);
  const developer = newDeveloperCredentials();
  let services: StreamServices;
  let gate: Gate;
  const nodes: TestServer[] = [];
  const startNode = async (kinesisEndpoint: string) => {
    const node = await startServer({
      developer,
      env: streamsEnv(kinesisEndpoint, services.s3Endpoint),
      args: ['--database-url', databaseUrl, '--outbox-poll-ms', '50', '--outbox-lease-seconds', '2'],
    });
    nodes.push(node);
    return node;
  };
  const enableStreaming = (node: TestServer, IdentityPoolId: string) =>
    node.syncClient().send(
      new SetIdentityPoolConfigurationCommand({
        IdentityPoolId,
        CognitoStreams: { StreamName: STREAM, RoleArn: 'arn:aws:iam::123456789012:role/streams', StreamingStatus: 'ENABLED' },
      }),
    );

  before(async () => {
    services = await startStreamServices();
    await services.createStream(STREAM, 4);
    gate = await startGate(services.kinesisEndpoint);
  });
  after(async () => {
    await Promise.all(nodes.map((node) => node.dispose()));
    await gate?.close();
    await services?.close();
    await dropSchema(schema);
  });

  it('48 syncs from 8 devices alternating between the nodes: 48 stream records, none twice, each dataset in order', async () => {
    const [nodeA, nodeB] = [await startNode(services.kinesisEndpoint), await startNode(services.kinesisEndpoint)];
    const poolId = await createPool(nodeA);
    await enableStreaming(nodeB, poolId);
    const SYNCS_PER_DEVICE = 6;
    const devices = await Promise.all(Array.from({ length: 8 }, () => unauthenticatedIdentity(nodeA, poolId)));
    await Promise.all(
      devices.map(async (device, d) => {
        // Credentials from node A sign requests on either node; each sync goes to the other node than the last.
        const clients = [nodeA.syncClient(device.credentials), nodeB.syncClient(device.credentials)];
        for (let n = 0; n < SYNCS_PER_DEVICE; n++) {
          const where = { IdentityPoolId: poolId, IdentityId: device.identityId, DatasetName: `ds${d % 2}` };
          await sync(clients[(n + d) % 2]!, where, [{ Op: 'replace', Key: `n${n}`, Value: `device ${d} sync ${n}`, SyncCount: 0 }]);
        }
      }),
    );

    const total = devices.length * SYNCS_PER_DEVICE;
    const ofPool = (records: Awaited<ReturnType<StreamServices['readStream']>>) => records.filter((r) => r.data.identityPoolId === poolId);
    const records = ofPool(await services.waitForStream(STREAM, (all) => ofPool(all).length >= total));
    // Nothing late either: by now both outboxes have drained, so no duplicate can still be on its way.
    for (let i = 0; i < 100 && (await queryTestDatabase(`SELECT 1 FROM ${schema}.outbox`)).length > 0; i++) await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(await queryTestDatabase(`SELECT id FROM ${schema}.outbox`), []);
    const final = ofPool(await services.readStream(STREAM));
    assert.equal(final.length, total, 'exactly one stream record per sync');
    assert.equal(records.length, total);

    const seen = new Set(final.map((r) => `${r.data.identityId}/${r.data.datasetName}/${r.data.syncCount}`));
    assert.equal(seen.size, total, 'no (identity, dataset, SyncCount) twice');
    // One identity's records share a shard, so the stream keeps their order: each dataset's counts rise by one.
    for (const device of devices) {
      const counts = final.filter((r) => r.data.identityId === device.identityId).map((r) => r.data.syncCount);
      assert.deepEqual(counts, Array.from({ length: SYNCS_PER_DEVICE }, (_, i) => i + 1));
    }
    await Promise.all([nodeA.stop(), nodeB.stop()]);
  });

  it('a node paused past its lease cannot complete the item the other node now delivers: the key keeps its order', async () => {
    // Node A delivers through gate A, node B through gate B; both shut at first, so each holds its PutRecord.
    const gateA = await startGate(services.kinesisEndpoint);
    const gateB = await startGate(services.kinesisEndpoint);
    const nodeA = await startNode(gateA.endpoint);
    try {
      const poolId = await createPool(nodeA);
      await enableStreaming(nodeA, poolId);
      const device = await unauthenticatedIdentity(nodeA, poolId);
      const where = { IdentityPoolId: poolId, IdentityId: device.identityId, DatasetName: 'ordered' };
      const client = nodeA.syncClient(device.credentials);
      await sync(client, where, [{ Op: 'replace', Key: 'k', Value: 'first', SyncCount: 0 }]);
      await sync(client, where, [{ Op: 'replace', Key: 'k', Value: 'second', SyncCount: 1 }]);
      const rows = () => queryTestDatabase<{ id: number; claimed_by: string | null }>(`SELECT id, claimed_by FROM ${schema}.outbox ORDER BY id`);
      const wait = async (what: string, check: () => Promise<boolean> | boolean) => {
        for (let i = 0; !(await check()); i++) {
          if (i > 400) throw new Error(`timed out waiting for ${what}`);
          await new Promise((r) => setTimeout(r, 25));
        }
      };
      await wait('node A to claim the first record', async () => gateA.connections() > 0 && (await rows())[0]?.claimed_by !== null);
      const [first, second] = await rows();
      assert.ok(first && second, 'both stream records are queued');
      const claimedByA = first.claimed_by!;
      assert.equal(second.claimed_by, null, 'the second waits for the first (one ordering key)');

      // A freezes (a long GC pause, a suspended VM) holding its claim; its lease runs out and B takes the item.
      nodeA.child.kill('SIGSTOP');
      try {
        const nodeB = await startNode(gateB.endpoint);
        await wait('node B to claim the first record', async () => gateB.connections() > 0 && (await rows())[0]?.claimed_by !== claimedByA);
        const claimedByB = (await rows())[0]!.claimed_by!;
        // Kinesis answers A's old PutRecord; A wakes up and tries to record its outcome.
        gateA.open();
        nodeA.child.kill('SIGCONT');
        const lost = () => nodeA.stdout().includes('outbox claim lost before its outcome was recorded');
        await wait("node A's outcome", async () => lost() || (await rows()).length < 2);
        assert.deepEqual(
          (await rows()).map((r) => [r.id, r.claimed_by]),
          [[first.id, claimedByB], [second.id, null]],
          "A's late outcome did not touch B's claim, and the second record still waits",
        );
        assert.ok(lost(), 'node A logged that its claim was lost');

        gateB.open();
        const ofDataset = (records: Awaited<ReturnType<StreamServices['readStream']>>) =>
          records.filter((r) => r.data.identityPoolId === poolId).map((r) => r.data.syncCount as number);
        const counts = ofDataset(await services.waitForStream(STREAM, (all) => ofDataset(all).includes(2)));
        await wait('the outbox to drain', async () => (await rows()).length === 0);
        // At least once: A's late PutRecord may have put the first record there twice, but never after the second.
        assert.deepEqual(counts.filter((c, i) => c !== counts[i - 1]), [1, 2], `stream order ${counts.join(', ')}`);
        await nodeB.stop();
      } finally {
        nodeA.child.kill('SIGCONT');
      }
    } finally {
      await nodeA.stop();
      await gateA.close();
      await gateB.close();
    }
  });

  it('an item claimed by a node that is SIGKILLed mid-delivery is delivered once by the other node after the lease', async () => {
    // Node A reaches Kinesis through the shut gate: it claims the item, sends PutRecord, and waits.
    const nodeA = await startNode(gate.endpoint);
    const poolId = await createPool(nodeA);
    await enableStreaming(nodeA, poolId);
    const device = await unauthenticatedIdentity(nodeA, poolId);
    const before = gate.connections();
    const where = { IdentityPoolId: poolId, IdentityId: device.identityId, DatasetName: 'precious' };
    await sync(nodeA.syncClient(device.credentials), where, [{ Op: 'replace', Key: 'k', Value: 'acknowledged', SyncCount: 0 }]);
    for (let i = 0; gate.connections() === before && i < 400; i++) await new Promise((r) => setTimeout(r, 25));
    assert.ok(gate.connections() > before, 'node A is delivering');
    const claimed = await queryTestDatabase<{ claimed_by: string | null }>(`SELECT claimed_by FROM ${schema}.outbox`);
    assert.equal(claimed.length, 1);
    assert.ok(claimed[0]!.claimed_by, 'the item is claimed by node A');

    await nodeA.kill9();
    // Node B starts after A's claim: it may take the item only once A's lease has run out.
    await startNode(services.kinesisEndpoint);
    const ofPool = (records: Awaited<ReturnType<StreamServices['readStream']>>) => records.filter((r) => r.data.identityPoolId === poolId);
    const [record] = ofPool(await services.waitForStream(STREAM, (all) => ofPool(all).length >= 1));
    assert.deepEqual(
      [record!.data.identityId, record!.data.datasetName, record!.data.syncCount, (record!.data.kinesisSyncRecords as Array<{ value: string }>)[0]!.value],
      [device.identityId, 'precious', 1, 'acknowledged'],
    );
    for (let i = 0; i < 100 && (await queryTestDatabase(`SELECT 1 FROM ${schema}.outbox`)).length > 0; i++) await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(await queryTestDatabase(`SELECT id FROM ${schema}.outbox`), []);
    assert.equal(ofPool(await services.readStream(STREAM)).length, 1, 'delivered once');
  });
});
