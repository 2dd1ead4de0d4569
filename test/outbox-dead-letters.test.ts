// The outbox's bounds, end to end: a delivery that hangs (Kinesis accepts the connection and never answers, held
// by a TCP gate) is aborted at its deadline, 3/4 of the lease, and retried; after --outbox-max-attempts it becomes
// a dead letter — logged, counted in /metrics, listed by `npm run outbox -- dead-letters` — and `retry-dead`
// sends it on its way once Kinesis answers again (on SQLite with the server stopped, on PostgreSQL while it serves).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { ListRecordsCommand, SetIdentityPoolConfigurationCommand, UpdateRecordsCommand } from '@aws-sdk/client-cognito-sync';
import { createPool, unauthenticatedIdentity } from './helpers/identity-flows.ts';
import { sendSigned } from './helpers/raw-http.ts';
import { databaseUrlFor, testSchemaName } from './helpers/postgres.ts';
import { startServer, TEST_STORE, type TestServer } from './helpers/server.ts';
import { type Gate, type StreamServices, startGate, startStreamServices, streamsEnv } from './helpers/stream-services.ts';

const OUTBOX_CLI = new URL('../dist/operator/outbox-cli.js', import.meta.url).pathname;
const STREAM = 'dead-letter-events';
const KIND = 'cognito-stream-record';

function outbox(args: string[]) {
  const result = spawnSync(process.execPath, [OUTBOX_CLI, ...args], { encoding: 'utf8', timeout: 30_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const gauge = (text: string, name: string, kind: string) => {
  const match = new RegExp(`^${name}\\{kind="${kind}"\\} (\\d+)$`, 'm').exec(text);
  return match ? Number(match[1]) : undefined;
};

describe(`outbox deadlines and dead letters [${TEST_STORE}]`, { timeout: 120_000 }, () => {
  let services: StreamServices;
  let gate: Gate;
  let first: TestServer;
  let server: TestServer;
  const args = ['--outbox-lease-seconds', '2', '--outbox-max-attempts', '2', '--outbox-poll-ms', '50'];
  before(async () => {
    services = await startStreamServices();
    await services.createStream(STREAM);
    gate = await startGate(services.kinesisEndpoint);
    server = first = await startServer({ env: streamsEnv(gate.endpoint, services.s3Endpoint), args });
  });
  after(async () => {
    await server?.dispose();
    // The first start owns the data directory (and schema): disposing it removes them.
    await first?.dispose();
    await gate?.close();
    await services?.close();
  });

  const metrics = async () => (await fetch(`${server.url}/metrics`)).text();
  const storeFlags = () => (TEST_STORE === 'postgres' ? ['--database-url', databaseUrlFor(testSchemaName(server.dataDir))] : ['--data-dir', server.dataDir]);

  it('a hung delivery is aborted at its deadline and retried; after the last attempt it is a dead letter, and retry-dead delivers it', async () => {
    const poolId = await createPool(server);
    await server.syncClient().send(
      new SetIdentityPoolConfigurationCommand({
        IdentityPoolId: poolId,
        CognitoStreams: { StreamName: STREAM, RoleArn: 'arn:aws:iam::123456789012:role/streams', StreamingStatus: 'ENABLED' },
      }),
    );
    const device = await unauthenticatedIdentity(server, poolId);
    const where = { IdentityPoolId: poolId, IdentityId: device.identityId, DatasetName: 'held' };
    const client = server.syncClient(device.credentials);
    const { SyncSessionToken } = await client.send(new ListRecordsCommand(where));
    await client.send(new UpdateRecordsCommand({ ...where, SyncSessionToken, RecordPatches: [{ Op: 'replace', Key: 'k', Value: 'v', SyncCount: 0 }] }));

    // Both attempts reach Kinesis (through the shut gate) and are cut off at 1.5 s, well before the 2 s lease.
    const dead = await until('the item to become a dead letter', async () => (gauge(await metrics(), 'cognito_sync_outbox_dead_letters', KIND) === 1 ? true : undefined));
    assert.ok(dead);
    assert.equal(gate.connections() >= 2, true, 'two attempts were made');
    const text = await metrics();
    assert.equal(gauge(text, 'cognito_sync_outbox_pending', KIND), 0);
    assert.equal(gauge(text, 'cognito_sync_outbox_dead_letters', 'push-sync'), 0, 'every kind is reported, at 0 too');
    assert.match(text, /^cognito_sync_outbox_depth 1$/m);
    const logged = server.stdout().split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>);
    const retried = logged.find((l) => l.msg === 'outbox delivery failed; will retry');
    assert.match(String(retried?.error), /delivery did not finish within its deadline of 1500 ms \(3\/4 of the 2000 ms outbox lease\); aborted/);
    const deadLine = logged.find((l) => String(l.msg).startsWith('outbox item dead-lettered after 2 attempts'));
    assert.ok(deadLine, 'the dead letter is logged');
    assert.equal(deadLine.level, 50, 'at error level');
    assert.equal(deadLine.kind, KIND);
    // The operator endpoint (the console's health page) counts it too.
    const status = await sendSigned(
      server.url,
      { method: 'POST', path: '/operator/status', body: '{}', headers: { 'content-type': 'application/json' } },
      { credentials: server.developer, service: 'cognito-sync-operator' },
    );
    assert.equal(status.status, 200, status.text);
    const outboxStatus = (status.json() as { outbox: { deadLetters: number; depthByKind: Record<string, number> } }).outbox;
    assert.equal(outboxStatus.deadLetters, 1);
    assert.equal(outboxStatus.depthByKind[KIND], 0);

    // The operator sees it, opens the way to Kinesis, and retries it.
    if (TEST_STORE === 'sqlite') await server.stop();
    const listed = outbox(['dead-letters', ...storeFlags()]);
    assert.equal(listed.status, 0, listed.stderr);
    assert.match(listed.stdout, new RegExp(`${KIND}\\s+[^\\n]*\\s2\\s[^\\n]*delivery did not finish within its deadline`));
    gate.open();
    const retry = outbox(['retry-dead', ...storeFlags()]);
    assert.equal(retry.status, 0, retry.stderr);
    assert.match(retry.stdout, /^1 dead letter due again/);
    if (TEST_STORE === 'sqlite') server = await startServer({ dataDir: server.dataDir, developer: server.developer, env: streamsEnv(gate.endpoint, services.s3Endpoint), args });

    const ofPool = (records: Awaited<ReturnType<StreamServices['readStream']>>) => records.filter((r) => r.data.identityPoolId === poolId);
    const [record] = ofPool(await services.waitForStream(STREAM, (all) => ofPool(all).length >= 1));
    assert.deepEqual([record!.data.datasetName, record!.data.syncCount], ['held', 1]);
    await until('the outbox to drain', async () => (/^cognito_sync_outbox_depth 0$/m.test(await metrics()) ? true : undefined));
    assert.equal(gauge(await metrics(), 'cognito_sync_outbox_dead_letters', KIND), 0);
    if (TEST_STORE === 'postgres') assert.match(outbox(['status', ...storeFlags()]).stdout, /the outbox is empty/);
  });

  it('an item whose every claim ended with its node dying is dead-lettered without being tried again', async () => {
    // One attempt allowed, a lease long enough that the node is killed before its deadline: the claim ends with no
    // outcome recorded. The restarted node claims it once the lease runs out, sees it over its attempts, and gives
    // it up without running the delivery (which could crash a node every time).
    const crashGate = await startGate(services.kinesisEndpoint);
    const crashArgs = ['--outbox-lease-seconds', '4', '--outbox-max-attempts', '1', '--outbox-poll-ms', '50'];
    const crashed = await startServer({ env: streamsEnv(crashGate.endpoint, services.s3Endpoint), args: crashArgs });
    let node = crashed;
    try {
      const poolId = await createPool(node);
      await node.syncClient().send(
        new SetIdentityPoolConfigurationCommand({
          IdentityPoolId: poolId,
          CognitoStreams: { StreamName: STREAM, RoleArn: 'arn:aws:iam::123456789012:role/streams', StreamingStatus: 'ENABLED' },
        }),
      );
      const where = { IdentityPoolId: poolId, IdentityId: (await unauthenticatedIdentity(node, poolId)).identityId, DatasetName: 'crashing' };
      const { SyncSessionToken } = await node.syncClient().send(new ListRecordsCommand(where));
      await node.syncClient().send(new UpdateRecordsCommand({ ...where, SyncSessionToken, RecordPatches: [{ Op: 'replace', Key: 'k', Value: 'v', SyncCount: 0 }] }));
      await until('the delivery to reach Kinesis', async () => (crashGate.connections() > 0 ? true : undefined));
      await node.kill9();
      const attemptsMade = crashGate.connections();

      node = await startServer({ dataDir: node.dataDir, developer: node.developer, env: streamsEnv(crashGate.endpoint, services.s3Endpoint), args: crashArgs });
      const nodeMetrics = async () => (await fetch(`${node.url}/metrics`)).text();
      await until('the item to become a dead letter', async () => (gauge(await nodeMetrics(), 'cognito_sync_outbox_dead_letters', KIND) === 1 ? true : undefined));
      assert.match(node.stdout(), /"error":"claimed 2 times; no attempt recorded an outcome \(its node stopped or hung each time\)"/);
      assert.equal(crashGate.connections(), attemptsMade, 'the delivery was not tried again');
    } finally {
      await node.dispose();
      await crashed.dispose();
      await crashGate.close();
    }
  });
});
