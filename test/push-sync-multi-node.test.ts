// Push sync on two nodes sharing one PostgreSQL database: syncs arrive at both nodes, both nodes' outbox workers
// deliver, and every subscribed device gets each push exactly once and in SyncCount order — each push is sent by
// one node. (PostgreSQL pass only; the SNS stand-in records every Publish.)
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  type CognitoSyncClient,
  ListRecordsCommand,
  RegisterDeviceCommand,
  SetIdentityPoolConfigurationCommand,
  SubscribeToDatasetCommand,
  UpdateRecordsCommand,
} from '@aws-sdk/client-cognito-sync';
import { createPool, unauthenticatedIdentity } from './helpers/identity-flows.ts';
import { databaseUrlFor, dropSchema, skipUnlessPostgresPass, testSchemaName } from './helpers/postgres.ts';
import { newDeveloperCredentials, startServer, type TestServer } from './helpers/server.ts';
import { type SnsStandIn, startSnsStandIn } from './helpers/sns-stand-in.ts';

const skip = await skipUnlessPostgresPass();

async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function outboxDepth(node: TestServer): Promise<number> {
  const text = await (await fetch(`${node.url}/metrics`)).text();
  return Number(/^cognito_sync_outbox_depth (\d+)/m.exec(text)?.[1] ?? Number.NaN);
}

describe('push sync on two nodes sharing one PostgreSQL database', { skip, timeout: 300_000 }, () => {
  const schema = testSchemaName();
  const developer = newDeveloperCredentials();
  let sns: SnsStandIn;
  const nodes: TestServer[] = [];

  before(async () => {
    sns = await startSnsStandIn();
    for (let i = 0; i < 2; i++) {
      nodes.push(
        await startServer({
          developer,
          env: { AWS_ENDPOINT_URL_SNS: sns.url, AWS_ACCESS_KEY_ID: 'AKIASNSSTANDIN000002', AWS_SECRET_ACCESS_KEY: 'stand-in', AWS_PROFILE: undefined },
          args: ['--database-url', databaseUrlFor(schema), '--outbox-poll-ms', '50'],
        }),
      );
    }
  });
  after(async () => {
    await Promise.all(nodes.map((node) => node.dispose()));
    await sns?.stop();
    await dropSchema(schema);
  });

  it('pushes for syncs through either node reach every other subscribed device once each, in order', async () => {
    const [first, second] = nodes as [TestServer, TestServer];
    const app = sns.createPlatformApplication('GCM', 'two-nodes');
    const poolId = await createPool(first);
    await first.syncClient().send(new SetIdentityPoolConfigurationCommand({ IdentityPoolId: poolId, PushSync: { ApplicationArns: [app] } }));
    const identity = await unauthenticatedIdentity(first, poolId);
    const clients: CognitoSyncClient[] = [first.syncClient(identity.credentials), second.syncClient(identity.credentials)];
    const ids = { IdentityPoolId: poolId, IdentityId: identity.identityId };
    const where = { ...ids, DatasetName: 'progress' };

    const devices: string[] = [];
    for (const [i, token] of ['writer', 'tablet', 'phone', 'watch'].entries()) {
      devices.push((await clients[i % 2]!.send(new RegisterDeviceCommand({ ...ids, Platform: 'GCM', Token: `two-nodes-${token}` }))).DeviceId!);
    }
    const writer = devices[0]!;

    let syncCount = 0;
    const writeThrough = async (client: CognitoSyncClient, value: string) => {
      const { SyncSessionToken } = await client.send(new ListRecordsCommand(where));
      const written = await client.send(
        new UpdateRecordsCommand({ ...where, DeviceId: writer, SyncSessionToken, RecordPatches: [{ Op: 'replace', Key: 'level', Value: value, SyncCount: syncCount }] }),
      );
      syncCount = written.Records![0]!.SyncCount!;
    };
    await writeThrough(clients[0]!, '0');
    for (const [i, deviceId] of devices.entries()) await clients[i % 2]!.send(new SubscribeToDatasetCommand({ ...where, DeviceId: deviceId }));

    const firstCounted = syncCount + 1;
    for (let i = 1; i <= 20; i++) await writeThrough(clients[i % 2]!, String(i));

    const endpointOf = (token: string) => [...sns.endpoints.values()].find((e) => e.token === `two-nodes-${token}`)!.endpointArn;
    const readerEndpoints = ['tablet', 'phone', 'watch'].map(endpointOf);
    await until(() => readerEndpoints.every((e) => sns.publishesTo(e).length >= 20), 'every push');
    await until(async () => (await outboxDepth(first)) === 0 && (await outboxDepth(second)) === 0, 'the outbox to drain');

    const expected = Array.from({ length: 20 }, (_, i) => String(firstCounted + i));
    for (const endpoint of readerEndpoints) {
      const counts = sns.publishesTo(endpoint).map((p) => JSON.parse(JSON.parse(p.message).GCM).data.syncCount);
      assert.deepEqual(counts, expected, 'each push once, in SyncCount order');
    }
    assert.equal(sns.publishesTo(endpointOf('writer')).length, 0, 'the writer gets none');
  });
});
