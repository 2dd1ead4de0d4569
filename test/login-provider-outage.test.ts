// Login providers failing: a provider answering 503, one that cannot be reached, and one that never answers each
// get 400 ExternalServiceException with the cause in the log, never a 500, and a provider that hangs holds only the
// requests waiting for it. Keys are fetched once for concurrent first sign-ins, unknown key ids cause at most one
// refetch per cool-down, and cached keys keep verifying while the provider is down. The overrides are given here
// through COGNITO_SYNC_LOGIN_PROVIDER_ENDPOINTS, the variable form of --login-provider-endpoint.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { CreateIdentityPoolCommand, GetCredentialsForIdentityCommand, GetIdCommand } from '@aws-sdk/client-cognito-identity';
import { APPLE, LoginProviderStandIns, USER_POOL, USER_POOL_CLIENT_ID } from './helpers/login-providers/provider-stand-ins.ts';
import { errorOf, startServer, type TestServer } from './helpers/server.ts';

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', () => resolve()));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

async function until(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('login providers failing', { timeout: 120_000 }, () => {
  let standIns: LoginProviderStandIns;
  let server: TestServer;
  let poolId: string;
  const getId = (logins?: Record<string, string>) => server.identityClient().send(new GetIdCommand({ IdentityPoolId: poolId, Logins: logins }));

  before(async () => {
    standIns = await LoginProviderStandIns.start();
    const overrides = standIns.endpointOverrides().filter((e) => !e.startsWith(`${APPLE}=`));
    overrides.push(`${APPLE}=http://127.0.0.1:${await closedPort()}`);
    server = await startServer({
      args: ['--iam-providers-file', standIns.iamProvidersFile, '--login-provider-timeout-ms', '5000', '--login-provider-key-refetch-seconds', '3600'],
      env: { COGNITO_SYNC_LOGIN_PROVIDER_ENDPOINTS: overrides.join(',') },
    });
    poolId = (
      await server.identityClient().send(
        new CreateIdentityPoolCommand({ IdentityPoolName: 'outages', AllowUnauthenticatedIdentities: true, ...standIns.poolSettings() }),
      )
    ).IdentityPoolId!;
  });
  after(async () => {
    await server?.dispose();
    await standIns?.stop();
  });

  async function assertProviderUnavailable(promise: Promise<unknown>, provider: string) {
    const error = await errorOf(promise);
    assert.equal(error.name, 'ExternalServiceException', error.message);
    assert.equal(error.$metadata.httpStatusCode, 400);
    assert.match(error.message, new RegExp(`login provider '${provider.replace(/\./g, '\\.')}' could not be reached`));
  }

  const loggedFailure = (provider: string, cause: RegExp) =>
    server
      .stdout()
      .split('\n')
      .filter((line) => line.includes('login provider call failed') && line.includes(`"provider":"${provider}"`))
      .some((line) => cause.test(line));

  it('a provider answering 503 gets 400 ExternalServiceException, with the cause in the log', async () => {
    standIns.googleHost.outage = 'failing';
    standIns.facebook.outage = 'failing';
    try {
      await assertProviderUnavailable(getId(await standIns.login('google', 'outage-user')), 'accounts.google.com');
      await assertProviderUnavailable(getId(await standIns.login('facebook', '5000001')), 'graph.facebook.com');
      await until(() => loggedFailure('accounts.google.com', /answered 503/) && loggedFailure('graph.facebook.com', /answered 503/), 'the failures in the log');
    } finally {
      standIns.googleHost.outage = 'none';
      standIns.facebook.outage = 'none';
    }
    // Back up, the same user signs in.
    assert.ok((await getId(await standIns.login('google', 'outage-user'))).IdentityId);
  });

  it('a provider that cannot be reached gets ExternalServiceException, with the cause in the log', async () => {
    await assertProviderUnavailable(getId(await standIns.login('apple', 'unreachable-user')), APPLE);
    await until(() => loggedFailure(APPLE, /ECONNREFUSED/), 'the connection refused in the log');
  });

  it('a provider that never answers gets ExternalServiceException after the timeout, and holds no other request meanwhile', async () => {
    standIns.amazon.outage = 'silent';
    try {
      const stalled = getId(await standIns.login('amazon', 'amzn1.account.STALLED')).then(
        () => 'answered',
        (error: Error) => error,
      );
      await until(() => standIns.amazon.heldRequests === 1, 'the call to reach the provider');
      // While the provider holds that call, a guest, a Google user and a Twitter user are all served.
      const guest = await getId();
      await server.identityClient().send(new GetCredentialsForIdentityCommand({ IdentityId: guest.IdentityId }));
      assert.ok((await getId(await standIns.login('google', 'meanwhile'))).IdentityId);
      assert.ok((await getId(await standIns.login('twitter', '5000002'))).IdentityId);
      assert.equal(standIns.amazon.heldRequests, 1, 'the slow call was still waiting all along');
      const outcome = await stalled;
      assert.ok(outcome instanceof Error);
      await assertProviderUnavailable(Promise.reject(outcome), 'www.amazon.com');
      await until(() => loggedFailure('www.amazon.com', /no answer within 5000 ms/), 'the timeout in the log');
    } finally {
      standIns.amazon.outage = 'none';
    }
  });

  it("concurrent first sign-ins fetch a provider's keys once; unknown key ids cause no refetch within the cool-down", async () => {
    const jwks = standIns.userPool.jwksPath;
    assert.equal(standIns.userPoolHost.requestsTo(jwks), 0);
    const users = Array.from({ length: 8 }, (_, i) => `concurrent-${i}`);
    const ids = await Promise.all(users.map(async (user) => (await getId(await standIns.login('userPool', user))).IdentityId));
    assert.equal(new Set(ids).size, users.length);
    assert.equal(standIns.userPoolHost.requestsTo(jwks), 1);
    for (let i = 0; i < 5; i++) {
      const forged = await standIns.userPool.token({ sub: 'x', aud: USER_POOL_CLIENT_ID, token_use: 'id' }, { kid: `made-up-${i}` });
      const error = await errorOf(getId({ [USER_POOL]: forged }));
      assert.match(error.message, /Couldn't verify signed token/);
    }
    assert.equal(standIns.userPoolHost.requestsTo(jwks), 1, 'no refetch within the cool-down');
  });

  it('cached keys keep verifying while the provider is down', async () => {
    assert.ok((await getId(await standIns.login('oidc', 'before-outage'))).IdentityId);
    standIns.oidcHost.outage = 'failing';
    try {
      assert.ok((await getId(await standIns.login('oidc', 'during-outage'))).IdentityId);
    } finally {
      standIns.oidcHost.outage = 'none';
    }
  });
});
