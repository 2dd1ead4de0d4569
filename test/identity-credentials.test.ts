// Temporary credentials from GetCredentialsForIdentity on Cognito Sync: accepted for their own identity,
// refused with AWS's common errors when expired, tampered with, foreign or orphaned, and verifiable by a
// node that did not issue them (nothing about them lives in one process).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { DeleteIdentityPoolCommand, GetCredentialsForIdentityCommand, GetIdCommand, ListIdentityPoolsCommand } from '@aws-sdk/client-cognito-identity';
import { GetIdentityPoolConfigurationCommand, ListDatasetsCommand, ListRecordsCommand } from '@aws-sdk/client-cognito-sync';
import type { AwsCredentialIdentity } from '@smithy/types';
import { createPool, developerIdentity, type IdentityWithCredentials, unauthenticatedIdentity } from './helpers/identity-flows.ts';
import { errorOf, startServer, type TestServer } from './helpers/server.ts';

const CLI = new URL('../dist/cli.js', import.meta.url).pathname;

async function assertRefused(promise: Promise<unknown>, code: string, status: number, message?: RegExp) {
  const error = await errorOf(promise);
  assert.equal(error.name, code, `expected ${code}, got ${error.name}: ${error.message}`);
  assert.equal(error.$metadata.httpStatusCode, status);
  if (message) assert.match(error.message, message);
}

const listRecords = (server: TestServer, who: IdentityWithCredentials, credentials: AwsCredentialIdentity = who.credentials) =>
  server.syncClient(credentials).send(new ListRecordsCommand({ IdentityPoolId: who.identityPoolId, IdentityId: who.identityId, DatasetName: 'settings' }));

/** Accepted: the call succeeds. */
async function assertAccepted(promise: Promise<unknown>) {
  await assert.doesNotReject(promise);
}

let server: TestServer;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server.dispose();
});

describe('identity credentials on Cognito Sync', { timeout: 120_000 }, () => {
  it('reach their own identity', async () => {
    const poolId = await createPool(server);
    const guest = await unauthenticatedIdentity(server, poolId);
    await assertAccepted(listRecords(server, guest));
    await assertAccepted(server.syncClient(guest.credentials).send(new ListDatasetsCommand({ IdentityPoolId: poolId, IdentityId: guest.identityId })));
  });

  it('GetIdentityPoolConfiguration with identity credentials: 403 NotAuthorizedException', async () => {
    const poolId = await createPool(server);
    const guest = await unauthenticatedIdentity(server, poolId);
    await assertRefused(
      server.syncClient(guest.credentials).send(new GetIdentityPoolConfigurationCommand({ IdentityPoolId: poolId })),
      'NotAuthorizedException',
      403,
      /can only be called with developer credentials/,
    );
  });

  it('cannot call developer-only Cognito Identity operations', async () => {
    const poolId = await createPool(server);
    const guest = await unauthenticatedIdentity(server, poolId);
    await assertRefused(server.identityClient(guest.credentials).send(new ListIdentityPoolsCommand({ MaxResults: 10 })), 'NotAuthorizedException', 400);
  });

  it('tampered session token: 403 UnrecognizedClientException', async () => {
    const poolId = await createPool(server);
    const guest = await unauthenticatedIdentity(server, poolId);
    const token = guest.credentials.sessionToken;
    const flipped = token.slice(0, 60) + (token[60] === 'A' ? 'B' : 'A') + token.slice(61);
    await assertRefused(listRecords(server, guest, { ...guest.credentials, sessionToken: flipped }), 'UnrecognizedClientException', 403);
    await assertRefused(listRecords(server, guest, { ...guest.credentials, sessionToken: 'garbage' }), 'UnrecognizedClientException', 403);
  });

  it("another credential's session token, or a wrong secret, is refused", async () => {
    const poolId = await createPool(server);
    const a = await unauthenticatedIdentity(server, poolId);
    const b = await unauthenticatedIdentity(server, poolId);
    await assertRefused(listRecords(server, a, { ...a.credentials, sessionToken: b.credentials.sessionToken }), 'UnrecognizedClientException', 403);
    await assertRefused(listRecords(server, a, { ...a.credentials, secretAccessKey: b.credentials.secretAccessKey }), 'InvalidSignatureException', 403);
  });

  it("foreign credentials (another server's) are unrecognized", async () => {
    const foreign = await startServer({ developer: server.developer });
    try {
      const foreignGuest = await unauthenticatedIdentity(foreign, await createPool(foreign));
      await assertRefused(listRecords(server, foreignGuest), 'UnrecognizedClientException', 403);
    } finally {
      await foreign.dispose();
    }
  });

  it("a deleted pool's identities lose their credentials", async () => {
    const poolId = await createPool(server);
    const guest = await unauthenticatedIdentity(server, poolId);
    await server.identityClient().send(new DeleteIdentityPoolCommand({ IdentityPoolId: poolId }));
    await assertRefused(listRecords(server, guest), 'UnrecognizedClientException', 403, /no longer exists/);
  });

  it('keep working on a node that did not issue them (here: the same data after a restart)', async () => {
    const poolId = await createPool(server);
    const user = await developerIdentity(server, poolId, 'restart-user');
    const developer = server.developer;
    await server.stop();
    server = await startServer({ dataDir: server.dataDir, developer });
    await assertAccepted(listRecords(server, user));
  });

  it('may sign the unsigned operations too (GetId answers as usual)', async () => {
    const poolId = await createPool(server);
    const guest = await unauthenticatedIdentity(server, poolId);
    const { IdentityId } = await server.identityClient(guest.credentials).send(new GetIdCommand({ IdentityPoolId: poolId }));
    assert.ok(IdentityId);
  });
});

describe('credential lifetime', { timeout: 120_000 }, () => {
  it('--credentials-ttl sets Expiration; once past it: 403 ExpiredTokenException', async () => {
    const short = await startServer({ args: ['--credentials-ttl', '2'] });
    try {
      const poolId = await createPool(short);
      const guest = await unauthenticatedIdentity(short, poolId);
      const lifetime = guest.credentials.expiration.getTime() - Date.now();
      assert.ok(lifetime <= 2_000 && lifetime > -1_000, `Expiration is about 2 s away, got ${lifetime} ms`);
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, guest.credentials.expiration.getTime() - Date.now()) + 500));
      await assertRefused(listRecords(short, guest), 'ExpiredTokenException', 403, /^The security token included in the request is expired$/);
      await assertRefused(
        short.syncClient(guest.credentials).send(new GetIdentityPoolConfigurationCommand({ IdentityPoolId: poolId })),
        'ExpiredTokenException',
        403,
      );
      // A fresh set works again.
      const fresh = await short.identityClient().send(new GetCredentialsForIdentityCommand({ IdentityId: guest.identityId }));
      await assertAccepted(
        listRecords(short, guest, { accessKeyId: fresh.Credentials!.AccessKeyId!, secretAccessKey: fresh.Credentials!.SecretKey!, sessionToken: fresh.Credentials!.SessionToken! }),
      );
    } finally {
      await short.dispose();
    }
  });

  it('COGNITO_SYNC_CREDENTIALS_TTL sets it from the environment', async () => {
    const configured = await startServer({ env: { COGNITO_SYNC_CREDENTIALS_TTL: '600' } });
    try {
      const guest = await unauthenticatedIdentity(configured, await createPool(configured));
      const lifetime = guest.credentials.expiration.getTime() - Date.now();
      assert.ok(lifetime > 590_000 && lifetime <= 600_000, `Expiration is 10 minutes away, got ${lifetime} ms`);
    } finally {
      await configured.dispose();
    }
  });

  it('refuses a credentials TTL that is not 1..43200 seconds, with exit code 2', () => {
    for (const ttl of ['0', '43201', 'hour']) {
      const dir = `/tmp/cognito-sync-ttl-${process.pid}-${ttl}`;
      const result = spawnSync(process.execPath, [CLI, '--port', '0', '--data-dir', dir, '--credentials-ttl', ttl], { encoding: 'utf8', timeout: 15_000 });
      rmSync(dir, { recursive: true, force: true });
      assert.equal(result.status, 2, `ttl ${ttl}: ${result.stderr}`);
      assert.match(result.stderr, /credentials-ttl must be an integer from 1 to 43200/);
    }
  });
});
