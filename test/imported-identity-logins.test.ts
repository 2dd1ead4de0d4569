// Users of identities imported from AWS sign in again. AWS never reveals a public-provider login's user id, so
// `npm run import` gives such identities a placeholder per provider; the operator's mapping file
// (--login-mapping-file: identity id, provider, subject) then links a user's first verified login to their imported
// identity, and only to an identity of the login's pool that was imported with that provider. The source here is
// this server itself with real provider logins; the import runs the real importer into another store.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CreateIdentityPoolCommand, DescribeIdentityCommand, GetCredentialsForIdentityCommand, GetIdCommand } from '@aws-sdk/client-cognito-identity';
import { ListRecordsCommand } from '@aws-sdk/client-cognito-sync';
import { LoginProviderStandIns, type ProviderKind } from './helpers/login-providers/provider-stand-ins.ts';
import { databaseUrlFor, dropSchema, testSchemaName } from './helpers/postgres.ts';
import { errorOf, newDeveloperCredentials, startServer, TEST_STORE, type TestServer } from './helpers/server.ts';
import { SyncDevice } from './helpers/sync-device.ts';

const IMPORT_CLI = new URL('../dist/import/cli.js', import.meta.url).pathname;

function runImport(args: string[], credentials: { accessKeyId: string; secretAccessKey: string }): Promise<{ code: number | null; output: string }> {
  const env: Record<string, string | undefined> = { ...process.env };
  for (const name of Object.keys(env)) if (name.startsWith('AWS_') || name.startsWith('COGNITO_SYNC_')) delete env[name];
  Object.assign(env, {
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
    AWS_CONFIG_FILE: '/nonexistent/config',
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
  });
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [IMPORT_CLI, ...args], { env: env as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.once('close', (code) => resolve({ code, output }));
  });
}

describe('imported identities: their users sign in again through the login mapping', { timeout: 180_000 }, () => {
  let standIns: LoginProviderStandIns;
  let source: TestServer;
  let target: TestServer;
  const targetDir = mkdtempSync(join(tmpdir(), 'import-logins-'));
  const targetDeveloper = newDeveloperCredentials();
  let poolId: string;
  const imported: Record<string, string> = {};

  async function signIn(server: TestServer, kind: ProviderKind, user: string) {
    const { IdentityId } = await server.identityClient().send(new GetIdCommand({ IdentityPoolId: poolId, Logins: await standIns.login(kind, user) }));
    const answer = await server.identityClient().send(new GetCredentialsForIdentityCommand({ IdentityId, Logins: await standIns.login(kind, user) }));
    const c = answer.Credentials!;
    return { identityId: answer.IdentityId!, sync: server.syncClient({ accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretKey!, sessionToken: c.SessionToken! }) };
  }

  before(async () => {
    standIns = await LoginProviderStandIns.start();
    source = await startServer({ args: standIns.serverArgs() });
    poolId = (
      await source.identityClient().send(
        new CreateIdentityPoolCommand({ IdentityPoolName: 'imported', AllowUnauthenticatedIdentities: true, ...standIns.poolSettings() }),
      )
    ).IdentityPoolId!;
    // On the source (standing in for AWS): a Google user with data, a Facebook user, and a guest.
    const googleUser = await signIn(source, 'google', 'google-sub-42');
    imported.google = googleUser.identityId;
    const notes = new SyncDevice(googleUser.sync, { IdentityPoolId: poolId, IdentityId: googleUser.identityId, DatasetName: 'notes' });
    notes.put('first', 'written on AWS');
    await notes.sync();
    imported.facebook = (await signIn(source, 'facebook', '6000001')).identityId;
    imported.guest = (await source.identityClient().send(new GetIdCommand({ IdentityPoolId: poolId }))).IdentityId!;

    // The target store gets its developer key from a first start, then the import (SQLite needs the server stopped).
    await (await startServer({ dataDir: targetDir, developer: targetDeveloper })).stop();
    const store = TEST_STORE === 'postgres' ? ['--database-url', databaseUrlFor(testSchemaName(targetDir))] : ['--data-dir', targetDir];
    const run = await runImport(
      ['--source-region', 'us-east-1', '--source-endpoint-url', source.url, '--identity-pool-id', poolId, '--account-id', targetDeveloper.accountId, ...store],
      source.developer,
    );
    assert.equal(run.code, 0, run.output);

    const mapping = join(targetDir, 'login-mapping.csv');
    writeFileSync(
      mapping,
      [
        '# identity id,provider,subject (from our own user records)',
        `${imported.google},accounts.google.com,google-sub-42`,
        // The guest was never linked to Facebook, nor the Facebook user to Apple: these lines must not count.
        `${imported.guest},graph.facebook.com,6000002`,
        `${imported.facebook},appleid.apple.com,apple-sub-7`,
        '',
      ].join('\n'),
    );
    target = await startServer({ dataDir: targetDir, developer: targetDeveloper, args: [...standIns.serverArgs(), '--login-mapping-file', mapping] });
  });
  after(async () => {
    await target?.dispose();
    await source?.dispose();
    await standIns?.stop();
    rmSync(targetDir, { recursive: true, force: true });
    if (TEST_STORE === 'postgres') await dropSchema(testSchemaName(targetDir));
  });

  it("an imported identity's id alone gets nothing", async () => {
    const error = await errorOf(target.identityClient().send(new GetCredentialsForIdentityCommand({ IdentityId: imported.google })));
    assert.equal(error.name, 'NotAuthorizedException');
    assert.match(error.message, /is forbidden/);
  });

  it('a mapped user signs in to their imported identity and finds their data', async () => {
    const googleUser = await signIn(target, 'google', 'google-sub-42');
    assert.equal(googleUser.identityId, imported.google);
    const notes = await googleUser.sync.send(new ListRecordsCommand({ IdentityPoolId: poolId, IdentityId: imported.google, DatasetName: 'notes' }));
    assert.deepEqual(notes.Records!.map((r) => [r.Key, r.Value]), [['first', 'written on AWS']]);
    const described = await target.identityClient().send(new DescribeIdentityCommand({ IdentityId: imported.google }));
    assert.deepEqual(described.Logins, ['accounts.google.com']);
    // The link is stored: the next sign-in finds it without the mapping's help.
    assert.equal((await signIn(target, 'google', 'google-sub-42')).identityId, imported.google);
  });

  it("an unmapped user, and mapping lines for identities not imported with that provider, start new identities", async () => {
    assert.notEqual((await signIn(target, 'facebook', '6000001')).identityId, imported.facebook);
    assert.notEqual((await signIn(target, 'facebook', '6000002')).identityId, imported.guest);
    assert.notEqual((await signIn(target, 'apple', 'apple-sub-7')).identityId, imported.facebook);
  });
});
