// Cognito Streams end to end (reference: "Cognito Streams and BulkPublish"): a device syncs through its identity
// credentials and the record arrives on a real Kinesis stream (kinesalite), read back with GetShardIterator and
// GetRecords; payloads too large for one Kinesis record go to a real S3 (s3rver); a stream that does not exist
// turns streaming off with a DisabledReason.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import {
  type CognitoSyncClient,
  DeleteDatasetCommand,
  GetIdentityPoolConfigurationCommand,
  ListRecordsCommand,
  type RecordPatch,
  SetIdentityPoolConfigurationCommand,
  UpdateRecordsCommand,
} from '@aws-sdk/client-cognito-sync';
import { createIdentityPool, newIdentity, type SyncIdentity } from './helpers/sync-identities.ts';
import { sendSigned } from './helpers/raw-http.ts';
import { errorOf, startServer, type TestServer } from './helpers/server.ts';
import { type StreamedKinesisRecord, type StreamServices, startStreamServices } from './helpers/stream-services.ts';

const STREAM = 'cognito-sync-events';
const BUCKET = 'cognito-stream-payloads';
const ROLE = 'arn:aws:iam::123456789012:role/CognitoStreamsPublisher';

/** ListRecords for a session token, then UpdateRecords with the patches: one sync, as a device does it. */
async function sync(client: CognitoSyncClient, user: SyncIdentity, DatasetName: string, RecordPatches: RecordPatch[]) {
  const where = { IdentityPoolId: user.identityPoolId, IdentityId: user.identityId, DatasetName };
  const { SyncSessionToken } = await client.send(new ListRecordsCommand(where));
  return client.send(new UpdateRecordsCommand({ ...where, SyncSessionToken, RecordPatches }));
}

const ofPool = (poolId: string) => (records: StreamedKinesisRecord[]) => records.filter((r) => r.data.identityPoolId === poolId);

describe('Cognito Streams', { timeout: 300_000 }, () => {
  let services: StreamServices;
  let server: TestServer;

  const enableStreaming = (poolId: string, StreamName = STREAM, StreamingStatus: 'ENABLED' | 'DISABLED' = 'ENABLED') =>
    server.syncClient().send(
      new SetIdentityPoolConfigurationCommand({ IdentityPoolId: poolId, CognitoStreams: { StreamName, RoleArn: ROLE, StreamingStatus } }),
    );
  const streamedFor = (poolId: string, count: number) =>
    services.waitForStream(STREAM, (records) => ofPool(poolId)(records).length >= count).then(ofPool(poolId));

  before(async () => {
    services = await startStreamServices();
    await services.createStream(STREAM, 2);
    await services.createBucket(BUCKET);
    server = await startServer({ env: services.env, args: ['--streams-s3-bucket', BUCKET, '--outbox-poll-ms', '50'] });
  });
  after(async () => {
    await server?.dispose();
    await services?.close();
  });

  it('a sync through identity credentials puts one record of the exact documented shape on the stream', async () => {
    const poolId = await createIdentityPool(server);
    await enableStreaming(poolId);
    const user = await newIdentity(server, poolId);
    const device = user.device();
    const deviceTime = new Date('2024-05-06T07:08:09.123Z');
    const written = await sync(device, user, 'settings', [
      { Op: 'replace', Key: 'theme', Value: 'dark', SyncCount: 0, DeviceLastModifiedDate: deviceTime },
      { Op: 'replace', Key: 'volume', Value: '7 ünïcode', SyncCount: 0 },
    ]);
    const removed = await sync(device, user, 'settings', [{ Op: 'remove', Key: 'volume', SyncCount: 1 }]);

    const [first, second, ...more] = await streamedFor(poolId, 2);
    assert.deepEqual(more, []);
    const at = (date: Date | undefined) => date!.getTime();
    const [theme, volume] = written.Records!;
    assert.equal(first!.partitionKey, user.identityId);
    assert.deepEqual(first!.data, {
      identityPoolId: poolId,
      identityId: user.identityId,
      datasetName: 'settings',
      operation: 'replace',
      kinesisSyncRecords: [
        { key: 'theme', value: 'dark', syncCount: 1, lastModifiedDate: at(theme!.LastModifiedDate), deviceLastModifiedDate: deviceTime.getTime(), op: 'replace' },
        // No device time sent: the server's time of the change stands in (consumers read it unconditionally).
        { key: 'volume', value: '7 ünïcode', syncCount: 1, lastModifiedDate: at(volume!.LastModifiedDate), deviceLastModifiedDate: at(volume!.LastModifiedDate), op: 'replace' },
      ],
      lastModifiedDate: at(theme!.LastModifiedDate),
      kinesisSyncRecordsURL: null,
      payloadType: 'Inline',
      syncCount: 1,
    });
    assert.ok(!('dataSetName' in first!.data), 'the member is spelled datasetName, as AWS’s consumer sample reads it');
    const gone = removed.Records![0]!;
    assert.deepEqual(second!.data, {
      identityPoolId: poolId,
      identityId: user.identityId,
      datasetName: 'settings',
      operation: 'replace',
      kinesisSyncRecords: [{ key: 'volume', value: null, syncCount: 2, lastModifiedDate: at(gone.LastModifiedDate), deviceLastModifiedDate: at(gone.LastModifiedDate), op: 'remove' }],
      lastModifiedDate: at(gone.LastModifiedDate),
      kinesisSyncRecordsURL: null,
      payloadType: 'Inline',
      syncCount: 2,
    });
  });

  it('a refused sync (409) and syncs made while streaming is DISABLED put nothing on the stream', async () => {
    const poolId = await createIdentityPool(server);
    const user = await newIdentity(server, poolId);
    const device = user.device();
    await sync(device, user, 'scores', [{ Op: 'replace', Key: 'before', Value: 'not streamed', SyncCount: 0 }]);
    await enableStreaming(poolId, STREAM, 'DISABLED');
    await sync(device, user, 'scores', [{ Op: 'replace', Key: 'before', Value: 'still not streamed', SyncCount: 1 }]);
    await enableStreaming(poolId);

    const conflict = await errorOf(sync(device, user, 'scores', [{ Op: 'replace', Key: 'before', Value: 'stale', SyncCount: 1 }]));
    assert.equal(conflict.name, 'ResourceConflictException');
    assert.equal(conflict.$metadata.httpStatusCode, 409);
    await sync(device, user, 'scores', [{ Op: 'replace', Key: 'after', Value: 'streamed', SyncCount: 0 }]);

    // One dataset's records leave in commit order, so had the refused sync been queued it would be here first.
    const records = await streamedFor(poolId, 1);
    assert.deepEqual(
      records.map((r) => [r.data.syncCount, (r.data.kinesisSyncRecords as Array<{ key: string; value: string }>).map((k) => [k.key, k.value])]),
      [[3, [['after', 'streamed']]]],
    );
  });

  it('a sync too large for one Kinesis record puts its records in S3: payloadType S3Url and a URL to them', async () => {
    const poolId = await createIdentityPool(server);
    await enableStreaming(poolId);
    const user = await newIdentity(server, poolId);
    // 1,000 records of 1,000 characters: within the 1 MB dataset quota, over 1 MiB as a stream record.
    const patches: RecordPatch[] = Array.from({ length: 1000 }, (_, i) => ({
      Op: 'replace',
      Key: `k${String(i).padStart(4, '0')}`,
      Value: `${i}:`.padEnd(1000, 'x'),
      SyncCount: 0,
    }));
    const written = await sync(user.device(), user, 'big', patches);

    const [record] = await streamedFor(poolId, 1);
    const { kinesisSyncRecordsURL: url, ...rest } = record!.data;
    assert.deepEqual(rest, {
      identityPoolId: poolId,
      identityId: user.identityId,
      datasetName: 'big',
      operation: 'replace',
      kinesisSyncRecords: null,
      lastModifiedDate: written.Records![0]!.LastModifiedDate!.getTime(),
      payloadType: 'S3Url',
      syncCount: 1,
    });
    assert.equal(typeof url, 'string');
    assert.ok((url as string).startsWith(`${services.s3Endpoint}/${BUCKET}/`), `a presigned URL of the payload bucket: ${url}`);
    assert.match(url as string, /X-Amz-Signature=/);
    // A consumer fetches the URL as is (AWS's sample opens it without credentials) and parses the records.
    const response = await fetch(url as string);
    assert.equal(response.status, 200);
    const held = (await response.json()) as Array<Record<string, unknown>>;
    assert.equal(held.length, 1000);
    assert.deepEqual(held[999], {
      key: 'k0999',
      value: '999:'.padEnd(1000, 'x'),
      syncCount: 1,
      lastModifiedDate: written.Records![999]!.LastModifiedDate!.getTime(),
      deviceLastModifiedDate: written.Records![999]!.LastModifiedDate!.getTime(),
      op: 'replace',
    });
    assert.deepEqual(held.map((r) => r.key), patches.map((p) => p.Key));
  });

  it("DeleteDataset puts a 'remove' operation with no records, after the dataset's syncs", async () => {
    const poolId = await createIdentityPool(server);
    await enableStreaming(poolId);
    const user = await newIdentity(server, poolId);
    await sync(user.device(), user, 'temp', [{ Op: 'replace', Key: 'a', Value: '1', SyncCount: 0 }]);
    await user.device().send(new DeleteDatasetCommand({ IdentityPoolId: poolId, IdentityId: user.identityId, DatasetName: 'temp' }));
    const [written, deleted] = await streamedFor(poolId, 2);
    assert.equal(written!.data.operation, 'replace');
    const { lastModifiedDate, ...rest } = deleted!.data;
    assert.equal(typeof lastModifiedDate, 'number');
    assert.deepEqual(rest, {
      identityPoolId: poolId,
      identityId: user.identityId,
      datasetName: 'temp',
      operation: 'remove',
      kinesisSyncRecords: null,
      kinesisSyncRecordsURL: null,
      payloadType: 'Inline',
      syncCount: 1,
    });
  });

  it('a stream that does not exist turns streaming off with a DisabledReason; re-enabling clears it and streams again', async () => {
    const poolId = await createIdentityPool(server);
    await enableStreaming(poolId, 'no-such-stream');
    const user = await newIdentity(server, poolId);
    const device = user.device();
    await sync(device, user, 'd', [{ Op: 'replace', Key: 'k', Value: 'lost to a missing stream', SyncCount: 0 }]);

    // Read on the wire: DisabledReason is in the API reference but not in the SDKs' models, which drop it.
    const configuration = async () =>
      (
        await sendSigned(
          server.url,
          { method: 'GET', path: `/identitypools/${encodeURIComponent(poolId)}/configuration` },
          { credentials: server.developer, service: 'cognito-sync' },
        )
      ).json().CognitoStreams as { StreamingStatus?: string; DisabledReason?: string; StreamName?: string; RoleArn?: string } | undefined;
    let streams = await configuration();
    for (let i = 0; i < 300 && streams?.StreamingStatus !== 'DISABLED'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      streams = await configuration();
    }
    assert.deepEqual(streams, {
      StreamName: 'no-such-stream',
      RoleArn: ROLE,
      StreamingStatus: 'DISABLED',
      DisabledReason: streams?.DisabledReason,
    });
    assert.match(streams?.DisabledReason ?? '', /^Kinesis stream 'no-such-stream' was not found/);
    const viaSdk = await server.syncClient().send(new GetIdentityPoolConfigurationCommand({ IdentityPoolId: poolId }));
    assert.equal(viaSdk.CognitoStreams?.StreamingStatus, 'DISABLED');

    // Off now: this sync is not queued at all.
    await sync(device, user, 'd', [{ Op: 'replace', Key: 'k', Value: 'while disabled', SyncCount: 1 }]);
    const reenabled = await enableStreaming(poolId);
    assert.deepEqual(reenabled.CognitoStreams, { StreamName: STREAM, RoleArn: ROLE, StreamingStatus: 'ENABLED' });
    await sync(device, user, 'd', [{ Op: 'replace', Key: 'k', Value: 'streamed', SyncCount: 2 }]);
    const records = await streamedFor(poolId, 1);
    assert.deepEqual(records.map((r) => r.data.syncCount), [3]);
    assert.deepEqual(await configuration(), { StreamName: STREAM, RoleArn: ROLE, StreamingStatus: 'ENABLED' });
  });

  it('/metrics reports the outbox depth', async () => {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    assert.match(text, /^cognito_sync_outbox_depth \d+$/m);
  });
});

describe('Cognito Streams and outbox settings', { timeout: 300_000 }, () => {
  it('bad values are refused at start with exit code 2 and a message naming the setting', () => {
    const cli = new URL('../dist/cli.js', import.meta.url).pathname;
    const cases: Array<[string[], Record<string, string>, RegExp]> = [
      [['--streams-s3-bucket', 'Not_A_Bucket'], {}, /streams-s3-bucket must be an S3 bucket name/],
      [[], { COGNITO_SYNC_STREAMS_S3_BUCKET: 'x' }, /streams-s3-bucket/],
      [['--streams-s3-url-ttl', '604801'], {}, /streams-s3-url-ttl must be an integer from 1 to 604800/],
      [['--outbox-lease-seconds', '0'], {}, /outbox-lease-seconds must be an integer from 1 to 3600/],
      [[], { COGNITO_SYNC_OUTBOX_POLL_MS: '5' }, /outbox-poll-ms must be an integer from 10 to 60000/],
    ];
    for (const [args, env, message] of cases) {
      const result = spawnSync(process.execPath, [cli, '--port', '0', ...args], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 15_000 });
      assert.equal(result.status, 2, `${args.join(' ')} ${JSON.stringify(env)}: ${result.stderr}`);
      assert.match(result.stderr, message);
    }
  });
});
