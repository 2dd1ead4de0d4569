// STS AssumeRoleWithWebIdentity, the basic (classic) Cognito flow, served on the same port: GetId → GetOpenIdToken
// (or a backend's GetOpenIdTokenForDeveloperIdentity) → AssumeRoleWithWebIdentity → Cognito Sync with those
// credentials. Through the AWS SDK v3 STS client, and by hand for the wire (form POST, GET, XML answers and
// errors). The role must be one the pool's roles trust for the token (by `amr`, or by the role mapping).
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  DeleteIdentitiesCommand,
  GetIdCommand,
  GetOpenIdTokenCommand,
  GetOpenIdTokenForDeveloperIdentityCommand,
  MergeDeveloperIdentitiesCommand,
  SetIdentityPoolRolesCommand,
  UpdateIdentityPoolCommand,
} from '@aws-sdk/client-cognito-identity';
import { ListDatasetsCommand, ListRecordsCommand, UpdateRecordsCommand } from '@aws-sdk/client-cognito-sync';
import {
  AssumeRoleCommand,
  AssumeRoleWithWebIdentityCommand,
  type AssumeRoleWithWebIdentityCommandInput,
  DecodeAuthorizationMessageCommand,
  GetCallerIdentityCommand,
  GetSessionTokenCommand,
  STSClient,
} from '@aws-sdk/client-sts';
import { decodeJwt, SignJWT } from 'jose';
import { COGNITO_LOGIN, createPool, DEVELOPER_PROVIDER, developerIdentity } from './helpers/identity-flows.ts';
import { send } from './helpers/raw-http.ts';
import { errorOf, REGION, startServer, type TestServer } from './helpers/server.ts';

const role = (name: string) => `arn:aws:iam::123456789012:role/${name}`;
const AUTH = role('Cognito_Auth');
const GUEST = role('Cognito_Unauth');
const PLAYER = role('games/Player');
const STS_NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/';
const NOT_AUTHORIZED = /^Not authorized to perform sts:AssumeRoleWithWebIdentity/;

describe('STS AssumeRoleWithWebIdentity: the basic (classic) flow', { timeout: 180_000 }, () => {
  let server: TestServer;
  let poolId: string;
  let sts: STSClient;

  before(async () => {
    server = await startServer();
    poolId = await createPool(server);
    await server.identityClient().send(
      new SetIdentityPoolRolesCommand({
        IdentityPoolId: poolId,
        Roles: { authenticated: AUTH, unauthenticated: GUEST },
        RoleMappings: {
          [DEVELOPER_PROVIDER]: {
            Type: 'Rules',
            AmbiguousRoleResolution: 'AuthenticatedRole',
            RulesConfiguration: { Rules: [{ Claim: 'amr', MatchType: 'Contains', Value: ':player-', RoleARN: PLAYER }] },
          },
        },
      }),
    );
    // What an app configures: credentials are not needed for this call, and the SDK sends it unsigned.
    sts = new STSClient({ region: REGION, endpoint: server.url, maxAttempts: 1, credentials: { accessKeyId: 'unused', secretAccessKey: 'unused' } });
  });
  after(async () => {
    await server.dispose();
  });

  /** GetId → GetOpenIdToken, unsigned, as a device does. */
  async function guestToken(IdentityPoolId = poolId) {
    const client = server.identityClient();
    const { IdentityId } = await client.send(new GetIdCommand({ IdentityPoolId }));
    const { Token } = await client.send(new GetOpenIdTokenCommand({ IdentityId }));
    return { identityId: IdentityId!, token: Token! };
  }

  const assume = (input: Partial<AssumeRoleWithWebIdentityCommandInput> & { WebIdentityToken: string }) =>
    sts.send(new AssumeRoleWithWebIdentityCommand({ RoleArn: GUEST, RoleSessionName: 'web-session', ...input }));

  async function assertRefused(promise: Promise<unknown>, code: string, status: number, message: RegExp) {
    const error = await errorOf(promise);
    assert.equal(error.name, code, `expected ${code}, got ${error.name}: ${error.message}`);
    assert.equal(error.$metadata.httpStatusCode, status);
    assert.match(error.message, message);
  }

  const credentialsOf = (c: { AccessKeyId?: string; SecretAccessKey?: string; SessionToken?: string }) => ({
    accessKeyId: c.AccessKeyId!,
    secretAccessKey: c.SecretAccessKey!,
    sessionToken: c.SessionToken!,
  });

  it('unauthenticated: GetId → GetOpenIdToken → AssumeRoleWithWebIdentity → ListRecords and UpdateRecords with those credentials', async () => {
    const { identityId, token } = await guestToken();
    const answer = await assume({ WebIdentityToken: token });
    assert.equal(answer.SubjectFromWebIdentityToken, identityId);
    assert.equal(answer.Audience, poolId);
    assert.equal(answer.Provider, 'cognito-identity.amazonaws.com');
    assert.equal(answer.AssumedRoleUser!.Arn, 'arn:aws:sts::123456789012:assumed-role/Cognito_Unauth/web-session');
    assert.match(answer.AssumedRoleUser!.AssumedRoleId!, /^AROA[A-Z2-7]{17}:web-session$/);
    const c = answer.Credentials!;
    assert.match(c.AccessKeyId!, /^ASIA[A-Z2-7]{16}$/);
    const lifetime = c.Expiration!.getTime() - Date.now();
    assert.ok(lifetime > 3500_000 && lifetime <= 3600_000 + 5_000, `default DurationSeconds is 3600, got ${lifetime} ms`);

    const sync = server.syncClient(credentialsOf(c));
    const address = { IdentityPoolId: poolId, IdentityId: identityId, DatasetName: 'settings' };
    const pulled = await sync.send(new ListRecordsCommand(address));
    assert.equal(pulled.DatasetExists, false);
    const pushed = await sync.send(
      new UpdateRecordsCommand({ ...address, SyncSessionToken: pulled.SyncSessionToken, RecordPatches: [{ Op: 'replace', Key: 'theme', Value: 'dark', SyncCount: 0 }] }),
    );
    assert.deepEqual(pushed.Records!.map((r) => [r.Key, r.Value, r.SyncCount, r.LastModifiedBy]), [['theme', 'dark', 1, identityId]]);
    const again = await sync.send(new ListRecordsCommand({ ...address, LastSyncCount: 0 }));
    assert.deepEqual(again.Records!.map((r) => r.Value), ['dark']);

    // The same role session name and role give the same assumed role id, as one IAM role has one id.
    const second = await assume({ WebIdentityToken: token });
    assert.equal(second.AssumedRoleUser!.AssumedRoleId, answer.AssumedRoleUser!.AssumedRoleId);
    // Identity credentials reach their own identity only.
    const other = await guestToken();
    await assertRefused(sync.send(new ListDatasetsCommand({ IdentityPoolId: poolId, IdentityId: other.identityId })), 'NotAuthorizedException', 403, /not valid for accessing this resource/);
  });

  it('developer-authenticated: the backend\'s token assumes the authenticated role or the one the rules mapping selects', async () => {
    const player = await developerIdentity(server, poolId, 'player-1');
    const nonPlayer = await developerIdentity(server, poolId, 'spectator-1');
    const asAuth = await assume({ WebIdentityToken: player.token, RoleArn: AUTH, RoleSessionName: 'p1' });
    assert.equal(asAuth.AssumedRoleUser!.Arn, 'arn:aws:sts::123456789012:assumed-role/Cognito_Auth/p1');
    const asPlayer = await assume({ WebIdentityToken: player.token, RoleArn: PLAYER, RoleSessionName: 'p1' });
    assert.equal(asPlayer.AssumedRoleUser!.Arn, 'arn:aws:sts::123456789012:assumed-role/Player/p1', 'the path is not part of an assumed role ARN');
    assert.notEqual(asPlayer.AssumedRoleUser!.AssumedRoleId, asAuth.AssumedRoleUser!.AssumedRoleId);
    await assertRefused(assume({ WebIdentityToken: nonPlayer.token, RoleArn: PLAYER }), 'AccessDenied', 403, NOT_AUTHORIZED);
    await assume({ WebIdentityToken: nonPlayer.token, RoleArn: AUTH });
    await assertRefused(assume({ WebIdentityToken: player.token, RoleArn: GUEST }), 'AccessDenied', 403, NOT_AUTHORIZED);

    const sync = server.syncClient(credentialsOf(asPlayer.Credentials!));
    const listed = await sync.send(new ListDatasetsCommand({ IdentityPoolId: poolId, IdentityId: player.identityId }));
    assert.deepEqual(listed.Datasets, []);
  });

  it('roles the pool does not trust for the token are AccessDenied, in AWS words', async () => {
    const { token } = await guestToken();
    await assertRefused(assume({ WebIdentityToken: token, RoleArn: AUTH }), 'AccessDenied', 403, NOT_AUTHORIZED);
    await assertRefused(assume({ WebIdentityToken: token, RoleArn: role('Unknown') }), 'AccessDenied', 403, NOT_AUTHORIZED);
    await assertRefused(assume({ WebIdentityToken: token, RoleArn: 'arn:aws:iam::123456789012:user/Cognito_Unauth' }), 'AccessDenied', 403, NOT_AUTHORIZED);
    // A pool without roles trusts no role; another pool's role is not this pool's.
    const bare = await createPool(server);
    const bareToken = await guestToken(bare);
    await assertRefused(assume({ WebIdentityToken: bareToken.token }), 'AccessDenied', 403, NOT_AUTHORIZED);
    const otherPool = await createPool(server);
    await server.identityClient().send(new SetIdentityPoolRolesCommand({ IdentityPoolId: otherPool, Roles: { unauthenticated: role('OtherGuest') } }));
    await assertRefused(assume({ WebIdentityToken: token, RoleArn: role('OtherGuest') }), 'AccessDenied', 403, NOT_AUTHORIZED);
  });

  it('DurationSeconds from 900 to 43200 sets the Expiration; outside it is ValidationError, as are bad role session names', async () => {
    const { token } = await guestToken();
    for (const seconds of [900, 43200]) {
      const { Credentials } = await assume({ WebIdentityToken: token, DurationSeconds: seconds });
      const lifetime = (Credentials!.Expiration!.getTime() - Date.now()) / 1000;
      assert.ok(lifetime > seconds - 60 && lifetime <= seconds + 5, `asked ${seconds} s, got ${lifetime} s`);
    }
    await assertRefused(assume({ WebIdentityToken: token, DurationSeconds: 899 }), 'ValidationError', 400, /Value '899' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900/);
    await assertRefused(assume({ WebIdentityToken: token, DurationSeconds: 43201 }), 'ValidationError', 400, /less than or equal to 43200/);
    await assertRefused(assume({ WebIdentityToken: token, RoleSessionName: 'has space' }), 'ValidationError', 400, /roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern/);
    await assertRefused(assume({ WebIdentityToken: token, RoleSessionName: 'x' }), 'ValidationError', 400, /roleSessionName/);
    await assertRefused(assume({ WebIdentityToken: 'abc' }), 'ValidationError', 400, /webIdentityToken' failed to satisfy constraint: Member must have length greater than or equal to 4/);
  });

  it('tokens this server did not issue, altered ones and non-tokens are InvalidIdentityToken; an expired one ExpiredTokenException', async () => {
    const { identityId, token } = await guestToken();
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const foreign = await new SignJWT({ amr: ['unauthenticated'] })
      .setProtectedHeader({ alg: 'RS256', kid: 'foreign' })
      .setIssuer('https://cognito-identity.amazonaws.com')
      .setAudience(poolId)
      .setSubject(identityId)
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(privateKey);
    await assertRefused(assume({ WebIdentityToken: foreign }), 'InvalidIdentityTokenException', 400, /Couldn't verify signed token/);
    const [header, , signature] = token.split('.');
    const altered = `${header}.${Buffer.from(JSON.stringify({ ...decodeJwt(token), amr: ['authenticated'] })).toString('base64url')}.${signature}`;
    await assertRefused(assume({ WebIdentityToken: altered, RoleArn: AUTH }), 'InvalidIdentityTokenException', 400, /Couldn't verify signed token/);
    await assertRefused(assume({ WebIdentityToken: 'not-a-jwt-at-all' }), 'InvalidIdentityTokenException', 400, /not a valid OpenID Connect ID token issued by this server/);
    await assertRefused(
      assume({ WebIdentityToken: token, ProviderId: 'www.amazon.com' }),
      'InvalidIdentityTokenException',
      400,
      /ProviderId is for OAuth 2\.0 access tokens/,
    );

    const { Token: shortLived } = await server.identityClient().send(
      new GetOpenIdTokenForDeveloperIdentityCommand({ IdentityPoolId: poolId, Logins: { [DEVELOPER_PROVIDER]: 'short-lived' }, TokenDuration: 1 }),
    );
    // A one-second token: poll (bounded) until it has expired.
    let refusal: Awaited<ReturnType<typeof errorOf>> | undefined;
    for (let i = 0; i < 40 && !refusal; i++) {
      try {
        await assume({ WebIdentityToken: shortLived!, RoleArn: AUTH });
        await new Promise((resolve) => setTimeout(resolve, 150));
      } catch (error) {
        refusal = error as never;
      }
    }
    assert.ok(refusal, 'the token expired within 6 s');
    assert.equal(refusal.name, 'ExpiredTokenException');
    assert.equal(refusal.$metadata.httpStatusCode, 400);
    assert.match(refusal.message, /^Token expired: current date\/time \d+ must be before the expiration date\/time \d+$/);
  });

  it('the token of a deleted identity is refused; an unauthenticated token no longer assumes once the pool disallows guests', async () => {
    const doomed = await guestToken();
    await server.identityClient().send(new DeleteIdentitiesCommand({ IdentityIdsToDelete: [doomed.identityId] }));
    await assertRefused(assume({ WebIdentityToken: doomed.token }), 'InvalidIdentityTokenException', 400, /no longer exists/);

    const pool = await createPool(server);
    await server.identityClient().send(new SetIdentityPoolRolesCommand({ IdentityPoolId: pool, Roles: { unauthenticated: GUEST } }));
    const guest = await guestToken(pool);
    await assume({ WebIdentityToken: guest.token });
    await server.identityClient().send(
      new UpdateIdentityPoolCommand({ IdentityPoolId: pool, IdentityPoolName: 'closed', AllowUnauthenticatedIdentities: false, DeveloperProviderName: DEVELOPER_PROVIDER }),
    );
    await assertRefused(assume({ WebIdentityToken: guest.token }), 'AccessDenied', 403, /no longer allows unauthenticated identities/);
  });

  it('the token of an identity merged away gives credentials that act for the surviving identity', async () => {
    const survivor = await developerIdentity(server, poolId, 'player-survivor');
    const merged = await developerIdentity(server, poolId, 'player-merged');
    await server.identityClient().send(
      new MergeDeveloperIdentitiesCommand({ IdentityPoolId: poolId, DeveloperProviderName: DEVELOPER_PROVIDER, SourceUserIdentifier: 'player-merged', DestinationUserIdentifier: 'player-survivor' }),
    );
    const answer = await assume({ WebIdentityToken: merged.token, RoleArn: AUTH });
    assert.equal(answer.SubjectFromWebIdentityToken, merged.identityId);
    const sync = server.syncClient(credentialsOf(answer.Credentials!));
    const listed = await sync.send(new ListDatasetsCommand({ IdentityPoolId: poolId, IdentityId: survivor.identityId }));
    assert.ok(Array.isArray(listed.Datasets));
  });

  it('GetOpenIdToken honours AllowClassicFlow: false refuses it in AWS words; unset or true allows it; developer tokens still assume', async () => {
    const update = (IdentityPoolId: string, AllowClassicFlow: boolean | undefined) =>
      server.identityClient().send(
        new UpdateIdentityPoolCommand({ IdentityPoolId, IdentityPoolName: 'classic', AllowUnauthenticatedIdentities: true, DeveloperProviderName: DEVELOPER_PROVIDER, AllowClassicFlow }),
      );
    const pool = await createPool(server);
    await server.identityClient().send(new SetIdentityPoolRolesCommand({ IdentityPoolId: pool, Roles: { authenticated: AUTH, unauthenticated: GUEST } }));
    const { IdentityId } = await server.identityClient().send(new GetIdCommand({ IdentityPoolId: pool }));
    const openIdToken = () => server.identityClient().send(new GetOpenIdTokenCommand({ IdentityId }));
    assert.ok((await openIdToken()).Token, 'a pool that never set AllowClassicFlow allows the basic flow, as AWS does');
    await update(pool, false);
    await assertRefused(openIdToken(), 'InvalidParameterException', 400, /^Basic \(classic\) flow is not enabled, please use enhanced flow\.$/);
    const backend = await developerIdentity(server, pool, 'enhanced-user');
    await assume({ WebIdentityToken: backend.token, RoleArn: AUTH });
    await update(pool, true);
    assert.ok((await openIdToken()).Token);
  });

  describe('the wire: AWS query protocol, XML answers', () => {
    const form = (params: Record<string, string>) => Object.entries(params).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
    const FORM = { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' };
    const XML_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
    /** The text of the first `<name>` element, entities decoded. */
    const tag = (xml: string, name: string) =>
      new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1]?.replace(/&(\w+);/g, (entity, n: string) => XML_ENTITIES[n] ?? entity);

    it('a form POST to / and the GET form both answer AssumeRoleWithWebIdentityResponse in the STS namespace, with the result wrapper and RequestId', async () => {
      const { identityId, token } = await guestToken();
      const params = { Action: 'AssumeRoleWithWebIdentity', Version: '2011-06-15', RoleArn: GUEST, RoleSessionName: 'raw', WebIdentityToken: token, DurationSeconds: '900' };
      const posted = await send(server.url, { method: 'POST', path: '/', headers: FORM, body: form(params) });
      const got = await send(server.url, { method: 'GET', path: '/', query: params });
      for (const res of [posted, got]) {
        assert.equal(res.status, 200, res.text);
        assert.equal(res.headers['content-type'], 'text/xml');
        assert.equal(res.headers['x-amzn-errortype'], undefined);
        assert.match(res.text, new RegExp(`^<AssumeRoleWithWebIdentityResponse xmlns="${STS_NAMESPACE.replace(/[./]/g, '\\$&')}"><AssumeRoleWithWebIdentityResult>`));
        assert.match(res.text, /<\/AssumeRoleWithWebIdentityResult><ResponseMetadata><RequestId>[0-9a-f-]{36}<\/RequestId><\/ResponseMetadata><\/AssumeRoleWithWebIdentityResponse>$/);
        assert.equal(tag(res.text, 'RequestId'), res.headers['x-amzn-requestid']);
        assert.equal(tag(res.text, 'SubjectFromWebIdentityToken'), identityId);
        assert.equal(tag(res.text, 'Arn'), 'arn:aws:sts::123456789012:assumed-role/Cognito_Unauth/raw');
        assert.match(res.text, /<Credentials><AccessKeyId>ASIA[A-Z2-7]{16}<\/AccessKeyId><SecretAccessKey>[^<]+<\/SecretAccessKey><SessionToken>[^<]+<\/SessionToken><Expiration>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z<\/Expiration><\/Credentials>/);
      }
    });

    it('errors are ErrorResponse/Error/{Type,Code,Message} with the RequestId, Sender for the caller\'s mistakes', async () => {
      const { token } = await guestToken();
      const res = await send(server.url, { method: 'POST', path: '/', headers: FORM, body: form({ Action: 'AssumeRoleWithWebIdentity', Version: '2011-06-15', RoleArn: AUTH, RoleSessionName: 'raw', WebIdentityToken: token }) });
      assert.equal(res.status, 403);
      assert.equal(res.headers['content-type'], 'text/xml');
      assert.match(
        res.text,
        new RegExp(`^<ErrorResponse xmlns="${STS_NAMESPACE.replace(/[./]/g, '\\$&')}"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>Not authorized to perform sts:AssumeRoleWithWebIdentity</Message></Error><RequestId>[0-9a-f-]{36}</RequestId></ErrorResponse>$`),
      );
      assert.equal(tag(res.text, 'RequestId'), res.headers['x-amzn-requestid']);
      const forged = await send(server.url, { method: 'POST', path: '/', headers: FORM, body: form({ Action: 'AssumeRoleWithWebIdentity', Version: '2011-06-15', RoleArn: GUEST, RoleSessionName: 'raw', WebIdentityToken: 'forged-token' }) });
      assert.equal(forged.status, 400);
      assert.deepEqual([tag(forged.text, 'Type'), tag(forged.text, 'Code')], ['Sender', 'InvalidIdentityToken']);
      const invalid = await send(server.url, { method: 'GET', path: '/', query: { Action: 'AssumeRoleWithWebIdentity', Version: '2011-06-15', RoleArn: GUEST, RoleSessionName: 'raw' } });
      assert.equal(invalid.status, 400);
      assert.equal(tag(invalid.text, 'Code'), 'ValidationError');
      assert.match(tag(invalid.text, 'Message')!, /Value null at 'webIdentityToken' failed to satisfy constraint: Member must not be null/);
    });

    it("in a form body '+' is a space and %2B a plus", async () => {
      const { token } = await guestToken();
      const body = (sessionName: string) => `Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=${encodeURIComponent(GUEST)}&WebIdentityToken=${token}&RoleSessionName=${sessionName}`;
      const plus = await send(server.url, { method: 'POST', path: '/', headers: FORM, body: body('a%2Bb') });
      assert.equal(tag(plus.text, 'Arn'), 'arn:aws:sts::123456789012:assumed-role/Cognito_Unauth/a+b');
      const space = await send(server.url, { method: 'POST', path: '/', headers: FORM, body: body('a+b') });
      assert.equal(space.status, 400);
      assert.match(tag(space.text, 'Message')!, /Value 'a b' at 'roleSessionName'/);
    });

    it('every other STS action is InvalidAction naming it, before any signature check', async () => {
      const signed = new STSClient({ region: REGION, endpoint: server.url, maxAttempts: 1, credentials: server.developer });
      const calls: Array<[string, () => Promise<unknown>]> = [
        ['GetCallerIdentity', () => signed.send(new GetCallerIdentityCommand({}))],
        ['AssumeRole', () => signed.send(new AssumeRoleCommand({ RoleArn: AUTH, RoleSessionName: 'x' }))],
        ['GetSessionToken', () => signed.send(new GetSessionTokenCommand({}))],
        ['DecodeAuthorizationMessage', () => sts.send(new DecodeAuthorizationMessageCommand({ EncodedMessage: 'x' }))],
      ];
      for (const [action, call] of calls) {
        await assertRefused(call(), 'InvalidAction', 400, new RegExp(`^${action} is not served by this server: of STS it answers only AssumeRoleWithWebIdentity\\.$`));
      }
    });

    it('unknown actions, other API versions, a form without Action and other methods are refused in XML', async () => {
      const unknown = await send(server.url, { method: 'POST', path: '/', headers: FORM, body: 'Action=AssumeEverything&Version=2011-06-15' });
      assert.equal(unknown.status, 400);
      assert.equal(tag(unknown.text, 'Code'), 'InvalidAction');
      assert.equal(tag(unknown.text, 'Message'), 'Could not find operation AssumeEverything for version 2011-06-15');
      const version = await send(server.url, { method: 'GET', path: '/', query: { Action: 'AssumeRoleWithWebIdentity', Version: '2099-01-01' } });
      assert.equal(version.status, 400);
      assert.equal(tag(version.text, 'Message'), 'Could not find operation AssumeRoleWithWebIdentity for version 2099-01-01');
      const noAction = await send(server.url, { method: 'POST', path: '/', headers: FORM, body: 'Version=2011-06-15' });
      assert.equal(noAction.status, 400);
      assert.equal(tag(noAction.text, 'Code'), 'MissingAction');
      assert.match(noAction.text, /^<ErrorResponse xmlns="https:\/\/sts\.amazonaws\.com\/doc\/2011-06-15\/">/);
      const put = await send(server.url, { method: 'PUT', path: '/', query: { Action: 'AssumeRoleWithWebIdentity', Version: '2011-06-15' } });
      assert.equal(put.status, 405);
      assert.equal(tag(put.text, 'Code'), 'InvalidAction');
    });
  });
});
