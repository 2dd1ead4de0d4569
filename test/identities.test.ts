// Cognito Identity's identity operations over HTTP with the AWS SDK v3 client: the unauthenticated and
// developer-authenticated flows, OpenID tokens checked against the published JWKS, identity management,
// developer user identifiers (lookup, merge, unlink), and every bad input the issue lists.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  DeleteIdentitiesCommand,
  DescribeIdentityCommand,
  GetCredentialsForIdentityCommand,
  GetIdCommand,
  GetOpenIdTokenCommand,
  GetOpenIdTokenForDeveloperIdentityCommand,
  ListIdentitiesCommand,
  LookupDeveloperIdentityCommand,
  MergeDeveloperIdentitiesCommand,
  UnlinkDeveloperIdentityCommand,
  UpdateIdentityPoolCommand,
} from '@aws-sdk/client-cognito-identity';
import { ListDatasetsCommand, ListRecordsCommand, UpdateRecordsCommand } from '@aws-sdk/client-cognito-sync';
import { createLocalJWKSet, decodeJwt, type JSONWebKeySet, jwtVerify } from 'jose';
import { COGNITO_LOGIN, createPool, DEVELOPER_PROVIDER, developerIdentity, unauthenticatedIdentity } from './helpers/identity-flows.ts';
import { errorOf, startServer, type TestServer } from './helpers/server.ts';

const ISSUER = 'https://cognito-identity.amazonaws.com';
const IDENTITY_ID = /^us-east-1:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

async function assertRefused(promise: Promise<unknown>, code: string, status: number, message?: RegExp) {
  const error = await errorOf(promise);
  assert.equal(error.name, code, `expected ${code}, got ${error.name}: ${error.message}`);
  assert.equal(error.$metadata.httpStatusCode, status);
  if (message) assert.match(error.message, message);
}

/** A Cognito Sync call the identity's credentials may make: it must succeed. */
async function assertSyncAccepts(server: TestServer, who: { identityPoolId: string; identityId: string; credentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string } }) {
  const answer = await server.syncClient(who.credentials).send(new ListDatasetsCommand({ IdentityPoolId: who.identityPoolId, IdentityId: who.identityId }));
  assert.ok(Array.isArray(answer.Datasets));
}

let server: TestServer;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server.dispose();
});

describe('unauthenticated identities', { timeout: 300_000 }, () => {
  it('GetId → GetCredentialsForIdentity → a CognitoSyncClient on those credentials', async () => {
    const poolId = await createPool(server);
    const { IdentityId } = await server.identityClient().send(new GetIdCommand({ IdentityPoolId: poolId }));
    assert.match(IdentityId!, IDENTITY_ID);
    const answer = await server.identityClient().send(new GetCredentialsForIdentityCommand({ IdentityId }));
    assert.equal(answer.IdentityId, IdentityId);
    const c = answer.Credentials!;
    assert.match(c.AccessKeyId!, /^ASIA[A-Z2-7]{16}$/);
    assert.ok(c.SecretKey!.length >= 40);
    assert.ok(c.SessionToken!.length > 100);
    const lifetime = c.Expiration!.getTime() - Date.now();
    assert.ok(lifetime > 55 * 60_000 && lifetime <= 60 * 60_000 + 5_000, `default lifetime is one hour, got ${lifetime} ms`);
    await assertSyncAccepts(server, {
      identityPoolId: poolId,
      identityId: IdentityId!,
      credentials: { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretKey!, sessionToken: c.SessionToken! },
    });
  });

  it('gives every GetId a new identity, and fresh credentials on every GetCredentialsForIdentity', async () => {
    const poolId = await createPool(server);
    const a = await unauthenticatedIdentity(server, poolId);
    const b = await unauthenticatedIdentity(server, poolId);
    assert.notEqual(a.identityId, b.identityId);
    const again = await server.identityClient().send(new GetCredentialsForIdentityCommand({ IdentityId: a.identityId }));
    assert.equal(again.IdentityId, a.identityId);
    assert.notEqual(again.Credentials!.AccessKeyId, a.credentials.accessKeyId);
  });

  it('GetId with a matching AccountId works; with another account it is a missing pool', async () => {
    const poolId = await createPool(server);
    const ok = await server.identityClient().send(new GetIdCommand({ IdentityPoolId: poolId, AccountId: server.developer.accountId }));
    assert.match(ok.IdentityId!, IDENTITY_ID);
    await assertRefused(server.identityClient().send(new GetIdCommand({ IdentityPoolId: poolId, AccountId: '999999999999' })), 'ResourceNotFoundException', 400);
  });

  it('refuses unauthenticated access on a pool that does not allow it: NotAuthorizedException', async () => {
    const poolId = await createPool(server, { allowUnauthenticated: false });
    await assertRefused(
      server.identityClient().send(new GetIdCommand({ IdentityPoolId: poolId })),
      'NotAuthorizedException',
      400,
      /Unauthenticated access is not supported for this identity pool/,
    );
  });

  it('stops giving credentials to unauthenticated identities once the pool disallows them', async () => {
    const poolId = await createPool(server);
    const identity = await unauthenticatedIdentity(server, poolId);
    await server.identityClient().send(
      new UpdateIdentityPoolCommand({ IdentityPoolId: poolId, IdentityPoolName: 'closed', AllowUnauthenticatedIdentities: false, DeveloperProviderName: DEVELOPER_PROVIDER }),
    );
    await assertRefused(server.identityClient().send(new GetCredentialsForIdentityCommand({ IdentityId: identity.identityId })), 'NotAuthorizedException', 400);
    await assertRefused(server.identityClient().send(new GetOpenIdTokenCommand({ IdentityId: identity.identityId })), 'NotAuthorizedException', 400);
  });

  it('answers unknown pools and identities with ResourceNotFoundException', async () => {
    await assertRefused(
      server.identityClient().send(new GetIdCommand({ IdentityPoolId: 'us-east-1:00000000-0000-0000-0000-000000000000' })),
      'ResourceNotFoundException',
      400,
      /IdentityPool 'us-east-1:00000000-0000-0000-0000-000000000000' not found/,
    );
    const unknown = 'us-east-1:11111111-1111-1111-1111-111111111111';
    await assertRefused(server.identityClient().send(new GetCredentialsForIdentityCommand({ IdentityId: unknown })), 'ResourceNotFoundException', 400, /Identity 'us-east-1:1111/);
    await assertRefused(server.identityClient().send(new GetOpenIdTokenCommand({ IdentityId: unknown })), 'ResourceNotFoundException', 400);
    await assertRefused(server.identityClient().send(new DescribeIdentityCommand({ IdentityId: unknown })), 'ResourceNotFoundException', 400);
  });

  it('validates ids against the model: InvalidParameterException naming the member', async () => {
    const error = await errorOf(server.identityClient().send(new GetCredentialsForIdentityCommand({ IdentityId: 'not-an-identity' })));
    assert.equal(error.name, 'InvalidParameterException');
    assert.match(error.message, /identityId/i);
  });
});

describe('developer-authenticated identities', { timeout: 300_000 }, () => {
  it('GetOpenIdTokenForDeveloperIdentity → GetCredentialsForIdentity with the token → Cognito Sync', async () => {
    const poolId = await createPool(server);
    const alice = await developerIdentity(server, poolId, 'alice');
    assert.match(alice.identityId, IDENTITY_ID);
    assert.match(alice.credentials.accessKeyId, /^ASIA/);
    await assertSyncAccepts(server, alice);

    // The same user gets the same identity; another user gets another.
    const again = await server.identityClient().send(
      new GetOpenIdTokenForDeveloperIdentityCommand({ IdentityPoolId: poolId, Logins: { [DEVELOPER_PROVIDER]: 'alice' } }),
    );
    assert.equal(again.IdentityId, alice.identityId);
    const bob = await developerIdentity(server, poolId, 'bob');
    assert.notEqual(bob.identityId, alice.identityId);

    // GetId with the token names the same identity (the client side of the developer flow).
    const viaGetId = await server.identityClient().send(new GetIdCommand({ IdentityPoolId: poolId, Logins: { [COGNITO_LOGIN]: alice.token } }));
    assert.equal(viaGetId.IdentityId, alice.identityId);
  });

  it('refuses credentials for an authenticated identity without a valid login for it', async () => {
    const poolId = await createPool(server);
    const alice = await developerIdentity(server, poolId, 'alice');
    const bob = await developerIdentity(server, poolId, 'bob');
    await assertRefused(
      server.identityClient().send(new GetCredentialsForIdentityCommand({ IdentityId: alice.identityId })),
      'NotAuthorizedException',
      400,
      /Access to Identity '.*' is forbidden/,
    );
    await assertRefused(
      server.identityClient().send(new GetCredentialsForIdentityCommand({ IdentityId: alice.identityId, Logins: { [COGNITO_LOGIN]: bob.token } })),
      'NotAuthorizedException',
      400,
      /Logins don't match/,
    );
  });

  it('publishes the signing keys: tokens verify against /.well-known/jwks.json with jose', async () => {
    const poolId = await createPool(server);
    const { IdentityId, Token } = await server.identityClient().send(
      new GetOpenIdTokenForDeveloperIdentityCommand({
        IdentityPoolId: poolId,
        Logins: { [DEVELOPER_PROVIDER]: 'carol' },
        TokenDuration: 3600,
        PrincipalTags: { team: 'blue' },
      }),
    );
    const response = await fetch(`${server.url}/.well-known/jwks.json`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type')!, /application\/json/);
    const jwks = (await response.json()) as JSONWebKeySet;
    assert.equal(jwks.keys.length, 1);
    assert.equal(jwks.keys[0]!.kty, 'RSA');
    assert.equal(jwks.keys[0]!.d, undefined, 'no private part is published');

    const { payload, protectedHeader } = await jwtVerify(Token!, createLocalJWKSet(jwks), { issuer: ISSUER, audience: poolId });
    assert.equal(protectedHeader.alg, 'RS256');
    assert.equal(protectedHeader.kid, jwks.keys[0]!.kid);
    assert.equal(payload.sub, IdentityId);
    assert.equal(payload.exp! - payload.iat!, 3600);
    assert.deepEqual(payload.amr, ['authenticated', DEVELOPER_PROVIDER, `${DEVELOPER_PROVIDER}:${poolId}:carol`]);
    assert.deepEqual(payload['https://aws.amazon.com/tags'], { principal_tags: { team: ['blue'] } });

    // A token for another pool does not verify for this one.
    const otherPool = await createPool(server);
    await assert.rejects(jwtVerify(Token!, createLocalJWKSet(jwks), { issuer: ISSUER, audience: otherPool }), /aud/);
  });

  it('keeps the same signing key across restarts', async () => {
    const before = await (await fetch(`${server.url}/.well-known/jwks.json`)).text();
    const developer = server.developer;
    await server.stop();
    server = await startServer({ dataDir: server.dataDir, developer });
    const after = await (await fetch(`${server.url}/.well-known/jwks.json`)).text();
    assert.equal(after, before);
  });

  it('defaults TokenDuration to 15 minutes; GetOpenIdToken tokens last 10 minutes and say how the identity logged in', async () => {
    const poolId = await createPool(server);
    const dave = await developerIdentity(server, poolId, 'dave');
    const developerToken = decodeJwt(dave.token);
    assert.equal(developerToken.exp! - developerToken.iat!, 15 * 60);

    const authenticated = await server.identityClient().send(new GetOpenIdTokenCommand({ IdentityId: dave.identityId, Logins: { [COGNITO_LOGIN]: dave.token } }));
    assert.equal(authenticated.IdentityId, dave.identityId);
    const claims = decodeJwt(authenticated.Token!);
    assert.equal(claims.exp! - claims.iat!, 10 * 60);
    assert.deepEqual(claims.amr, ['authenticated', DEVELOPER_PROVIDER, `${DEVELOPER_PROVIDER}:${poolId}:dave`]);

    const guest = await unauthenticatedIdentity(server, poolId);
    const unauthenticated = await server.identityClient().send(new GetOpenIdTokenCommand({ IdentityId: guest.identityId }));
    assert.deepEqual(decodeJwt(unauthenticated.Token!).amr, ['unauthenticated']);
    assert.equal(decodeJwt(unauthenticated.Token!).sub, guest.identityId);
  });

  it('links a developer user to an existing unauthenticated identity, once', async () => {
    const poolId = await createPool(server);
    const guest = await unauthenticatedIdentity(server, poolId);
    const linked = await server.identityClient().send(
      new GetOpenIdTokenForDeveloperIdentityCommand({ IdentityPoolId: poolId, IdentityId: guest.identityId, Logins: { [DEVELOPER_PROVIDER]: 'erin' } }),
    );
    assert.equal(linked.IdentityId, guest.identityId);
    const described = await server.identityClient().send(new DescribeIdentityCommand({ IdentityId: guest.identityId }));
    assert.deepEqual(described.Logins, [DEVELOPER_PROVIDER]);
    // Now authenticated: credentials need the login.
    await assertRefused(server.identityClient().send(new GetCredentialsForIdentityCommand({ IdentityId: guest.identityId })), 'NotAuthorizedException', 400);

    const other = await unauthenticatedIdentity(server, poolId);
    await assertRefused(
      server.identityClient().send(
        new GetOpenIdTokenForDeveloperIdentityCommand({ IdentityPoolId: poolId, IdentityId: other.identityId, Logins: { [DEVELOPER_PROVIDER]: 'erin' } }),
      ),
      'DeveloperUserAlreadyRegisteredException',
      400,
    );
  });

  it('refuses GetOpenIdTokenForDeveloperIdentity without developer credentials', async () => {
    const poolId = await createPool(server);
    const guest = await unauthenticatedIdentity(server, poolId);
    await assertRefused(
      server.identityClient(guest.credentials).send(
        new GetOpenIdTokenForDeveloperIdentityCommand({ IdentityPoolId: poolId, Logins: { [DEVELOPER_PROVIDER]: 'mallory' } }),
      ),
      'NotAuthorizedException',
      400,
    );
  });
});

describe('bad logins and tokens', { timeout: 300_000 }, () => {
  let poolId: string;
  let alice: Awaited<ReturnType<typeof developerIdentity>>;
  before(async () => {
    poolId = await createPool(server);
    alice = await developerIdentity(server, poolId, 'alice');
  });

  const getCredentials = (logins: Record<string, string>) =>
    server.identityClient().send(new GetCredentialsForIdentityCommand({ IdentityId: alice.identityId, Logins: logins }));

  it('malformed token', async () => {
    await assertRefused(getCredentials({ [COGNITO_LOGIN]: 'not-a-jwt' }), 'NotAuthorizedException', 400, /Invalid login token\. Not a valid OpenId Connect identity token/);
  });

  it('tampered token (payload changed, signature kept)', async () => {
    const [header, payload, signature] = alice.token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    claims.exp += 86_400;
    const forged = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
    await assertRefused(getCredentials({ [COGNITO_LOGIN]: forged }), 'NotAuthorizedException', 400, /Couldn't verify signed token/);
  });

  it('foreign token: signed by another server', async () => {
    const foreign = await startServer({ developer: server.developer });
    try {
      const foreignPool = await createPool(foreign);
      const { Token } = await foreign.identityClient().send(
        new GetOpenIdTokenForDeveloperIdentityCommand({ IdentityPoolId: foreignPool, Logins: { [DEVELOPER_PROVIDER]: 'alice' } }),
      );
      await assertRefused(getCredentials({ [COGNITO_LOGIN]: Token! }), 'NotAuthorizedException', 400, /Invalid login token/);
    } finally {
      await foreign.dispose();
    }
  });

  it('token for another pool', async () => {
    const otherPool = await createPool(server);
    const stranger = await developerIdentity(server, otherPool, 'alice');
    await assertRefused(getCredentials({ [COGNITO_LOGIN]: stranger.token }), 'NotAuthorizedException', 400, /Incorrect token audience/);
    await assertRefused(
      server.identityClient().send(new GetIdCommand({ IdentityPoolId: poolId, Logins: { [COGNITO_LOGIN]: stranger.token } })),
      'NotAuthorizedException',
      400,
      /Incorrect token audience/,
    );
  });

  it('expired token', async () => {
    const { Token } = await server.identityClient().send(
      new GetOpenIdTokenForDeveloperIdentityCommand({ IdentityPoolId: poolId, Logins: { [DEVELOPER_PROVIDER]: 'alice' }, TokenDuration: 1 }),
    );
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    await assertRefused(getCredentials({ [COGNITO_LOGIN]: Token! }), 'NotAuthorizedException', 400, /Token expired/);
  });

  it('Logins with an unknown provider, a provider the pool does not name, or the developer provider (unsigned)', async () => {
    await assertRefused(getCredentials({ 'accounts.example.com': 'x' }), 'NotAuthorizedException', 400, /not from a supported provider/);
    await assertRefused(
      server.identityClient().send(new GetIdCommand({ IdentityPoolId: poolId, Logins: { 'graph.facebook.com': 'token' } })),
      'NotAuthorizedException',
      400,
      /not from a supported provider/,
    );
    await assertRefused(getCredentials({ [DEVELOPER_PROVIDER]: 'alice' }), 'NotAuthorizedException', 400, /accepted only by GetOpenIdTokenForDeveloperIdentity/);
  });

  it('developer Logins that do not name the pool developer provider', async () => {
    const send = (logins: Record<string, string>) =>
      server.identityClient().send(new GetOpenIdTokenForDeveloperIdentityCommand({ IdentityPoolId: poolId, Logins: logins }));
    await assertRefused(send({ 'login.other.app': 'alice' }), 'NotAuthorizedException', 400, /not from a supported provider/);
    await assertRefused(send({}), 'InvalidParameterException', 400, /developer provider/);
    await assertRefused(send({ [DEVELOPER_PROVIDER]: 'x'.repeat(1025) }), 'InvalidParameterException', 400, /at most 1024/);
    const noProvider = await createPool(server, { developerProvider: null });
    await assertRefused(
      server.identityClient().send(new GetOpenIdTokenForDeveloperIdentityCommand({ IdentityPoolId: noProvider, Logins: { [DEVELOPER_PROVIDER]: 'alice' } })),
      'NotAuthorizedException',
      400,
      /has no developer provider/,
    );
  });

  it('TokenDuration outside 1..86400 is InvalidParameterException', async () => {
    await assertRefused(
      server.identityClient().send(
        new GetOpenIdTokenForDeveloperIdentityCommand({ IdentityPoolId: poolId, Logins: { [DEVELOPER_PROVIDER]: 'alice' }, TokenDuration: 86_401 }),
      ),
      'InvalidParameterException',
      400,
      /tokenDuration/i,
    );
  });
});

describe('identity management (developer)', { timeout: 300_000 }, () => {
  it('ListIdentities pages through a pool, DescribeIdentity shows logins and dates', async () => {
    const poolId = await createPool(server);
    const ids = new Set<string>();
    for (let i = 0; i < 3; i++) ids.add((await unauthenticatedIdentity(server, poolId)).identityId);
    ids.add((await developerIdentity(server, poolId, 'frank')).identityId);
    ids.add((await developerIdentity(server, poolId, 'grace')).identityId);

    const seen: string[] = [];
    let NextToken: string | undefined;
    do {
      const page = await server.identityClient().send(new ListIdentitiesCommand({ IdentityPoolId: poolId, MaxResults: 2, NextToken }));
      assert.equal(page.IdentityPoolId, poolId);
      assert.ok(page.Identities!.length <= 2);
      for (const identity of page.Identities!) {
        seen.push(identity.IdentityId!);
        assert.ok(identity.CreationDate instanceof Date);
      }
      NextToken = page.NextToken;
    } while (NextToken);
    assert.deepEqual(new Set(seen), ids);
    assert.equal(seen.length, ids.size);

    const frank = (await server.identityClient().send(new LookupDeveloperIdentityCommand({ IdentityPoolId: poolId, DeveloperUserIdentifier: 'frank' }))).IdentityId!;
    const described = await server.identityClient().send(new DescribeIdentityCommand({ IdentityId: frank }));
    assert.equal(described.IdentityId, frank);
    assert.deepEqual(described.Logins, [DEVELOPER_PROVIDER]);
    assert.ok(described.LastModifiedDate!.getTime() >= described.CreationDate!.getTime());
  });

  it('refuses a NextToken from another listing', async () => {
    const a = await createPool(server);
    const b = await createPool(server);
    for (let i = 0; i < 2; i++) await unauthenticatedIdentity(server, a);
    const page = await server.identityClient().send(new ListIdentitiesCommand({ IdentityPoolId: a, MaxResults: 1 }));
    assert.ok(page.NextToken);
    await assertRefused(
      server.identityClient().send(new ListIdentitiesCommand({ IdentityPoolId: b, MaxResults: 1, NextToken: page.NextToken })),
      'InvalidParameterException',
      400,
    );
  });

  it('DeleteIdentities removes identities and their credentials stop working', async () => {
    const poolId = await createPool(server);
    const doomed = await unauthenticatedIdentity(server, poolId);
    const kept = await unauthenticatedIdentity(server, poolId);
    const unknown = 'us-east-1:22222222-2222-2222-2222-222222222222';
    const result = await server.identityClient().send(new DeleteIdentitiesCommand({ IdentityIdsToDelete: [doomed.identityId, unknown] }));
    assert.deepEqual(result.UnprocessedIdentityIds, []);
    await assertRefused(server.identityClient().send(new DescribeIdentityCommand({ IdentityId: doomed.identityId })), 'ResourceNotFoundException', 400);
    await assertRefused(server.identityClient().send(new GetCredentialsForIdentityCommand({ IdentityId: doomed.identityId })), 'ResourceNotFoundException', 400);
    await assertRefused(
      server.syncClient(doomed.credentials).send(new ListDatasetsCommand({ IdentityPoolId: poolId, IdentityId: doomed.identityId })),
      'UnrecognizedClientException',
      403,
    );
    await assertSyncAccepts(server, kept);
  });

  it('refuses more than 60 ids in one DeleteIdentities', async () => {
    const ids = Array.from({ length: 61 }, (_, i) => `us-east-1:00000000-0000-0000-0000-${String(i).padStart(12, '0')}`);
    await assertRefused(server.identityClient().send(new DeleteIdentitiesCommand({ IdentityIdsToDelete: ids })), 'InvalidParameterException', 400);
  });
});

describe('developer user identifiers', { timeout: 300_000 }, () => {
  it('LookupDeveloperIdentity by user, by identity, by both; mismatches and unknowns refused', async () => {
    const poolId = await createPool(server);
    const henry = await developerIdentity(server, poolId, 'henry');
    const ivy = await developerIdentity(server, poolId, 'ivy');
    const client = server.identityClient();

    const byUser = await client.send(new LookupDeveloperIdentityCommand({ IdentityPoolId: poolId, DeveloperUserIdentifier: 'henry' }));
    assert.equal(byUser.IdentityId, henry.identityId);
    assert.deepEqual(byUser.DeveloperUserIdentifierList, ['henry']);
    const byIdentity = await client.send(new LookupDeveloperIdentityCommand({ IdentityPoolId: poolId, IdentityId: ivy.identityId }));
    assert.deepEqual(byIdentity.DeveloperUserIdentifierList, ['ivy']);
    const both = await client.send(new LookupDeveloperIdentityCommand({ IdentityPoolId: poolId, IdentityId: ivy.identityId, DeveloperUserIdentifier: 'ivy' }));
    assert.equal(both.IdentityId, ivy.identityId);

    await assertRefused(
      client.send(new LookupDeveloperIdentityCommand({ IdentityPoolId: poolId, IdentityId: ivy.identityId, DeveloperUserIdentifier: 'henry' })),
      'ResourceConflictException',
      400,
    );
    await assertRefused(client.send(new LookupDeveloperIdentityCommand({ IdentityPoolId: poolId, DeveloperUserIdentifier: 'nobody' })), 'ResourceNotFoundException', 400);
    await assertRefused(client.send(new LookupDeveloperIdentityCommand({ IdentityPoolId: poolId })), 'InvalidParameterException', 400, /Either IdentityId or DeveloperUserIdentifier/);
  });

  it('MergeDeveloperIdentities: the source user joins the destination identity; old credentials act for the survivor', async () => {
    const poolId = await createPool(server);
    const source = await developerIdentity(server, poolId, 'jack');
    const destination = await developerIdentity(server, poolId, 'kate');
    const client = server.identityClient();

    const merged = await client.send(
      new MergeDeveloperIdentitiesCommand({ IdentityPoolId: poolId, DeveloperProviderName: DEVELOPER_PROVIDER, SourceUserIdentifier: 'jack', DestinationUserIdentifier: 'kate' }),
    );
    assert.equal(merged.IdentityId, destination.identityId);

    const lookup = await client.send(new LookupDeveloperIdentityCommand({ IdentityPoolId: poolId, IdentityId: destination.identityId }));
    assert.deepEqual(lookup.DeveloperUserIdentifierList, ['jack', 'kate']);
    const jack = await client.send(new GetOpenIdTokenForDeveloperIdentityCommand({ IdentityPoolId: poolId, Logins: { [DEVELOPER_PROVIDER]: 'jack' } }));
    assert.equal(jack.IdentityId, destination.identityId, 'the source user now logs in to the surviving identity');

    // The merged identity is gone from listings and descriptions...
    const listed = await client.send(new ListIdentitiesCommand({ IdentityPoolId: poolId, MaxResults: 60 }));
    assert.deepEqual(listed.Identities!.map((i) => i.IdentityId), [destination.identityId]);
    await assertRefused(client.send(new DescribeIdentityCommand({ IdentityId: source.identityId })), 'ResourceNotFoundException', 400);
    // ...but its id and its old token lead to the survivor, as its old credentials do.
    const viaOldId = await client.send(new GetCredentialsForIdentityCommand({ IdentityId: source.identityId, Logins: { [COGNITO_LOGIN]: source.token } }));
    assert.equal(viaOldId.IdentityId, destination.identityId);
    await assertSyncAccepts(server, { identityPoolId: poolId, identityId: destination.identityId, credentials: source.credentials });
    await assertRefused(
      server.syncClient(source.credentials).send(new ListDatasetsCommand({ IdentityPoolId: poolId, IdentityId: source.identityId })),
      'NotAuthorizedException',
      403,
    );

    // Merging users already on one identity is a no-op answering that identity.
    const again = await client.send(
      new MergeDeveloperIdentitiesCommand({ IdentityPoolId: poolId, DeveloperProviderName: DEVELOPER_PROVIDER, SourceUserIdentifier: 'jack', DestinationUserIdentifier: 'kate' }),
    );
    assert.equal(again.IdentityId, destination.identityId);
  });

  it("MergeDeveloperIdentities moves the source identity's datasets under the survivor", async () => {
    const poolId = await createPool(server);
    const source = await developerIdentity(server, poolId, 'olivia');
    const destination = await developerIdentity(server, poolId, 'peter');
    const sourceSync = server.syncClient(source.credentials);
    const listed = await sourceSync.send(new ListRecordsCommand({ IdentityPoolId: poolId, IdentityId: source.identityId, DatasetName: 'notes' }));
    await sourceSync.send(
      new UpdateRecordsCommand({
        IdentityPoolId: poolId,
        IdentityId: source.identityId,
        DatasetName: 'notes',
        SyncSessionToken: listed.SyncSessionToken!,
        RecordPatches: [{ Op: 'replace', Key: 'greeting', Value: 'hello', SyncCount: 0 }],
      }),
    );
    await server.identityClient().send(
      new MergeDeveloperIdentitiesCommand({ IdentityPoolId: poolId, DeveloperProviderName: DEVELOPER_PROVIDER, SourceUserIdentifier: 'olivia', DestinationUserIdentifier: 'peter' }),
    );
    // The source's old credentials now act for the survivor and see the moved dataset.
    const datasets = await sourceSync.send(new ListDatasetsCommand({ IdentityPoolId: poolId, IdentityId: destination.identityId }));
    assert.deepEqual(datasets.Datasets!.map((d) => d.DatasetName), [`notes.${source.identityId}`]);
    const records = await server.syncClient(destination.credentials).send(
      new ListRecordsCommand({ IdentityPoolId: poolId, IdentityId: destination.identityId, DatasetName: `notes.${source.identityId}` }),
    );
    assert.deepEqual(records.Records!.map((r) => [r.Key, r.Value]), [['greeting', 'hello']]);
  });

  it('MergeDeveloperIdentities refuses unknown users and a provider that is not the pool developer provider', async () => {
    const poolId = await createPool(server);
    await developerIdentity(server, poolId, 'liam');
    const client = server.identityClient();
    await assertRefused(
      client.send(new MergeDeveloperIdentitiesCommand({ IdentityPoolId: poolId, DeveloperProviderName: DEVELOPER_PROVIDER, SourceUserIdentifier: 'ghost', DestinationUserIdentifier: 'liam' })),
      'ResourceNotFoundException',
      400,
    );
    await assertRefused(
      client.send(new MergeDeveloperIdentitiesCommand({ IdentityPoolId: poolId, DeveloperProviderName: 'login.other.app', SourceUserIdentifier: 'liam', DestinationUserIdentifier: 'liam' })),
      'InvalidParameterException',
      400,
      /not the developer provider/,
    );
  });

  it('UnlinkDeveloperIdentity: the user becomes new next time; the identity left without logins is disabled', async () => {
    const poolId = await createPool(server);
    const mia = await developerIdentity(server, poolId, 'mia');
    const client = server.identityClient();
    await client.send(
      new UnlinkDeveloperIdentityCommand({ IdentityPoolId: poolId, IdentityId: mia.identityId, DeveloperProviderName: DEVELOPER_PROVIDER, DeveloperUserIdentifier: 'mia' }),
    );
    await assertRefused(client.send(new LookupDeveloperIdentityCommand({ IdentityPoolId: poolId, DeveloperUserIdentifier: 'mia' })), 'ResourceNotFoundException', 400);
    const fresh = await client.send(new GetOpenIdTokenForDeveloperIdentityCommand({ IdentityPoolId: poolId, Logins: { [DEVELOPER_PROVIDER]: 'mia' } }));
    assert.notEqual(fresh.IdentityId, mia.identityId);

    const visible = await client.send(new ListIdentitiesCommand({ IdentityPoolId: poolId, MaxResults: 60, HideDisabled: true }));
    assert.deepEqual(visible.Identities!.map((i) => i.IdentityId), [fresh.IdentityId]);
    const all = await client.send(new ListIdentitiesCommand({ IdentityPoolId: poolId, MaxResults: 60 }));
    assert.equal(all.Identities!.length, 2);
    await assertRefused(client.send(new GetCredentialsForIdentityCommand({ IdentityId: mia.identityId })), 'NotAuthorizedException', 400, /disabled/);
    await assertRefused(
      server.syncClient(mia.credentials).send(new ListDatasetsCommand({ IdentityPoolId: poolId, IdentityId: mia.identityId })),
      'UnrecognizedClientException',
      403,
    );

    await assertRefused(
      client.send(
        new UnlinkDeveloperIdentityCommand({ IdentityPoolId: poolId, IdentityId: fresh.IdentityId!, DeveloperProviderName: DEVELOPER_PROVIDER, DeveloperUserIdentifier: 'nobody' }),
      ),
      'ResourceNotFoundException',
      400,
    );
  });
});

describe('another account', { timeout: 300_000 }, () => {
  it("cannot see, describe, delete, look up or mint tokens for this account's identities", async () => {
    const poolId = await createPool(server);
    const nora = await developerIdentity(server, poolId, 'nora');
    const owner = server.developer;
    const { newDeveloperCredentials } = await import('./helpers/server.ts');
    const other = newDeveloperCredentials();
    await server.stop();
    const shared = await startServer({ dataDir: server.dataDir, developer: other });
    try {
      const client = shared.identityClient(other);
      await assertRefused(client.send(new ListIdentitiesCommand({ IdentityPoolId: poolId, MaxResults: 10 })), 'ResourceNotFoundException', 400);
      await assertRefused(client.send(new DescribeIdentityCommand({ IdentityId: nora.identityId })), 'ResourceNotFoundException', 400);
      await assertRefused(client.send(new LookupDeveloperIdentityCommand({ IdentityPoolId: poolId, DeveloperUserIdentifier: 'nora' })), 'ResourceNotFoundException', 400);
      await assertRefused(
        client.send(new GetOpenIdTokenForDeveloperIdentityCommand({ IdentityPoolId: poolId, Logins: { [DEVELOPER_PROVIDER]: 'nora' } })),
        'ResourceNotFoundException',
        400,
      );
      const deleted = await client.send(new DeleteIdentitiesCommand({ IdentityIdsToDelete: [nora.identityId] }));
      assert.deepEqual(deleted.UnprocessedIdentityIds, [{ IdentityId: nora.identityId, ErrorCode: 'AccessDenied' }]);
      const stillThere = await shared.identityClient(owner).send(new DescribeIdentityCommand({ IdentityId: nora.identityId }));
      assert.equal(stillThere.IdentityId, nora.identityId);
    } finally {
      await shared.stop();
    }
    server = await startServer({ dataDir: server.dataDir, developer: owner });
  });
});
