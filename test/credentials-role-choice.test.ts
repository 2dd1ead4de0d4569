// GetCredentialsForIdentity against the pool's roles and role mappings: the role for the kind of identity, rules
// matched against the claims of the login (for developer-authenticated identities, those of this server's OpenID
// token: sub, aud, amr), Token mappings, AmbiguousRoleResolution, CustomRoleArn, and AWS's refusals
// (InvalidIdentityPoolConfigurationException, NotAuthorizedException). Through the AWS SDK v3 client.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GetCredentialsForIdentityCommand, type RoleMapping, SetIdentityPoolRolesCommand } from '@aws-sdk/client-cognito-identity';
import { ListDatasetsCommand } from '@aws-sdk/client-cognito-sync';
import { COGNITO_LOGIN, createPool, DEVELOPER_PROVIDER, developerIdentity, unauthenticatedIdentity } from './helpers/identity-flows.ts';
import { errorOf, startServer, type TestServer } from './helpers/server.ts';

const role = (name: string) => `arn:aws:iam::123456789012:role/${name}`;
const AUTH = role('Cognito_Auth');
const GUEST = role('Cognito_Unauth');
const INVALID_CONFIGURATION = /^Invalid identity pool configuration\. Check assigned IAM roles for this pool\.$/;

describe('GetCredentialsForIdentity and the pool\'s roles', { timeout: 120_000 }, () => {
  let server: TestServer;
  before(async () => {
    server = await startServer();
  });
  after(async () => {
    await server.dispose();
  });

  async function assertRefused(promise: Promise<unknown>, code: string, message: RegExp) {
    const error = await errorOf(promise);
    assert.equal(error.name, code, `expected ${code}, got ${error.name}: ${error.message}`);
    assert.equal(error.$metadata.httpStatusCode, 400);
    assert.match(error.message, message);
  }

  const setRoles = (IdentityPoolId: string, Roles: Record<string, string>, RoleMappings?: Record<string, RoleMapping>) =>
    server.identityClient().send(new SetIdentityPoolRolesCommand({ IdentityPoolId, Roles, RoleMappings }));

  /** Credentials for a developer-authenticated user, asking for `customRoleArn`. */
  async function developerCredentials(poolId: string, user: string, customRoleArn?: string) {
    const { identityId, token } = await developerIdentity(server, poolId, user);
    return server.identityClient().send(new GetCredentialsForIdentityCommand({ IdentityId: identityId, Logins: { [COGNITO_LOGIN]: token }, CustomRoleArn: customRoleArn }));
  }

  it('a pool whose roles were never set gives credentials as before; asking it for a role is an invalid configuration', async () => {
    const poolId = await createPool(server);
    const guest = await unauthenticatedIdentity(server, poolId);
    assert.match(guest.credentials.accessKeyId, /^ASIA/);
    await assertRefused(
      server.identityClient().send(new GetCredentialsForIdentityCommand({ IdentityId: guest.identityId, CustomRoleArn: GUEST })),
      'InvalidIdentityPoolConfigurationException',
      INVALID_CONFIGURATION,
    );
  });

  it('an identity whose kind of role the pool lacks is refused InvalidIdentityPoolConfigurationException, in AWS words', async () => {
    const poolId = await createPool(server);
    const guest = await unauthenticatedIdentity(server, poolId);
    await setRoles(poolId, { authenticated: AUTH });
    await assertRefused(server.identityClient().send(new GetCredentialsForIdentityCommand({ IdentityId: guest.identityId })), 'InvalidIdentityPoolConfigurationException', INVALID_CONFIGURATION);
    assert.match((await developerCredentials(poolId, 'has-auth-role')).Credentials!.AccessKeyId!, /^ASIA/);

    await setRoles(poolId, { unauthenticated: GUEST });
    await assertRefused(developerCredentials(poolId, 'no-auth-role'), 'InvalidIdentityPoolConfigurationException', INVALID_CONFIGURATION);
    const answer = await server.identityClient().send(new GetCredentialsForIdentityCommand({ IdentityId: guest.identityId }));
    assert.equal(answer.IdentityId, guest.identityId);
  });

  it('CustomRoleArn: the identity\'s own role is accepted, any other refused NotAuthorizedException', async () => {
    const poolId = await createPool(server);
    await setRoles(poolId, { authenticated: AUTH, unauthenticated: GUEST });
    const guest = await unauthenticatedIdentity(server, poolId);
    const ask = (CustomRoleArn: string) => server.identityClient().send(new GetCredentialsForIdentityCommand({ IdentityId: guest.identityId, CustomRoleArn }));
    assert.equal((await ask(GUEST)).IdentityId, guest.identityId);
    await assertRefused(ask(AUTH), 'NotAuthorizedException', /Invalid CustomRoleArn: 'arn:aws:iam::123456789012:role\/Cognito_Auth' is not a role this identity may take/);
    assert.ok((await developerCredentials(poolId, 'custom-1', AUTH)).Credentials);
    await assertRefused(developerCredentials(poolId, 'custom-2', GUEST), 'NotAuthorizedException', /Invalid CustomRoleArn/);
  });

  it('a rules mapping for the developer provider is matched against the token\'s claims, first match first; CustomRoleArn picks among matches', async () => {
    const poolId = await createPool(server);
    const vip = await developerIdentity(server, poolId, 'vip');
    await setRoles(poolId, { authenticated: AUTH, unauthenticated: GUEST }, {
      [DEVELOPER_PROVIDER]: {
        Type: 'Rules',
        AmbiguousRoleResolution: 'Deny',
        RulesConfiguration: {
          Rules: [
            { Claim: 'sub', MatchType: 'Equals', Value: vip.identityId, RoleARN: role('Vip') },
            { Claim: 'amr', MatchType: 'Contains', Value: `${DEVELOPER_PROVIDER}:${poolId}:`, RoleARN: role('Player') },
            { Claim: 'aud', MatchType: 'NotEqual', Value: 'us-east-1:00000000-0000-0000-0000-000000000000', RoleARN: role('Member') },
            { Claim: 'no-such-claim', MatchType: 'NotEqual', Value: 'x', RoleARN: role('Never') },
          ],
        },
      },
    });
    const ask = (who: { identityId: string; token: string }, CustomRoleArn?: string) =>
      server.identityClient().send(new GetCredentialsForIdentityCommand({ IdentityId: who.identityId, Logins: { [COGNITO_LOGIN]: who.token }, CustomRoleArn }));
    // Every matching rule's role may be asked for; the first match is what one gets unasked.
    for (const matched of ['Vip', 'Player', 'Member']) assert.ok((await ask(vip, role(matched))).Credentials, matched);
    await assertRefused(ask(vip, role('Never')), 'NotAuthorizedException', /Invalid CustomRoleArn/);
    await assertRefused(ask(vip, AUTH), 'NotAuthorizedException', /Invalid CustomRoleArn/);
    const other = await developerIdentity(server, poolId, 'other');
    await assertRefused(ask(other, role('Vip')), 'NotAuthorizedException', /Invalid CustomRoleArn/);
    assert.ok((await ask(other, role('Player'))).Credentials);
    assert.ok((await ask(other)).Credentials);
    // An unauthenticated identity is not mapped: it takes the pool's unauthenticated role.
    const guest = await unauthenticatedIdentity(server, poolId);
    assert.ok(guest.credentials.accessKeyId);
  });

  it('no rule matching: AmbiguousRoleResolution AuthenticatedRole falls back to the authenticated role, Deny refuses', async () => {
    const poolId = await createPool(server);
    const mapping = (AmbiguousRoleResolution: 'AuthenticatedRole' | 'Deny'): Record<string, RoleMapping> => ({
      [DEVELOPER_PROVIDER]: {
        Type: 'Rules',
        AmbiguousRoleResolution,
        RulesConfiguration: { Rules: [{ Claim: 'sub', MatchType: 'StartsWith', Value: 'eu-west-1:', RoleARN: role('Europe') }] },
      },
    });
    await setRoles(poolId, { authenticated: AUTH }, mapping('AuthenticatedRole'));
    assert.ok((await developerCredentials(poolId, 'fallback-1')).Credentials);
    assert.ok((await developerCredentials(poolId, 'fallback-2', AUTH)).Credentials);
    await assertRefused(developerCredentials(poolId, 'fallback-3', role('Europe')), 'NotAuthorizedException', /Invalid CustomRoleArn/);

    await setRoles(poolId, { authenticated: AUTH }, mapping('Deny'));
    await assertRefused(developerCredentials(poolId, 'denied'), 'NotAuthorizedException', /no role mapping rule for 'login\.example\.app' matches this login, and its role mapping resolves ambiguous roles with Deny/);

    await setRoles(poolId, {}, mapping('AuthenticatedRole'));
    await assertRefused(developerCredentials(poolId, 'no-fallback'), 'InvalidIdentityPoolConfigurationException', INVALID_CONFIGURATION);
  });

  it('a Token mapping takes the role the token prefers; tokens of this server name none, so AmbiguousRoleResolution decides', async () => {
    const poolId = await createPool(server);
    await setRoles(poolId, { authenticated: AUTH }, { [DEVELOPER_PROVIDER]: { Type: 'Token', AmbiguousRoleResolution: 'AuthenticatedRole' } });
    assert.ok((await developerCredentials(poolId, 'token-1')).Credentials);
    await setRoles(poolId, { authenticated: AUTH }, { [DEVELOPER_PROVIDER]: { Type: 'Token', AmbiguousRoleResolution: 'Deny' } });
    await assertRefused(developerCredentials(poolId, 'token-2'), 'NotAuthorizedException', /the 'login\.example\.app' token names no role/);
  });

  it('credentials from a pool with roles act on Cognito Sync like any other', async () => {
    const poolId = await createPool(server);
    await setRoles(poolId, { authenticated: AUTH, unauthenticated: GUEST });
    const guest = await unauthenticatedIdentity(server, poolId);
    const listed = await server.syncClient(guest.credentials).send(new ListDatasetsCommand({ IdentityPoolId: poolId, IdentityId: guest.identityId }));
    assert.deepEqual(listed.Datasets, []);
  });
});
