// Signing in with every login provider Cognito Identity supports, each verified for real against a stand-in that
// speaks its protocol (test/helpers/login-providers/), reached through --login-provider-endpoint: Cognito user
// pools, Google, Apple and a generic OpenID Connect issuer (discovery, JWKS, key rotation), Facebook's Graph API,
// Login with Amazon, Twitter's OAuth 1.0a verify_credentials, and a SAML IdP signing real assertions.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateIdentityPoolCommand,
  DescribeIdentityCommand,
  GetCredentialsForIdentityCommand,
  GetIdCommand,
  GetOpenIdTokenCommand,
  GetOpenIdTokenForDeveloperIdentityCommand,
  UnlinkIdentityCommand,
  UpdateIdentityPoolCommand,
} from '@aws-sdk/client-cognito-identity';
import { decodeJwt } from 'jose';
import { DEVELOPER_PROVIDER } from './helpers/identity-flows.ts';
import {
  APPLE,
  APPLE_SERVICES_ID,
  FACEBOOK,
  GOOGLE,
  GOOGLE_CLIENT_ID,
  LOGIN_KEY,
  LoginProviderStandIns,
  OIDC,
  OIDC_CLIENT_ID,
  PROVIDER_KINDS,
  type ProviderKind,
  SAML_ARN,
  USER_POOL,
  USER_POOL_CLIENT_ID,
} from './helpers/login-providers/provider-stand-ins.ts';
import { errorOf, startServer, type TestServer } from './helpers/server.ts';

async function assertRefused(promise: Promise<unknown>, code: string, message: RegExp) {
  const error = await errorOf(promise);
  assert.equal(error.name, code, `expected ${code}, got ${error.name}: ${error.message}`);
  assert.equal(error.$metadata.httpStatusCode, 400);
  assert.match(error.message, message);
}

describe('signing in with login providers', { timeout: 180_000 }, () => {
  let standIns: LoginProviderStandIns;
  let server: TestServer;
  let poolId: string;
  let subjectCounter = 0;
  const subject = (kind: ProviderKind) => (kind === 'twitter' || kind === 'facebook' ? String(1_000_000 + ++subjectCounter) : `${kind}-user-${++subjectCounter}`);
  const identity = () => server.identityClient();
  const getId = (logins: Record<string, string>, pool = poolId) => identity().send(new GetIdCommand({ IdentityPoolId: pool, Logins: logins }));
  const credentials = (identityId: string, logins?: Record<string, string>) =>
    identity().send(new GetCredentialsForIdentityCommand({ IdentityId: identityId, Logins: logins }));

  before(async () => {
    standIns = await LoginProviderStandIns.start();
    server = await startServer({ args: standIns.serverArgs() });
    const pool = await identity().send(
      new CreateIdentityPoolCommand({
        IdentityPoolName: 'every-provider',
        AllowUnauthenticatedIdentities: true,
        DeveloperProviderName: DEVELOPER_PROVIDER,
        ...standIns.poolSettings(),
      }),
    );
    poolId = pool.IdentityPoolId!;
  });
  after(async () => {
    await server?.dispose();
    await standIns?.stop();
  });

  for (const kind of PROVIDER_KINDS) {
    it(`${kind}: a verified login gets one authenticated identity, found again on the next sign-in, usable only with a login`, async () => {
      const user = subject(kind);
      const first = await getId(await standIns.login(kind, user));
      const again = await getId(await standIns.login(kind, user));
      assert.equal(again.IdentityId, first.IdentityId);
      const other = await getId(await standIns.login(kind, subject(kind)));
      assert.notEqual(other.IdentityId, first.IdentityId);

      const logins = await standIns.login(kind, user);
      const issued = await credentials(first.IdentityId!, logins);
      assert.equal(issued.IdentityId, first.IdentityId);
      assert.ok(issued.Credentials?.SessionToken);
      await assertRefused(credentials(first.IdentityId!), 'NotAuthorizedException', /Access to Identity '.*' is forbidden/);

      const described = await identity().send(new DescribeIdentityCommand({ IdentityId: first.IdentityId }));
      assert.deepEqual(described.Logins, [LOGIN_KEY[kind]]);

      const { Token } = await identity().send(new GetOpenIdTokenCommand({ IdentityId: first.IdentityId, Logins: await standIns.login(kind, user) }));
      const amr = decodeJwt(Token!).amr as string[];
      assert.ok(amr.includes('authenticated') && amr.includes(LOGIN_KEY[kind]), JSON.stringify(amr));
      assert.ok(amr.some((m) => m.startsWith(`${LOGIN_KEY[kind]}:`) && m.endsWith(user)), JSON.stringify(amr));
    });
  }
});
