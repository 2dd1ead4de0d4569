// Signed-in users on two nodes sharing one PostgreSQL database: first sign-ins of one user racing on both nodes end
// with one identity, the user's devices on different nodes sync one dataset both ways, and a guest created on one
// node is merged through the other.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateIdentityPoolCommand, GetCredentialsForIdentityCommand, GetIdCommand } from '@aws-sdk/client-cognito-identity';
import { ListRecordsCommand } from '@aws-sdk/client-cognito-sync';
import { LoginProviderStandIns, type ProviderKind } from './helpers/login-providers/provider-stand-ins.ts';
import { databaseUrlFor, dropSchema, skipUnlessPostgresPass, testSchemaName } from './helpers/postgres.ts';
import { newDeveloperCredentials, startServer, type TestServer } from './helpers/server.ts';
import { SyncDevice } from './helpers/sync-device.ts';

const skip = await skipUnlessPostgresPass();

describe('signed-in users on two nodes of one PostgreSQL database', { skip, timeout: 120_000 }, () => {
  const schema = testSchemaName();
  const developer = newDeveloperCredentials();
  let standIns: LoginProviderStandIns;
  let nodeA: TestServer;
  let nodeB: TestServer;
  let poolId: string;

  before(async () => {
    standIns = await LoginProviderStandIns.start();
    const args = ['--database-url', databaseUrlFor(schema), ...standIns.serverArgs()];
    nodeA = await startServer({ developer, args });
    nodeB = await startServer({ developer, args });
    poolId = (
      await nodeA.identityClient().send(new CreateIdentityPoolCommand({ IdentityPoolName: 'two-nodes', AllowUnauthenticatedIdentities: true, ...standIns.poolSettings() }))
    ).IdentityPoolId!;
  });
  after(async () => {
    await Promise.all([nodeA?.dispose(), nodeB?.dispose()]);
    await standIns?.stop();
    await dropSchema(schema);
  });

  async function device(node: TestServer, kind: ProviderKind, user: string, identityId?: string) {
    const client = node.identityClient();
    const id = identityId ?? (await client.send(new GetIdCommand({ IdentityPoolId: poolId, Logins: await standIns.login(kind, user) }))).IdentityId!;
    const answer = await client.send(new GetCredentialsForIdentityCommand({ IdentityId: id, Logins: await standIns.login(kind, user) }));
    const c = answer.Credentials!;
    return { identityId: answer.IdentityId!, sync: node.syncClient({ accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretKey!, sessionToken: c.SessionToken! }) };
  }

  it("one user's first sign-ins racing on both nodes end with one identity", async () => {
    for (const kind of ['google', 'userPool'] as const) {
      const ids = await Promise.all(
        Array.from({ length: 8 }, async (_, i) => {
          const node = i % 2 === 0 ? nodeA : nodeB;
          return (await node.identityClient().send(new GetIdCommand({ IdentityPoolId: poolId, Logins: await standIns.login(kind, `racing-${kind}`) }))).IdentityId;
        }),
      );
      assert.equal(new Set(ids).size, 1, `${kind}: ${ids.join(' ')}`);
    }
  });

  it("a Google user's phone on one node and tablet on the other sync one dataset both ways", async () => {
    const phone = await device(nodeA, 'google', 'two-node-user');
    const tablet = await device(nodeB, 'google', 'two-node-user');
    assert.equal(tablet.identityId, phone.identityId);
    const dataset = { IdentityPoolId: poolId, IdentityId: phone.identityId, DatasetName: 'notes' };
    const onPhone = new SyncDevice(phone.sync, dataset);
    const onTablet = new SyncDevice(tablet.sync, dataset);
    onPhone.put('todo', 'call mum');
    await onPhone.sync();
    await onTablet.sync();
    assert.deepEqual(onTablet.values(), { todo: 'call mum' });
    onTablet.put('todo', 'called mum');
    await onTablet.sync();
    await onPhone.sync();
    assert.deepEqual(onPhone.values(), { todo: 'called mum' });
  });

  it('a guest created on one node signs in through the other and is merged into the account', async () => {
    const account = await device(nodeA, 'userPool', 'account-holder');
    const { IdentityId: guestId } = await nodeA.identityClient().send(new GetIdCommand({ IdentityPoolId: poolId }));
    const c = (await nodeA.identityClient().send(new GetCredentialsForIdentityCommand({ IdentityId: guestId }))).Credentials!;
    const asGuest = new SyncDevice(nodeA.syncClient({ accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretKey!, sessionToken: c.SessionToken! }), {
      IdentityPoolId: poolId,
      IdentityId: guestId!,
      DatasetName: 'cart',
    });
    asGuest.put('item', 'book');
    await asGuest.sync();
    const merged = await device(nodeB, 'userPool', 'account-holder', guestId);
    assert.equal(merged.identityId, account.identityId);
    const cart = await merged.sync.send(new ListRecordsCommand({ IdentityPoolId: poolId, IdentityId: account.identityId, DatasetName: `cart.${guestId}` }));
    assert.deepEqual(cart.Records!.map((r) => [r.Key, r.Value]), [['item', 'book']]);
  });
});
