// BulkPublish and GetBulkPublishDetails end to end (reference: "Cognito Streams and BulkPublish"): developer
// only, asynchronous (NOT_STARTED → IN_PROGRESS → SUCCEEDED with BulkPublishCompleteTime), every existing dataset
// of the pool on a real Kinesis stream (kinesalite; the largest through a real S3, s3rver), one job at a time
// (DuplicateRequestException), one success per 24 hours (AlreadyStreamedException), refused while streaming is
// DISABLED, FAILED with a FailureMessage when the stream does not exist. A gate in front of kinesalite holds the
// job's first PutRecords, so IN_PROGRESS is observed without timing.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  BulkPublishCommand,
  type CognitoSyncClient,
  GetBulkPublishDetailsCommand,
  type GetBulkPublishDetailsCommandOutput,
  ListRecordsCommand,
  type RecordPatch,
  SetIdentityPoolConfigurationCommand,
  UpdateRecordsCommand,
} from '@aws-sdk/client-cognito-sync';
import { createIdentityPool, newIdentity, type SyncIdentity } from './helpers/sync-identities.ts';
import { errorOf, startServer, type TestServer } from './helpers/server.ts';
import { type Gate, type StreamServices, startGate, startStreamServices, streamsEnv } from './helpers/stream-services.ts';

const STREAM = 'bulk-events';
const BUCKET = 'bulk-payloads';
const ROLE = 'arn:aws:iam::123456789012:role/CognitoStreamsPublisher';

async function sync(client: CognitoSyncClient, user: SyncIdentity, DatasetName: string, RecordPatches: RecordPatch[]) {
  const where = { IdentityPoolId: user.identityPoolId, IdentityId: user.identityId, DatasetName };
  const { SyncSessionToken } = await client.send(new ListRecordsCommand(where));
  return client.send(new UpdateRecordsCommand({ ...where, SyncSessionToken, RecordPatches }));
}

describe('BulkPublish', { timeout: 300_000 }, () => {
  let services: StreamServices;
  let gate: Gate;
  let server: TestServer;

  const setStreams = (IdentityPoolId: string, StreamName: string, StreamingStatus: 'ENABLED' | 'DISABLED') =>
    server.syncClient().send(new SetIdentityPoolConfigurationCommand({ IdentityPoolId, CognitoStreams: { StreamName, RoleArn: ROLE, StreamingStatus } }));
  const details = (IdentityPoolId: string) => server.syncClient().send(new GetBulkPublishDetailsCommand({ IdentityPoolId }));
  async function detailsOnceNot(IdentityPoolId: string, status: string): Promise<GetBulkPublishDetailsCommandOutput> {
    for (let i = 0; ; i++) {
      const got = await details(IdentityPoolId);
      if (got.BulkPublishStatus !== status || i > 600) return got;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  before(async () => {
    services = await startStreamServices();
    await services.createStream(STREAM, 2);
    await services.createBucket(BUCKET);
    gate = await startGate(services.kinesisEndpoint);
    server = await startServer({
      env: streamsEnv(gate.endpoint, services.s3Endpoint),
      args: ['--streams-s3-bucket', BUCKET, '--outbox-poll-ms', '50'],
    });
  });
  after(async () => {
    await server?.dispose();
    await gate?.close();
    await services?.close();
  });

  it('is for developer credentials only: identity credentials get 403 NotAuthorizedException', async () => {
    const poolId = await createIdentityPool(server);
    const user = await newIdentity(server, poolId);
    for (const command of [new BulkPublishCommand({ IdentityPoolId: poolId }), new GetBulkPublishDetailsCommand({ IdentityPoolId: poolId })]) {
      const error = await errorOf(user.device().send(command as BulkPublishCommand));
      assert.equal(error.name, 'NotAuthorizedException');
      assert.equal(error.$metadata.httpStatusCode, 403);
    }
    assert.equal((await details(poolId)).BulkPublishStatus, 'NOT_STARTED');
  });

  it('is refused while streaming is not ENABLED, and an unknown pool is ResourceNotFoundException', async () => {
    const poolId = await createIdentityPool(server);
    const never = await errorOf(server.syncClient().send(new BulkPublishCommand({ IdentityPoolId: poolId })));
    assert.equal(never.name, 'InvalidParameterException');
    assert.equal(never.$metadata.httpStatusCode, 400);
    assert.match(never.message, /Cognito Streams is not enabled/);
    await setStreams(poolId, STREAM, 'DISABLED');
    assert.equal((await errorOf(server.syncClient().send(new BulkPublishCommand({ IdentityPoolId: poolId })))).name, 'InvalidParameterException');
    assert.deepEqual(
      { ...(await details(poolId)), $metadata: undefined },
      { $metadata: undefined, IdentityPoolId: poolId, BulkPublishStatus: 'NOT_STARTED' },
    );
    const unknown = await errorOf(server.syncClient().send(new BulkPublishCommand({ IdentityPoolId: 'us-east-1:00000000-0000-0000-0000-000000000000' })));
    assert.equal(unknown.name, 'ResourceNotFoundException');
  });

  it('publishes every existing dataset: NOT_STARTED → IN_PROGRESS (one at a time) → SUCCEEDED, then once per 24 hours', async () => {
    const poolId = await createIdentityPool(server);
    // Data written before streaming was on: only the bulk publish can bring it to the stream.
    const users = [await newIdentity(server, poolId), await newIdentity(server, poolId), await newIdentity(server, poolId)];
    const expected = new Map<string, { syncCount: number; records: Array<[string, string | null, string]> }>();
    for (const [i, user] of users.entries()) {
      await sync(user.device(), user, 'settings', [
        { Op: 'replace', Key: 'theme', Value: `dark-${i}`, SyncCount: 0 },
        { Op: 'replace', Key: 'lang', Value: 'en', SyncCount: 0 },
      ]);
      await sync(user.device(), user, 'settings', [{ Op: 'remove', Key: 'lang', SyncCount: 1 }]);
      expected.set(`${user.identityId}/settings`, { syncCount: 2, records: [['lang', null, 'remove'], ['theme', `dark-${i}`, 'replace']] });
      await sync(user.device(), user, 'scores', [{ Op: 'replace', Key: 'best', Value: String(100 * i), SyncCount: 0 }]);
      expected.set(`${user.identityId}/scores`, { syncCount: 1, records: [['best', String(100 * i), 'replace']] });
    }
    // One dataset too large for a Kinesis record: it travels through S3.
    const big: RecordPatch[] = Array.from({ length: 1000 }, (_, i) => ({ Op: 'replace', Key: `k${String(i).padStart(4, '0')}`, Value: 'v'.repeat(1000), SyncCount: 0 }));
    await sync(users[0]!.device(), users[0]!, 'big', big);
    await setStreams(poolId, STREAM, 'ENABLED');
    assert.equal((await details(poolId)).BulkPublishStatus, 'NOT_STARTED');

    const heldBefore = gate.connections();
    const started = await server.syncClient().send(new BulkPublishCommand({ IdentityPoolId: poolId }));
    assert.equal(started.IdentityPoolId, poolId);
    const running = await details(poolId);
    assert.equal(running.BulkPublishStatus, 'IN_PROGRESS');
    assert.ok(running.BulkPublishStartTime instanceof Date);
    assert.equal(running.BulkPublishCompleteTime, undefined);
    const duplicate = await errorOf(server.syncClient().send(new BulkPublishCommand({ IdentityPoolId: poolId })));
    assert.equal(duplicate.name, 'DuplicateRequestException');
    assert.equal(duplicate.$metadata.httpStatusCode, 400);
    // The job reached Kinesis (through the shut gate) and waits there; its outbox item is still there.
    for (let i = 0; gate.connections() === heldBefore && i < 600; i++) await new Promise((resolve) => setTimeout(resolve, 25));
    assert.ok(gate.connections() > heldBefore, 'the job is publishing');
    assert.equal((await details(poolId)).BulkPublishStatus, 'IN_PROGRESS');
    assert.match(await (await fetch(`${server.url}/metrics`)).text(), /^cognito_sync_outbox_depth [1-9]\d*$/m);

    gate.open();
    const done = await detailsOnceNot(poolId, 'IN_PROGRESS');
    assert.equal(done.BulkPublishStatus, 'SUCCEEDED', `ended ${done.BulkPublishStatus}: ${done.FailureMessage}`);
    assert.deepEqual(done.BulkPublishStartTime, running.BulkPublishStartTime);
    assert.ok(done.BulkPublishCompleteTime! >= done.BulkPublishStartTime!);
    assert.equal(done.FailureMessage, undefined);

    const published = (await services.readStream(STREAM)).filter((r) => r.data.identityPoolId === poolId);
    assert.equal(published.length, expected.size + 1, 'one stream record per dataset');
    for (const record of published) {
      const { identityId, datasetName, operation, payloadType, syncCount, kinesisSyncRecords, kinesisSyncRecordsURL } = record.data as {
        identityId: string;
        datasetName: string;
        operation: string;
        payloadType: string;
        syncCount: number;
        kinesisSyncRecords: Array<{ key: string; value: string | null; op: string }> | null;
        kinesisSyncRecordsURL: string | null;
      };
      assert.equal(record.partitionKey, identityId);
      assert.equal(operation, 'replace');
      if (datasetName === 'big') {
        assert.equal(payloadType, 'S3Url');
        assert.equal(kinesisSyncRecords, null);
        const held = (await (await fetch(kinesisSyncRecordsURL!)).json()) as Array<{ key: string; value: string }>;
        assert.deepEqual(held.map((r) => r.key), big.map((p) => p.Key));
        continue;
      }
      assert.equal(payloadType, 'Inline');
      const want = expected.get(`${identityId}/${datasetName}`);
      assert.ok(want, `unexpected dataset ${identityId}/${datasetName}`);
      assert.equal(syncCount, want.syncCount);
      assert.deepEqual(
        kinesisSyncRecords!.map((r) => [r.key, r.value, r.op]),
        want.records,
      );
      expected.delete(`${identityId}/${datasetName}`);
    }
    assert.deepEqual([...expected.keys()], [], 'every dataset was published');

    const again = await errorOf(server.syncClient().send(new BulkPublishCommand({ IdentityPoolId: poolId })));
    assert.equal(again.name, 'AlreadyStreamedException');
    assert.equal(again.$metadata.httpStatusCode, 400);
    assert.equal((await details(poolId)).BulkPublishStatus, 'SUCCEEDED');
  });

  it('ends FAILED with a FailureMessage when the stream does not exist, and turns streaming off', async () => {
    const poolId = await createIdentityPool(server);
    const user = await newIdentity(server, poolId);
    await sync(user.device(), user, 'settings', [{ Op: 'replace', Key: 'k', Value: 'v', SyncCount: 0 }]);
    await setStreams(poolId, 'no-such-bulk-stream', 'ENABLED');
    await server.syncClient().send(new BulkPublishCommand({ IdentityPoolId: poolId }));
    const failed = await detailsOnceNot(poolId, 'IN_PROGRESS');
    assert.equal(failed.BulkPublishStatus, 'FAILED');
    assert.match(failed.FailureMessage ?? '', /no-such-bulk-stream.*not found/);
    assert.equal(failed.BulkPublishCompleteTime, undefined);
    // Streaming turned itself off, so a new bulk publish is refused until the developer re-enables it.
    const refused = await errorOf(server.syncClient().send(new BulkPublishCommand({ IdentityPoolId: poolId })));
    assert.equal(refused.name, 'InvalidParameterException');
    // A failed job may be retried at once (no 24-hour wait) once streaming works again.
    await setStreams(poolId, STREAM, 'ENABLED');
    await server.syncClient().send(new BulkPublishCommand({ IdentityPoolId: poolId }));
    assert.equal((await detailsOnceNot(poolId, 'IN_PROGRESS')).BulkPublishStatus, 'SUCCEEDED');
  });
});
