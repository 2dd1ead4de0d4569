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
