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
    // Key refetch without a cool-down, so a rotation is seen at once (the cool-down itself: login-provider-outage.test.ts).
    server = await startServer({ args: [...standIns.serverArgs(), '--login-provider-key-refetch-seconds', '0'] });
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
  const jwtKinds = ['userPool', 'google', 'apple', 'oidc'] as const;
  const issuerOf = (kind: (typeof jwtKinds)[number]) => standIns[kind];
  const audienceOf = { userPool: USER_POOL_CLIENT_ID, google: GOOGLE_CLIENT_ID, apple: APPLE_SERVICES_ID, oidc: OIDC_CLIENT_ID };
  const extraClaims = (kind: string) => (kind === 'userPool' ? { token_use: 'id' } : {});

  for (const kind of jwtKinds) {
    it(`${kind}: expired, wrong issuer, wrong audience, bad signature, not yet valid and malformed tokens are refused in AWS's words`, async () => {
      const issuer = issuerOf(kind);
      const now = Math.floor(Date.now() / 1000);
      const base = { sub: subject(kind), aud: audienceOf[kind], ...extraClaims(kind) };
      const present = (token: string) => getId({ [LOGIN_KEY[kind]]: token });
      await assertRefused(
        present(await issuer.token({ ...base, iat: now - 7200, exp: now - 3600 })),
        'NotAuthorizedException',
        /^Invalid login token\. Token expired: \d+ >= \d+$/,
      );
      await assertRefused(
        present(await issuer.token({ ...base, iss: 'https://issuer.example.net' })),
        'NotAuthorizedException',
        /^Invalid login token\. Issuer doesn't match providerName$/,
      );
      await assertRefused(
        present(await issuer.token({ ...base, aud: 'someone-elses-app' })),
        'NotAuthorizedException',
        kind === 'userPool' ? /^Token is not from a supported provider of this identity pool\.$/ : /^Invalid login token\. Incorrect token audience\.$/,
      );
      await assertRefused(present(await issuer.token(base, { signedBy: 'stranger' })), 'NotAuthorizedException', /^Invalid login token\. Couldn't verify signed token\.$/);
      await assertRefused(present(await issuer.token(base, { kid: 'no-such-key' })), 'NotAuthorizedException', /Couldn't verify signed token/);
      await assertRefused(present(await issuer.token({ ...base, nbf: now + 3600 })), 'NotAuthorizedException', /Token not valid yet/);
      await assertRefused(present('not.a.jwt'), 'NotAuthorizedException', /Not a valid OpenId Connect identity token/);
    });
  }

  it('user pools: an access token (no aud) and a token that is not an ID token are refused', async () => {
    const user = subject('userPool');
    const access = await standIns.userPool.token({ sub: user, token_use: 'access', client_id: USER_POOL_CLIENT_ID, scope: 'aws.cognito.signin.user.admin' } as never);
    await assertRefused(getId({ [USER_POOL]: access }), 'NotAuthorizedException', /^Invalid login token\. Missing a required claim: aud$/);
    const notId = await standIns.userPool.token({ sub: user, aud: USER_POOL_CLIENT_ID, token_use: 'access' });
    await assertRefused(getId({ [USER_POOL]: notId }), 'NotAuthorizedException', /Not a Cognito ID token/);
    // Another user pool of the same host, which the identity pool does not name.
    await assertRefused(getId({ 'cognito-idp.us-east-1.amazonaws.com/us-east-1_Other': notId }), 'NotAuthorizedException', /not from a supported provider/);
  });

  it('an unknown provider, a provider the pool does not name, and Digits are refused', async () => {
    await assertRefused(getId({ 'accounts.example.com': 'token' }), 'NotAuthorizedException', /^Token is not from a supported provider of this identity pool\.$/);
    const googleOnly = await identity().send(
      new CreateIdentityPoolCommand({ IdentityPoolName: 'google-only', AllowUnauthenticatedIdentities: false, SupportedLoginProviders: { [GOOGLE]: GOOGLE_CLIENT_ID } }),
    );
    for (const kind of ['facebook', 'userPool', 'saml', 'oidc'] as const) {
      await assertRefused(getId(await standIns.login(kind, subject(kind)), googleOnly.IdentityPoolId), 'NotAuthorizedException', /not from a supported provider/);
    }
    assert.ok((await getId(await standIns.login('google', subject('google')), googleOnly.IdentityPoolId)).IdentityId);
    const digits = await identity().send(
      new CreateIdentityPoolCommand({ IdentityPoolName: 'digits', AllowUnauthenticatedIdentities: false, SupportedLoginProviders: { 'www.digits.com': 'key;secret' } }),
    );
    await assertRefused(getId({ 'www.digits.com': 'token;secret' }, digits.IdentityPoolId), 'NotAuthorizedException', /Digits .*shut Digits down in 2017/);
  });

  it('an OIDC provider the operator did not describe in --iam-providers-file is refused, naming the fix', async () => {
    const unknownArn = 'arn:aws:iam::123456789012:oidc-provider/other.example.com';
    const pool = await identity().send(
      new CreateIdentityPoolCommand({ IdentityPoolName: 'undescribed', AllowUnauthenticatedIdentities: false, OpenIdConnectProviderARNs: [unknownArn] }),
    );
    await assertRefused(getId({ 'other.example.com': 'token' }, pool.IdentityPoolId), 'NotAuthorizedException', /not configured on this server/);
  });

  it("Facebook, Login with Amazon and Twitter: tokens their APIs reject, and tokens of another app, are refused", async () => {
    const revoked = standIns.facebook.issueToken('2000001', '1234567890123');
    standIns.facebook.revoke(revoked);
    await assertRefused(getId({ [FACEBOOK]: revoked }), 'NotAuthorizedException', /Facebook did not accept the token: Invalid OAuth access token/);
    await assertRefused(getId({ [FACEBOOK]: standIns.facebook.issueToken('2000002', '999') }), 'NotAuthorizedException', /Incorrect token audience/);
    await assertRefused(getId({ 'www.amazon.com': 'Atza|unknown' }), 'NotAuthorizedException', /Login with Amazon did not accept the token: The request has an invalid parameter/);
    await assertRefused(getId({ 'www.amazon.com': standIns.amazon.issueToken('amzn1.account.X', 'amzn1.application.other') }), 'NotAuthorizedException', /Incorrect token audience/);
    const [token] = (await standIns.token('twitter', '3000001')).split(';');
    await assertRefused(getId({ 'api.twitter.com': `${token};wrong-secret` }), 'NotAuthorizedException', /Twitter did not accept the token: Could not authenticate you/);
    await assertRefused(getId({ 'api.twitter.com': 'no-secret' }), 'NotAuthorizedException', /accessToken;accessTokenSecret/);
  });

  it('SAML: a tampered assertion, another key, another audience, an expired assertion and another issuer are refused', async () => {
    const saml = (options: Parameters<typeof standIns.samlIdp.response>[0]) => getId({ [SAML_ARN]: standIns.samlIdp.response(options) });
    await assertRefused(saml({ nameId: 'alice', tamperNameId: 'mallory' }), 'NotAuthorizedException', /Couldn't verify signed token/);
    await assertRefused(saml({ nameId: 'alice', signedBy: 'stranger' }), 'NotAuthorizedException', /Couldn't verify signed token/);
    await assertRefused(saml({ nameId: 'alice', audience: 'https://sp.example.org' }), 'NotAuthorizedException', /Incorrect token audience/);
    await assertRefused(saml({ nameId: 'alice', validForSeconds: -120 }), 'NotAuthorizedException', /Not a valid SAML response: SAML assertion expired/);
    await assertRefused(saml({ nameId: 'alice', issuer: 'https://idp.example.net' }), 'NotAuthorizedException', /Issuer doesn't match providerName/);
    await assertRefused(getId({ [SAML_ARN]: 'bm90IFhNTA==' }), 'NotAuthorizedException', /Not a valid SAML response/);
  });

  it('several providers in one Logins map link to one identity, which each of them finds later', async () => {
    const googleUser = subject('google');
    const facebookUser = subject('facebook');
    const both = await getId({ ...(await standIns.login('google', googleUser)), ...(await standIns.login('facebook', facebookUser)) });
    assert.equal((await getId(await standIns.login('facebook', facebookUser))).IdentityId, both.IdentityId);
    assert.equal((await getId(await standIns.login('google', googleUser))).IdentityId, both.IdentityId);
    const described = await identity().send(new DescribeIdentityCommand({ IdentityId: both.IdentityId }));
    assert.deepEqual(described.Logins!.sort(), [GOOGLE, FACEBOOK].sort());
  });

  it('an authenticated identity links a new login it presents beside one of its own', async () => {
    const user = subject('google');
    const { IdentityId } = await getId(await standIns.login('google', user));
    const appleUser = subject('apple');
    await credentials(IdentityId!, { ...(await standIns.login('google', user)), ...(await standIns.login('apple', appleUser)) });
    assert.equal((await getId(await standIns.login('apple', appleUser))).IdentityId, IdentityId);
    // With only the new login, the identity is still found, and credentials come with it alone.
    assert.equal((await credentials(IdentityId!, await standIns.login('apple', appleUser))).IdentityId, IdentityId);
  });

  it("a login linked to another identity is refused for an authenticated identity; without one of its own logins: Logins don't match", async () => {
    const alice = subject('google');
    const bob = subject('google');
    const bobFacebook = subject('facebook');
    const aliceId = (await getId(await standIns.login('google', alice))).IdentityId!;
    const bobId = (await getId({ ...(await standIns.login('google', bob)), ...(await standIns.login('facebook', bobFacebook)) })).IdentityId!;
    await assertRefused(
      credentials(aliceId, { ...(await standIns.login('google', alice)), ...(await standIns.login('facebook', bobFacebook)) }),
      'ResourceConflictException',
      /'graph\.facebook\.com' login is already linked to another identity/,
    );
    await assertRefused(
      credentials(aliceId, await standIns.login('google', bob)),
      'NotAuthorizedException',
      /^Logins don't match\. Please include at least one valid login for this identity or identity pool\.$/,
    );
    await assertRefused(
      getId({ ...(await standIns.login('google', alice)), ...(await standIns.login('facebook', bobFacebook)) }),
      'ResourceConflictException',
      /belong to different identities/,
    );
    // Nothing moved: each login still leads to its own identity.
    assert.equal((await getId(await standIns.login('facebook', bobFacebook))).IdentityId, bobId);
    assert.equal((await getId(await standIns.login('google', alice))).IdentityId, aliceId);
  });

  for (const kind of jwtKinds) {
    it(`${kind}: after a key rotation, a token signed with the new key is accepted after exactly one refetch of the keys`, async () => {
      const issuer = issuerOf(kind);
      const host = { userPool: standIns.userPoolHost, google: standIns.googleHost, apple: standIns.appleHost, oidc: standIns.oidcHost }[kind];
      const user = subject(kind);
      const { IdentityId } = await getId(await standIns.login(kind, user)); // keys cached
      const fetchesBefore = host.requestsTo(issuer.jwksPath);
      await issuer.rotate();
      assert.equal((await getId(await standIns.login(kind, user))).IdentityId, IdentityId);
      assert.equal(host.requestsTo(issuer.jwksPath), fetchesBefore + 1);
      assert.equal((await getId(await standIns.login(kind, user))).IdentityId, IdentityId);
      assert.equal(host.requestsTo(issuer.jwksPath), fetchesBefore + 1, 'the new key is cached');
    });
  }

  it('UnlinkIdentity removes the named providers of an identity proven by one of its logins; the last one disables it', async () => {
    const user = subject('google');
    const facebookUser = subject('facebook');
    const { IdentityId } = await getId({ ...(await standIns.login('google', user)), ...(await standIns.login('facebook', facebookUser)) });
    const unlink = async (logins: Record<string, string>, remove: string[]) =>
      identity().send(new UnlinkIdentityCommand({ IdentityId, Logins: logins, LoginsToRemove: remove }));
    await assertRefused(unlink(await standIns.login('google', subject('google')), [FACEBOOK]), 'NotAuthorizedException', /Logins don't match/);
    await assertRefused(unlink({}, [FACEBOOK]), 'NotAuthorizedException', /is forbidden/);
    await assertRefused(unlink(await standIns.login('google', user), [DEVELOPER_PROVIDER]), 'InvalidParameterException', /UnlinkDeveloperIdentity/);
    await unlink(await standIns.login('google', user), [FACEBOOK]);
    const described = await identity().send(new DescribeIdentityCommand({ IdentityId }));
    assert.deepEqual(described.Logins, [GOOGLE]);
    // The unlinked login is free: it starts a new identity.
    assert.notEqual((await getId(await standIns.login('facebook', facebookUser))).IdentityId, IdentityId);
    await unlink(await standIns.login('google', user), [GOOGLE]);
    await assertRefused(credentials(IdentityId!, await standIns.login('google', user)), 'NotAuthorizedException', /disabled/);
    assert.notEqual((await getId(await standIns.login('google', user))).IdentityId, IdentityId);
  });

  it('GetOpenIdTokenForDeveloperIdentity links a public login presented beside the developer user', async () => {
    const googleUser = subject('google');
    const { IdentityId } = await identity().send(
      new GetOpenIdTokenForDeveloperIdentityCommand({
        IdentityPoolId: poolId,
        Logins: { [DEVELOPER_PROVIDER]: `dev-${googleUser}`, ...(await standIns.login('google', googleUser)) },
      }),
    );
    assert.equal((await getId(await standIns.login('google', googleUser))).IdentityId, IdentityId);
    await assertRefused(
      identity().send(
        new GetOpenIdTokenForDeveloperIdentityCommand({ IdentityPoolId: poolId, Logins: { [DEVELOPER_PROVIDER]: 'dev-other', [GOOGLE]: 'not.a.jwt' } }),
      ),
      'NotAuthorizedException',
      /Not a valid OpenId Connect identity token/,
    );
  });
});
