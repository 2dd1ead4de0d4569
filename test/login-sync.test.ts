// The product's promise for signed-in users: one user's devices share one identity, whatever provider signs them
// in, and sync one dataset both ways. A guest (unauthenticated identity) who signs in keeps their identity when the
// login is new, and is merged into the account's identity when the login already has one, their data carried over
// as `<name>.<guestId>` (MergedDatasetNames). Devices are the Android client's sync loop (helpers/sync-device.ts)
// over Cognito Sync clients signed with each device's own temporary credentials.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateIdentityPoolCommand, GetCredentialsForIdentityCommand, GetIdCommand } from '@aws-sdk/client-cognito-identity';
import { ListDatasetsCommand, ListRecordsCommand } from '@aws-sdk/client-cognito-sync';
import { LoginProviderStandIns, type ProviderKind } from './helpers/login-providers/provider-stand-ins.ts';
import { startServer, type TestServer } from './helpers/server.ts';
import { SyncDevice } from './helpers/sync-device.ts';

describe('signed-in users sync across their devices', { timeout: 120_000 }, () => {
  let standIns: LoginProviderStandIns;
  let server: TestServer;
  let poolId: string;

  before(async () => {
    standIns = await LoginProviderStandIns.start();
    server = await startServer({ args: standIns.serverArgs() });
    poolId = (
      await server.identityClient().send(
        new CreateIdentityPoolCommand({ IdentityPoolName: 'notes', AllowUnauthenticatedIdentities: true, ...standIns.poolSettings() }),
      )
    ).IdentityPoolId!;
  });
  after(async () => {
    await server?.dispose();
    await standIns?.stop();
  });

  /** What an app does on a device: GetId, then GetCredentialsForIdentity, each with the user's fresh login. */
  async function signInDevice(kind: ProviderKind, user: string, identityId?: string) {
    const client = server.identityClient();
    const id = identityId ?? (await client.send(new GetIdCommand({ IdentityPoolId: poolId, Logins: await standIns.login(kind, user) }))).IdentityId!;
    const answer = await client.send(new GetCredentialsForIdentityCommand({ IdentityId: id, Logins: await standIns.login(kind, user) }));
    const c = answer.Credentials!;
    const sync = server.syncClient({ accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretKey!, sessionToken: c.SessionToken! });
    return { identityId: answer.IdentityId!, sync };
  }

  async function guestDevice() {
    const client = server.identityClient();
    const { IdentityId } = await client.send(new GetIdCommand({ IdentityPoolId: poolId }));
    const c = (await client.send(new GetCredentialsForIdentityCommand({ IdentityId }))).Credentials!;
    return { identityId: IdentityId!, sync: server.syncClient({ accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretKey!, sessionToken: c.SessionToken! }) };
  }

  async function twoDevicesSyncBothWays(kind: ProviderKind, user: string) {
    const phone = await signInDevice(kind, user);
    const tablet = await signInDevice(kind, user);
    assert.equal(tablet.identityId, phone.identityId, 'both devices of the user get one identity');

    const dataset = { IdentityPoolId: poolId, IdentityId: phone.identityId, DatasetName: 'notes' };
    const onPhone = new SyncDevice(phone.sync, dataset);
    const onTablet = new SyncDevice(tablet.sync, dataset);
    onPhone.put('todo', 'buy milk');
    onPhone.put('theme', 'dark');
    await onPhone.sync();
    await onTablet.sync();
    assert.deepEqual(onTablet.values(), { todo: 'buy milk', theme: 'dark' }, 'the tablet sees what the phone wrote');

    onTablet.put('todo', 'buy oat milk');
    onTablet.remove('theme');
    await onTablet.sync();
    await onPhone.sync();
    assert.deepEqual(onPhone.values(), { todo: 'buy oat milk' }, 'the phone sees what the tablet changed and removed');
    assert.equal(onPhone.lastSyncCount, onTablet.lastSyncCount);
  }

  it('two devices of one Google user share one IdentityId and sync one dataset both ways', async () => {
    await twoDevicesSyncBothWays('google', '109876543210987654321');
  });

  it('two devices of one user-pool user share one IdentityId and sync one dataset both ways', async () => {
    await twoDevicesSyncBothWays('userPool', '7d8ca528-4931-4254-9273-ea5ee853f271');
  });

  it('two devices of one Facebook user and of one SAML user do too', async () => {
    await twoDevicesSyncBothWays('facebook', '10210000000000001');
    await twoDevicesSyncBothWays('saml', 'employee-4711');
  });

  it('a guest who signs in with a new login keeps their IdentityId and their data', async () => {
    const guest = await guestDevice();
    const asGuest = new SyncDevice(guest.sync, { IdentityPoolId: poolId, IdentityId: guest.identityId, DatasetName: 'progress' });
    asGuest.put('level', '7');
    await asGuest.sync();

    const signedIn = await signInDevice('apple', '001234.guest-who-signs-in.0001', guest.identityId);
    assert.equal(signedIn.identityId, guest.identityId);
    // The login now leads to this identity from any device, and the identity needs the login from now on.
    const other = await signInDevice('apple', '001234.guest-who-signs-in.0001');
    assert.equal(other.identityId, guest.identityId);
    const unauthenticated = await server
      .identityClient()
      .send(new GetCredentialsForIdentityCommand({ IdentityId: guest.identityId }))
      .then(
        () => 'issued',
        (error: Error) => error.name,
      );
    assert.equal(unauthenticated, 'NotAuthorizedException');
    const onOther = new SyncDevice(other.sync, { IdentityPoolId: poolId, IdentityId: guest.identityId, DatasetName: 'progress' });
    await onOther.pull();
    assert.deepEqual(onOther.values(), { level: '7' });
  });

  it('a guest who signs in to an account that already has an identity is merged into it, and their data is visible', async () => {
    const user = 'amzn1.account.AF2ABCDEFGHIJKLMNOP';
    const account = await signInDevice('amazon', user);
    const onAccount = new SyncDevice(account.sync, { IdentityPoolId: poolId, IdentityId: account.identityId, DatasetName: 'settings' });
    onAccount.put('volume', '3');
    await onAccount.sync();

    const guest = await guestDevice();
    const asGuest = new SyncDevice(guest.sync, { IdentityPoolId: poolId, IdentityId: guest.identityId, DatasetName: 'settings' });
    asGuest.put('volume', '9');
    asGuest.put('played', 'yes');
    await asGuest.sync();

    // The guest's device signs in: the answer names the account's identity, as the SDKs expect to switch over.
    const merged = await signInDevice('amazon', user, guest.identityId);
    assert.equal(merged.identityId, account.identityId);
    const datasets = await merged.sync.send(new ListDatasetsCommand({ IdentityPoolId: poolId, IdentityId: account.identityId }));
    assert.deepEqual(datasets.Datasets!.map((d) => d.DatasetName).sort(), ['settings', `settings.${guest.identityId}`]);
    const settings = await merged.sync.send(new ListRecordsCommand({ IdentityPoolId: poolId, IdentityId: account.identityId, DatasetName: 'settings' }));
    assert.deepEqual(settings.MergedDatasetNames, [`settings.${guest.identityId}`]);
    assert.deepEqual(Object.fromEntries(settings.Records!.map((r) => [r.Key, r.Value])), { volume: '3' });
    const guestData = await merged.sync.send(
      new ListRecordsCommand({ IdentityPoolId: poolId, IdentityId: account.identityId, DatasetName: `settings.${guest.identityId}` }),
    );
    assert.deepEqual(Object.fromEntries(guestData.Records!.map((r) => [r.Key, r.Value])), { volume: '9', played: 'yes' });
    // The guest's id now stands for the account: signing in with it again lands on the account.
    assert.equal((await signInDevice('amazon', user, guest.identityId)).identityId, account.identityId);
  });
});
