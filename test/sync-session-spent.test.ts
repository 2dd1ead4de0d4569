// Sync session tokens are spent by a push (reference: "Sync session tokens are spent by a push", from AWS's own
// SDK test against the live service): after a successful UpdateRecords with a token, ListRecords presenting it
// and another UpdateRecords with it are refused. A push that was refused spends nothing. It holds across nodes,
// because the spent session is recorded in the store in the UpdateRecords' own transaction.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type CognitoSyncClient, ListRecordsCommand, type RecordPatch, UpdateRecordsCommand } from '@aws-sdk/client-cognito-sync';
import { databaseUrlFor, dropSchema, skipUnlessPostgresPass, testSchemaName } from './helpers/postgres.ts';
import { errorOf, newDeveloperCredentials, startServer, type TestServer } from './helpers/server.ts';
import { createIdentityPool, newIdentity, type SyncIdentity } from './helpers/sync-identities.ts';

const where = (identity: SyncIdentity, DatasetName: string) => ({ IdentityPoolId: identity.identityPoolId, IdentityId: identity.identityId, DatasetName });
const replace = (Key: string, Value: string, SyncCount = 0): RecordPatch => ({ Op: 'replace', Key, Value, SyncCount });

async function pull(client: CognitoSyncClient, address: ReturnType<typeof where>, SyncSessionToken?: string) {
  return client.send(new ListRecordsCommand({ ...address, SyncSessionToken }));
}

const push = (client: CognitoSyncClient, address: ReturnType<typeof where>, SyncSessionToken: string, RecordPatches: RecordPatch[]) =>
  client.send(new UpdateRecordsCommand({ ...address, SyncSessionToken, RecordPatches }));

function assertSpentOnPull(error: Awaited<ReturnType<typeof errorOf>>) {
  assert.equal(error.name, 'InvalidParameterException');
  assert.equal(error.$metadata.httpStatusCode, 400);
  assert.match(error.message, /^SyncSessionToken not valid for these inputs: it was spent by a successful UpdateRecords/);
}

function assertSpentOnPush(error: Awaited<ReturnType<typeof errorOf>>) {
  assert.equal(error.name, 'ResourceConflictException');
  assert.equal(error.$metadata.httpStatusCode, 409);
  assert.match(error.message, /SyncSessionToken was already spent by a successful UpdateRecords; call ListRecords/);
}

describe('sync session tokens are spent by a push', { timeout: 60_000 }, () => {
  let server: TestServer;
  let poolId: string;
  before(async () => {
    server = await startServer();
    poolId = await createIdentityPool(server);
  });
  after(async () => {
    await server.dispose();
  });

  it("AWS's own sequence: pull, pull again with the token, push with it; then a pull and a push presenting it are refused", async () => {
    const user = await newIdentity(server, poolId);
    const device = user.device();
    const address = where(user, 'spent');
    const { SyncSessionToken: token } = await pull(device, address);
    const again = await pull(device, address, token);
    assert.equal(again.DatasetExists, false, 'presenting an unspent token continues its session');
    await push(device, address, token!, [replace('tokenkey', 'forced')]);

    assertSpentOnPull(await errorOf(pull(device, address, token)));
    // The token the second pull answered belongs to the same session: spent too.
    assertSpentOnPull(await errorOf(pull(device, address, again.SyncSessionToken)));
    assertSpentOnPush(await errorOf(push(device, address, token!, [replace('other', 'x')])));

    // A pull without it starts a new session, whose token pushes once.
    const fresh = await pull(device, address);
    assert.deepEqual(fresh.Records!.map((r) => [r.Key, r.Value, r.SyncCount]), [['tokenkey', 'forced', 1]], 'the refused push wrote nothing');
    await push(device, address, fresh.SyncSessionToken!, [replace('other', 'x')]);
  });

  it('a push that is refused (a stale SyncCount) or writes nothing leaves the token unspent', async () => {
    const user = await newIdentity(server, poolId);
    const device = user.device();
    const address = where(user, 'refused');
    const first = await pull(device, address);
    await push(device, address, first.SyncSessionToken!, [replace('k', 'v1')]);

    const { SyncSessionToken: token } = await pull(device, address);
    const stale = await errorOf(push(device, address, token!, [replace('k', 'v2', 0)]));
    assert.equal(stale.name, 'ResourceConflictException');
    assert.match(stale.message, /^Current SyncCount for: k is: 1 not: 0$/);
    const empty = await device.send(new UpdateRecordsCommand({ ...address, SyncSessionToken: token, RecordPatches: [] }));
    assert.deepEqual(empty.Records, []);
    // Still good: the pull it came from is the device's current view, and the settled push goes through with it.
    assert.equal((await pull(device, address, token)).DatasetSyncCount, 1);
    const settled = await push(device, address, token!, [replace('k', 'v2', 1)]);
    assert.equal(settled.Records![0]!.SyncCount, 2);
    assertSpentOnPush(await errorOf(push(device, address, token!, [replace('k', 'v3', 2)])));
  });

  it('the same token pushed twice at once: one push lands, the other is refused', async () => {
    const user = await newIdentity(server, poolId);
    const device = user.device();
    const address = where(user, 'racing');
    const { SyncSessionToken: token } = await pull(device, address);
    const outcomes = await Promise.allSettled([push(device, address, token!, [replace('a', '1')]), push(device, address, token!, [replace('b', '1')])]);
    assert.deepEqual(outcomes.map((o) => o.status).sort(), ['fulfilled', 'rejected']);
    assertSpentOnPush((outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult).reason);
    assert.equal((await pull(device, address)).DatasetSyncCount, 1, 'one write, not two');
  });
});

const twoNodesSkip = await skipUnlessPostgresPass();

describe('sync session tokens spent on one node are spent on every node', { skip: twoNodesSkip, timeout: 60_000 }, () => {
  const schema = testSchemaName();
  const developer = newDeveloperCredentials();
  let nodes: TestServer[] = [];
  before(async () => {
    const args = ['--database-url', databaseUrlFor(schema)];
    nodes = [await startServer({ developer, args }), await startServer({ developer, args })];
  });
  after(async () => {
    await Promise.all(nodes.map((node) => node.dispose()));
    await dropSchema(schema);
  });

  it('a push through node A spends the token for node B; the same token pushed to both nodes at once lands once', async () => {
    const [a, b] = nodes as [TestServer, TestServer];
    const poolId = await createIdentityPool(a);
    const user = await newIdentity(a, poolId);
    const onA = a.syncClient(user.credentials);
    const onB = b.syncClient(user.credentials);
    const address = where(user, 'shared');

    const { SyncSessionToken: token } = await pull(onB, address);
    await push(onA, address, token!, [replace('k', 'v')]);
    assertSpentOnPull(await errorOf(pull(onB, address, token)));
    assertSpentOnPush(await errorOf(push(onB, address, token!, [replace('j', 'v')])));

    for (let round = 0; round < 5; round++) {
      const racing = where(user, `race-${round}`);
      const { SyncSessionToken: raced } = await pull(onA, racing);
      const outcomes = await Promise.allSettled([push(onA, racing, raced!, [replace('a', '1')]), push(onB, racing, raced!, [replace('b', '1')])]);
      assert.deepEqual(outcomes.map((o) => o.status).sort(), ['fulfilled', 'rejected'], `round ${round}`);
      assertSpentOnPush((outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult).reason);
      assert.equal((await pull(onB, racing)).DatasetSyncCount, 1, 'one write, not two');
    }
  });
});
