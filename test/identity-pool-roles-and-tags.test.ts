// The pool-level Cognito Identity operations infrastructure tools call (Terraform, CloudFormation, CDK):
// GetIdentityPoolRoles/SetIdentityPoolRoles, TagResource/UntagResource/ListTagsForResource (consistent with
// IdentityPoolTags on Create/Update/DescribeIdentityPool), Get/SetPrincipalTagAttributeMap, with every constraint
// and error, and the sequence such a tool runs, through the AWS SDK v3 client against the real server.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateIdentityPoolCommand,
  DeleteIdentityPoolCommand,
  DescribeIdentityPoolCommand,
  GetIdentityPoolRolesCommand,
  GetPrincipalTagAttributeMapCommand,
  ListTagsForResourceCommand,
  type RoleMapping,
  SetIdentityPoolRolesCommand,
  SetPrincipalTagAttributeMapCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateIdentityPoolCommand,
} from '@aws-sdk/client-cognito-identity';
import { createPool, DEVELOPER_PROVIDER, unauthenticatedIdentity } from './helpers/identity-flows.ts';
import { errorOf, newDeveloperCredentials, REGION, startServer, type TestServer } from './helpers/server.ts';

const ACCOUNT_ROLE = (name: string) => `arn:aws:iam::123456789012:role/${name}`;
const USER_POOL = 'cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEf123';
const OIDC_ARN = 'arn:aws:iam::123456789012:oidc-provider/login.example.com/oidc';
const SAML_ARN = 'arn:aws:iam::123456789012:saml-provider/corp';

describe('pool roles, tags and principal tags (Cognito Identity)', { timeout: 180_000 }, () => {
  let server: TestServer;
  before(async () => {
    server = await startServer();
  });
  after(async () => {
    await server.dispose();
  });

  async function assertRefused(promise: Promise<unknown>, code: string, status: number, message?: RegExp) {
    const error = await errorOf(promise);
    assert.equal(error.name, code, `expected ${code}, got ${error.name}: ${error.message}`);
    assert.equal(error.$metadata.httpStatusCode, status);
    if (message) assert.match(error.message, message);
  }

  /** A pool with one provider of every kind, so each is a valid role mapping and principal tag map name. */
  async function poolWithProviders(tags?: Record<string, string>): Promise<string> {
    const { IdentityPoolId } = await server.identityClient().send(
      new CreateIdentityPoolCommand({
        IdentityPoolName: 'infra',
        AllowUnauthenticatedIdentities: true,
        DeveloperProviderName: DEVELOPER_PROVIDER,
        SupportedLoginProviders: { 'accounts.google.com': 'client-1.apps.googleusercontent.com', 'graph.facebook.com': '1234567890' },
        CognitoIdentityProviders: [{ ProviderName: USER_POOL, ClientId: 'appclient1', ServerSideTokenCheck: false }],
        OpenIdConnectProviderARNs: [OIDC_ARN],
        SamlProviderARNs: [SAML_ARN],
        IdentityPoolTags: tags,
      }),
    );
    return IdentityPoolId!;
  }

  const arnOf = (poolId: string, account = server.developer.accountId, region = REGION) =>
    `arn:aws:cognito-identity:${region}:${account}:identitypool/${poolId}`;

  const rulesMapping = (rules: Array<{ Claim: string; MatchType: 'Equals' | 'Contains' | 'StartsWith' | 'NotEqual'; Value: string; RoleARN: string }>): RoleMapping => ({
    Type: 'Rules',
    AmbiguousRoleResolution: 'Deny',
    RulesConfiguration: { Rules: rules },
  });

  describe('GetIdentityPoolRoles / SetIdentityPoolRoles', () => {
    it('a new pool has no roles; set roles and mappings (Token and Rules, every match type) read back exactly, rules in order', async () => {
      const IdentityPoolId = await poolWithProviders();
      const empty = await server.identityClient().send(new GetIdentityPoolRolesCommand({ IdentityPoolId }));
      assert.equal(empty.IdentityPoolId, IdentityPoolId);
      assert.deepEqual(empty.Roles, {});
      assert.equal(empty.RoleMappings, undefined);

      const Roles = { authenticated: ACCOUNT_ROLE('auth'), unauthenticated: ACCOUNT_ROLE('guest') };
      const RoleMappings: Record<string, RoleMapping> = {
        [`${USER_POOL}:appclient1`]: { Type: 'Token', AmbiguousRoleResolution: 'AuthenticatedRole' },
        'accounts.google.com': rulesMapping([
          { Claim: 'hd', MatchType: 'Equals', Value: 'example.com', RoleARN: ACCOUNT_ROLE('staff') },
          { Claim: 'email', MatchType: 'Contains', Value: '@partner.', RoleARN: ACCOUNT_ROLE('partner') },
          { Claim: 'sub', MatchType: 'StartsWith', Value: '1', RoleARN: ACCOUNT_ROLE('early') },
          { Claim: 'email_verified', MatchType: 'NotEqual', Value: 'true', RoleARN: ACCOUNT_ROLE('unverified') },
        ]),
        [DEVELOPER_PROVIDER]: rulesMapping([{ Claim: 'amr', MatchType: 'Contains', Value: DEVELOPER_PROVIDER, RoleARN: ACCOUNT_ROLE('player') }]),
        'login.example.com/oidc': { Type: 'Token', AmbiguousRoleResolution: 'Deny' },
        [SAML_ARN]: { Type: 'Token', AmbiguousRoleResolution: 'Deny' },
      };
      await server.identityClient().send(new SetIdentityPoolRolesCommand({ IdentityPoolId, Roles, RoleMappings }));
      const read = await server.identityClient().send(new GetIdentityPoolRolesCommand({ IdentityPoolId }));
      assert.deepEqual(read.Roles, Roles);
      assert.deepEqual(read.RoleMappings, RoleMappings);
      assert.deepEqual(
        read.RoleMappings!['accounts.google.com']!.RulesConfiguration!.Rules!.map((r) => r.RoleARN),
        ['staff', 'partner', 'early', 'unverified'].map(ACCOUNT_ROLE),
      );

      // Setting again replaces everything: roles and mappings not named are gone.
      await server.identityClient().send(new SetIdentityPoolRolesCommand({ IdentityPoolId, Roles: { authenticated: ACCOUNT_ROLE('auth2') } }));
      const replaced = await server.identityClient().send(new GetIdentityPoolRolesCommand({ IdentityPoolId }));
      assert.deepEqual(replaced.Roles, { authenticated: ACCOUNT_ROLE('auth2') });
      assert.equal(replaced.RoleMappings, undefined);
    });

    it('refuses a mapping for a provider the pool does not name, in AWS words', async () => {
      const IdentityPoolId = await poolWithProviders();
      const set = (provider: string) =>
        server.identityClient().send(
          new SetIdentityPoolRolesCommand({ IdentityPoolId, Roles: {}, RoleMappings: { [provider]: { Type: 'Token', AmbiguousRoleResolution: 'Deny' } } }),
        );
      for (const provider of ['www.amazon.com', USER_POOL, `https://${USER_POOL}`, `${USER_POOL}:otherclient`, 'cognito-identity.amazonaws.com']) {
        await assertRefused(set(provider), 'InvalidParameterException', 400, new RegExp(`${provider.replace(/[.:/]/g, '\\$&')} is not a valid RoleMapping ProviderName or is not a configured provider`));
      }
      assert.deepEqual((await server.identityClient().send(new GetIdentityPoolRolesCommand({ IdentityPoolId }))).Roles, {}, 'nothing was written');
    });

    it('checks the cross-field rules: AmbiguousRoleResolution for Token and Rules, RulesConfiguration for Rules, at most 25 rules', async () => {
      const IdentityPoolId = await poolWithProviders();
      const set = (mapping: RoleMapping) =>
        server.identityClient().send(new SetIdentityPoolRolesCommand({ IdentityPoolId, Roles: {}, RoleMappings: { 'accounts.google.com': mapping } }));
      await assertRefused(set({ Type: 'Token' }), 'InvalidParameterException', 400, /needs AmbiguousRoleResolution/);
      await assertRefused(set({ Type: 'Rules', RulesConfiguration: { Rules: [{ Claim: 'a', MatchType: 'Equals', Value: 'b', RoleARN: ACCOUNT_ROLE('r') }] } }), 'InvalidParameterException', 400, /needs AmbiguousRoleResolution/);
      await assertRefused(set({ Type: 'Rules', AmbiguousRoleResolution: 'Deny' }), 'InvalidParameterException', 400, /needs RulesConfiguration/);
      const rule = (i: number) => ({ Claim: 'group', MatchType: 'Equals' as const, Value: `g${i}`, RoleARN: ACCOUNT_ROLE(`r${i}`) });
      await set(rulesMapping(Array.from({ length: 25 }, (_, i) => rule(i))));
      await assertRefused(set(rulesMapping(Array.from({ length: 26 }, (_, i) => rule(i)))), 'InvalidParameterException', 400, /26 rules; at most 25/);
      assert.equal(
        (await server.identityClient().send(new GetIdentityPoolRolesCommand({ IdentityPoolId }))).RoleMappings!['accounts.google.com']!.RulesConfiguration!.Rules!.length,
        25,
        'the refused set changed nothing',
      );
    });

    it('checks the model: role types, enums, lengths, claim names, at most 10 mappings', async () => {
      const IdentityPoolId = await poolWithProviders();
      const client = server.identityClient();
      await assertRefused(client.send(new SetIdentityPoolRolesCommand({ IdentityPoolId, Roles: { admin: ACCOUNT_ROLE('a') } })), 'InvalidParameterException', 400, /Member must satisfy regular expression pattern: \(un\)\?authenticated/);
      await assertRefused(client.send(new SetIdentityPoolRolesCommand({ IdentityPoolId, Roles: { authenticated: 'arn:short' } })), 'InvalidParameterException', 400, /length greater than or equal to 20/);
      await assertRefused(
        client.send(new SetIdentityPoolRolesCommand({ IdentityPoolId, Roles: {}, RoleMappings: { 'accounts.google.com': { Type: 'Groups' as never, AmbiguousRoleResolution: 'Deny' } } })),
        'InvalidParameterException',
        400,
        /enum value set: \[Token, Rules\]/,
      );
      await assertRefused(
        client.send(new SetIdentityPoolRolesCommand({ IdentityPoolId, Roles: {}, RoleMappings: { 'accounts.google.com': { Type: 'Token', AmbiguousRoleResolution: 'Allow' as never } } })),
        'InvalidParameterException',
        400,
        /enum value set: \[AuthenticatedRole, Deny\]/,
      );
      await assertRefused(
        client.send(new SetIdentityPoolRolesCommand({ IdentityPoolId, Roles: {}, RoleMappings: { 'accounts.google.com': rulesMapping([{ Claim: 'has space', MatchType: 'Equals', Value: 'x', RoleARN: ACCOUNT_ROLE('r') }]) } })),
        'InvalidParameterException',
        400,
        /claim/,
      );
      await assertRefused(
        client.send(new SetIdentityPoolRolesCommand({ IdentityPoolId, Roles: {}, RoleMappings: { 'accounts.google.com': rulesMapping([{ Claim: 'c', MatchType: 'Like' as never, Value: 'x', RoleARN: ACCOUNT_ROLE('r') }]) } })),
        'InvalidParameterException',
        400,
        /Equals, Contains, StartsWith, NotEqual/,
      );
      const eleven = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`p${i}.example`, { Type: 'Token' as const, AmbiguousRoleResolution: 'Deny' as const }]));
      await assertRefused(client.send(new SetIdentityPoolRolesCommand({ IdentityPoolId, Roles: {}, RoleMappings: eleven })), 'InvalidParameterException', 400, /length less than or equal to 10/);
    });

    it('a role that is not an IAM role ARN is refused as AWS refuses a role it may not pass', async () => {
      const IdentityPoolId = await poolWithProviders();
      await assertRefused(
        server.identityClient().send(new SetIdentityPoolRolesCommand({ IdentityPoolId, Roles: { authenticated: 'my-stack-SomeRole-KBKHTR8P6UC2' } })),
        'NotAuthorizedException',
        400,
        /Access to Role 'my-stack-SomeRole-KBKHTR8P6UC2' is forbidden/,
      );
      await assertRefused(
        server.identityClient().send(
          new SetIdentityPoolRolesCommand({ IdentityPoolId, Roles: {}, RoleMappings: { 'accounts.google.com': rulesMapping([{ Claim: 'c', MatchType: 'Equals', Value: 'x', RoleARN: 'arn:aws:iam::123456789012:user/alice' }]) } }),
        ),
        'NotAuthorizedException',
        400,
        /Access to Role 'arn:aws:iam::123456789012:user\/alice' is forbidden/,
      );
    });

    it('unknown pools and identity credentials are refused', async () => {
      const missing = 'us-east-1:00000000-0000-0000-0000-000000000000';
      await assertRefused(server.identityClient().send(new GetIdentityPoolRolesCommand({ IdentityPoolId: missing })), 'ResourceNotFoundException', 400, /IdentityPool 'us-east-1:0{8}-.*' not found/);
      await assertRefused(server.identityClient().send(new SetIdentityPoolRolesCommand({ IdentityPoolId: missing, Roles: {} })), 'ResourceNotFoundException', 400);
      const IdentityPoolId = await poolWithProviders();
      const guest = await unauthenticatedIdentity(server, IdentityPoolId);
      await assertRefused(server.identityClient(guest.credentials).send(new GetIdentityPoolRolesCommand({ IdentityPoolId })), 'NotAuthorizedException', 400, /can only be called with developer credentials/);
      await assertRefused(server.identityClient(guest.credentials).send(new SetIdentityPoolRolesCommand({ IdentityPoolId, Roles: {} })), 'NotAuthorizedException', 400);
    });
  });

  describe('TagResource / UntagResource / ListTagsForResource', () => {
    it('tags are one set: IdentityPoolTags of CreateIdentityPool, TagResource, DescribeIdentityPool and ListTagsForResource agree', async () => {
      const IdentityPoolId = await poolWithProviders({ team: 'sync', 'cost centre': '42' });
      const client = server.identityClient();
      const ResourceArn = arnOf(IdentityPoolId);
      assert.deepEqual((await client.send(new ListTagsForResourceCommand({ ResourceArn }))).Tags, { team: 'sync', 'cost centre': '42' });

      await client.send(new TagResourceCommand({ ResourceArn, Tags: { team: 'games', stage: 'prod', empty: '' } }));
      const tagged = { team: 'games', 'cost centre': '42', stage: 'prod', empty: '' };
      assert.deepEqual((await client.send(new ListTagsForResourceCommand({ ResourceArn }))).Tags, tagged);
      assert.deepEqual((await client.send(new DescribeIdentityPoolCommand({ IdentityPoolId }))).IdentityPoolTags, tagged);

      // UpdateIdentityPool without tags keeps them; with tags replaces them.
      await client.send(new UpdateIdentityPoolCommand({ IdentityPoolId, IdentityPoolName: 'renamed', AllowUnauthenticatedIdentities: true, DeveloperProviderName: DEVELOPER_PROVIDER }));
      assert.deepEqual((await client.send(new ListTagsForResourceCommand({ ResourceArn }))).Tags, tagged);
      await client.send(new UpdateIdentityPoolCommand({ IdentityPoolId, IdentityPoolName: 'renamed', AllowUnauthenticatedIdentities: true, IdentityPoolTags: { only: 'this' } }));
      assert.deepEqual((await client.send(new ListTagsForResourceCommand({ ResourceArn }))).Tags, { only: 'this' });

      await client.send(new UntagResourceCommand({ ResourceArn, TagKeys: ['only', 'never-there'] }));
      assert.deepEqual((await client.send(new ListTagsForResourceCommand({ ResourceArn }))).Tags, {});
      assert.equal((await client.send(new DescribeIdentityPoolCommand({ IdentityPoolId }))).IdentityPoolTags, undefined);
    });

    it('at most 50 tags per pool, counted after the change; a refused change writes nothing', async () => {
      const tags = (n: number, prefix = 'k') => Object.fromEntries(Array.from({ length: n }, (_, i) => [`${prefix}${i}`, `v${i}`]));
      await assertRefused(
        server.identityClient().send(new CreateIdentityPoolCommand({ IdentityPoolName: 'too many', AllowUnauthenticatedIdentities: true, IdentityPoolTags: tags(51) })),
        'InvalidParameterException',
        400,
        /at most 50 tags; this would give it 51/,
      );
      const IdentityPoolId = await poolWithProviders(tags(48));
      const ResourceArn = arnOf(IdentityPoolId);
      await server.identityClient().send(new TagResourceCommand({ ResourceArn, Tags: { k0: 'replaced', new1: 'x', new2: 'y' } }));
      assert.equal(Object.keys((await server.identityClient().send(new ListTagsForResourceCommand({ ResourceArn }))).Tags!).length, 50);
      await assertRefused(server.identityClient().send(new TagResourceCommand({ ResourceArn, Tags: { new3: 'z' } })), 'InvalidParameterException', 400, /at most 50 tags; this would give it 51/);
      const after = (await server.identityClient().send(new ListTagsForResourceCommand({ ResourceArn }))).Tags!;
      assert.equal(Object.keys(after).length, 50);
      assert.equal(after.new3, undefined);
      await assertRefused(
        server.identityClient().send(new UpdateIdentityPoolCommand({ IdentityPoolId, IdentityPoolName: 'x', AllowUnauthenticatedIdentities: true, IdentityPoolTags: tags(51) })),
        'InvalidParameterException',
        400,
        /at most 50 tags/,
      );
    });

    it('keys with the aws: prefix are reserved; key and value lengths are the model\'s', async () => {
      const IdentityPoolId = await poolWithProviders();
      const ResourceArn = arnOf(IdentityPoolId);
      const client = server.identityClient();
      for (const key of ['aws:cloudformation:stack-name', 'AWS:Owner']) {
        await assertRefused(client.send(new TagResourceCommand({ ResourceArn, Tags: { [key]: 'x' } })), 'InvalidParameterException', 400, /reserved for AWS use/);
        await assertRefused(client.send(new UntagResourceCommand({ ResourceArn, TagKeys: [key] })), 'InvalidParameterException', 400, /reserved for AWS use/);
      }
      await assertRefused(
        client.send(new CreateIdentityPoolCommand({ IdentityPoolName: 'reserved', AllowUnauthenticatedIdentities: true, IdentityPoolTags: { 'aws:x': 'y' } })),
        'InvalidParameterException',
        400,
        /reserved for AWS use/,
      );
      await assertRefused(client.send(new TagResourceCommand({ ResourceArn, Tags: { ['k'.repeat(129)]: 'x' } })), 'InvalidParameterException', 400, /length less than or equal to 128/);
      await assertRefused(client.send(new TagResourceCommand({ ResourceArn, Tags: { k: 'v'.repeat(257) } })), 'InvalidParameterException', 400, /length less than or equal to 256/);
      await assertRefused(client.send(new TagResourceCommand({ ResourceArn, Tags: { '': 'v' } })), 'InvalidParameterException', 400, /length greater than or equal to 1/);
      await client.send(new TagResourceCommand({ ResourceArn, Tags: { ['k'.repeat(128)]: 'v'.repeat(256), 'ünïcode ✓': 'välue' } }));
      assert.equal(Object.keys((await client.send(new ListTagsForResourceCommand({ ResourceArn }))).Tags!).length, 2);
    });

    it('the ARN must name a pool of this account and region: malformed is InvalidParameterException, anything else not found', async () => {
      const IdentityPoolId = await poolWithProviders({ a: '1' });
      const client = server.identityClient();
      for (const bad of [IdentityPoolId, `arn:aws:cognito-idp:${REGION}:${server.developer.accountId}:userpool/${IdentityPoolId}`, `arn:aws:cognito-identity:${REGION}:12345:identitypool/${IdentityPoolId}`]) {
        await assertRefused(client.send(new ListTagsForResourceCommand({ ResourceArn: bad })), 'InvalidParameterException', 400, /Invalid ResourceArn .* arn:aws:cognito-identity:<region>:<account id>:identitypool\/<identity pool id>/);
      }
      for (const absent of [arnOf('us-east-1:00000000-0000-0000-0000-000000000000'), arnOf(IdentityPoolId, '999999999999'), arnOf(IdentityPoolId, server.developer.accountId, 'eu-west-1')]) {
        await assertRefused(client.send(new ListTagsForResourceCommand({ ResourceArn: absent })), 'ResourceNotFoundException', 400, /not found/);
        await assertRefused(client.send(new TagResourceCommand({ ResourceArn: absent, Tags: { b: '2' } })), 'ResourceNotFoundException', 400);
        await assertRefused(client.send(new UntagResourceCommand({ ResourceArn: absent, TagKeys: ['a'] })), 'ResourceNotFoundException', 400);
      }
      assert.deepEqual((await client.send(new ListTagsForResourceCommand({ ResourceArn: arnOf(IdentityPoolId) }))).Tags, { a: '1' });
    });

    it('racing TagResource and UpdateIdentityPool calls on one pool lose no tag', async () => {
      const IdentityPoolId = await poolWithProviders();
      const ResourceArn = arnOf(IdentityPoolId);
      await Promise.all([
        ...Array.from({ length: 12 }, (_, i) => server.identityClient().send(new TagResourceCommand({ ResourceArn, Tags: { [`tag-${i}`]: String(i) } }))),
        ...Array.from({ length: 4 }, (_, i) =>
          server.identityClient().send(new UpdateIdentityPoolCommand({ IdentityPoolId, IdentityPoolName: `name-${i}`, AllowUnauthenticatedIdentities: true })),
        ),
      ]);
      const tags = (await server.identityClient().send(new ListTagsForResourceCommand({ ResourceArn }))).Tags!;
      assert.deepEqual(Object.keys(tags).sort(), Array.from({ length: 12 }, (_, i) => `tag-${i}`).sort());
    });
  });

  describe('GetPrincipalTagAttributeMap / SetPrincipalTagAttributeMap', () => {
    it('per pool and provider: off until set, then UseDefaults and PrincipalTags as set; setting again replaces', async () => {
      const IdentityPoolId = await poolWithProviders();
      const client = server.identityClient();
      const get = (IdentityProviderName: string) => client.send(new GetPrincipalTagAttributeMapCommand({ IdentityPoolId, IdentityProviderName }));
      const unset = await get(USER_POOL);
      assert.deepEqual({ ...unset, $metadata: undefined }, { $metadata: undefined, IdentityPoolId, IdentityProviderName: USER_POOL, UseDefaults: false });

      const set = await client.send(new SetPrincipalTagAttributeMapCommand({ IdentityPoolId, IdentityProviderName: USER_POOL, UseDefaults: false, PrincipalTags: { tenant: 'custom:tenant', username: 'sub' } }));
      assert.deepEqual([set.IdentityPoolId, set.IdentityProviderName, set.UseDefaults, set.PrincipalTags], [IdentityPoolId, USER_POOL, false, { tenant: 'custom:tenant', username: 'sub' }]);
      await client.send(new SetPrincipalTagAttributeMapCommand({ IdentityPoolId, IdentityProviderName: OIDC_ARN, UseDefaults: true }));
      await client.send(new SetPrincipalTagAttributeMapCommand({ IdentityPoolId, IdentityProviderName: 'accounts.google.com', PrincipalTags: { domain: 'hd' } }));

      const userPool = await get(USER_POOL);
      assert.deepEqual([userPool.UseDefaults, userPool.PrincipalTags], [false, { tenant: 'custom:tenant', username: 'sub' }]);
      const oidc = await get(OIDC_ARN);
      assert.deepEqual([oidc.UseDefaults, oidc.PrincipalTags], [true, undefined]);
      const google = await get('accounts.google.com');
      assert.deepEqual([google.UseDefaults, google.PrincipalTags], [false, { domain: 'hd' }]);
      assert.equal((await get(SAML_ARN)).UseDefaults, false);

      // What Terraform's delete sends: defaults on, no tags.
      await client.send(new SetPrincipalTagAttributeMapCommand({ IdentityPoolId, IdentityProviderName: USER_POOL, UseDefaults: true, PrincipalTags: {} }));
      const reset = await get(USER_POOL);
      assert.deepEqual([reset.UseDefaults, reset.PrincipalTags], [true, undefined]);
    });

    it('refuses a provider the pool does not name, a missing pool, and input the model does not allow', async () => {
      const IdentityPoolId = await poolWithProviders();
      const client = server.identityClient();
      for (const provider of ['www.amazon.com', `${USER_POOL}:appclient1`, DEVELOPER_PROVIDER]) {
        await assertRefused(client.send(new GetPrincipalTagAttributeMapCommand({ IdentityPoolId, IdentityProviderName: provider })), 'InvalidParameterException', 400, /is not a configured provider of identity pool/);
        await assertRefused(client.send(new SetPrincipalTagAttributeMapCommand({ IdentityPoolId, IdentityProviderName: provider, UseDefaults: true })), 'InvalidParameterException', 400, /is not a configured provider/);
      }
      const missing = 'us-east-1:00000000-0000-0000-0000-000000000000';
      await assertRefused(client.send(new GetPrincipalTagAttributeMapCommand({ IdentityPoolId: missing, IdentityProviderName: 'accounts.google.com' })), 'ResourceNotFoundException', 400);
      await assertRefused(client.send(new SetPrincipalTagAttributeMapCommand({ IdentityPoolId: missing, IdentityProviderName: 'accounts.google.com' })), 'ResourceNotFoundException', 400);
      const fiftyOne = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`t${i}`, 'sub']));
      await assertRefused(client.send(new SetPrincipalTagAttributeMapCommand({ IdentityPoolId, IdentityProviderName: 'accounts.google.com', PrincipalTags: fiftyOne })), 'InvalidParameterException', 400, /length less than or equal to 50/);
      await assertRefused(client.send(new SetPrincipalTagAttributeMapCommand({ IdentityPoolId, IdentityProviderName: 'accounts.google.com', PrincipalTags: { t: '' } })), 'InvalidParameterException', 400, /length greater than or equal to 1/);
      await assertRefused(client.send(new SetPrincipalTagAttributeMapCommand({ IdentityPoolId, IdentityProviderName: 'accounts.google.com', PrincipalTags: { 'aws:t': 'sub' } })), 'InvalidParameterException', 400, /reserved for AWS use/);
    });
  });

  describe('an infrastructure tool\'s sequence', () => {
    it('create with tags, set roles with a rules mapping, read everything back, update, untag, delete', async () => {
      const client = server.identityClient();
      const IdentityPoolId = await poolWithProviders({ Environment: 'Production', Owner: 'platform' });
      const ResourceArn = arnOf(IdentityPoolId);
      const Roles = { authenticated: ACCOUNT_ROLE('Cognito_Auth'), unauthenticated: ACCOUNT_ROLE('Cognito_Unauth') };
      const RoleMappings = {
        'accounts.google.com': rulesMapping([
          { Claim: 'hd', MatchType: 'Equals', Value: 'example.com', RoleARN: ACCOUNT_ROLE('Staff') },
          { Claim: 'email', MatchType: 'StartsWith', Value: 'admin', RoleARN: ACCOUNT_ROLE('Admin') },
        ]),
      };
      await client.send(new SetIdentityPoolRolesCommand({ IdentityPoolId, Roles, RoleMappings }));
      await client.send(new SetPrincipalTagAttributeMapCommand({ IdentityPoolId, IdentityProviderName: 'accounts.google.com', UseDefaults: false, PrincipalTags: { domain: 'hd' } }));

      // Read everything back, as a plan/refresh does.
      const described = await client.send(new DescribeIdentityPoolCommand({ IdentityPoolId }));
      assert.equal(described.IdentityPoolName, 'infra');
      assert.deepEqual(described.IdentityPoolTags, { Environment: 'Production', Owner: 'platform' });
      const roles = await client.send(new GetIdentityPoolRolesCommand({ IdentityPoolId }));
      assert.deepEqual([roles.Roles, roles.RoleMappings], [Roles, RoleMappings]);
      assert.deepEqual((await client.send(new ListTagsForResourceCommand({ ResourceArn }))).Tags, { Environment: 'Production', Owner: 'platform' });
      assert.deepEqual((await client.send(new GetPrincipalTagAttributeMapCommand({ IdentityPoolId, IdentityProviderName: 'accounts.google.com' }))).PrincipalTags, { domain: 'hd' });

      // Update: rename (tags kept, roles untouched), retag, drop a tag, drop the mapping.
      await client.send(new UpdateIdentityPoolCommand({ ...described, IdentityPoolName: 'infra-v2', IdentityPoolTags: undefined }));
      await client.send(new TagResourceCommand({ ResourceArn, Tags: { Environment: 'Staging' } }));
      await client.send(new UntagResourceCommand({ ResourceArn, TagKeys: ['Owner'] }));
      await client.send(new SetIdentityPoolRolesCommand({ IdentityPoolId, Roles }));
      const updated = await client.send(new DescribeIdentityPoolCommand({ IdentityPoolId }));
      assert.equal(updated.IdentityPoolName, 'infra-v2');
      assert.deepEqual(updated.IdentityPoolTags, { Environment: 'Staging' });
      const rolesAfter = await client.send(new GetIdentityPoolRolesCommand({ IdentityPoolId }));
      assert.deepEqual([rolesAfter.Roles, rolesAfter.RoleMappings], [Roles, undefined]);

      // Delete: everything of the pool is gone with it.
      await client.send(new DeleteIdentityPoolCommand({ IdentityPoolId }));
      await assertRefused(client.send(new DescribeIdentityPoolCommand({ IdentityPoolId })), 'ResourceNotFoundException', 400);
      await assertRefused(client.send(new GetIdentityPoolRolesCommand({ IdentityPoolId })), 'ResourceNotFoundException', 400);
      await assertRefused(client.send(new ListTagsForResourceCommand({ ResourceArn })), 'ResourceNotFoundException', 400);
      await assertRefused(client.send(new GetPrincipalTagAttributeMapCommand({ IdentityPoolId, IdentityProviderName: 'accounts.google.com' })), 'ResourceNotFoundException', 400);
    });
  });

  describe('another account', () => {
    it("finds none of this account's pools: roles, tags and principal tag maps are all not found", async () => {
      const IdentityPoolId = await poolWithProviders({ a: '1' });
      await server.identityClient().send(new SetIdentityPoolRolesCommand({ IdentityPoolId, Roles: { authenticated: ACCOUNT_ROLE('auth') } }));
      const owner = server.developer;
      const other = newDeveloperCredentials();
      await server.stop();
      const shared = await startServer({ dataDir: server.dataDir, developer: other });
      try {
        const client = shared.identityClient(other);
        await assertRefused(client.send(new GetIdentityPoolRolesCommand({ IdentityPoolId })), 'ResourceNotFoundException', 400);
        await assertRefused(client.send(new SetIdentityPoolRolesCommand({ IdentityPoolId, Roles: {} })), 'ResourceNotFoundException', 400);
        await assertRefused(client.send(new GetPrincipalTagAttributeMapCommand({ IdentityPoolId, IdentityProviderName: 'accounts.google.com' })), 'ResourceNotFoundException', 400);
        for (const ResourceArn of [arnOf(IdentityPoolId, owner.accountId), arnOf(IdentityPoolId, other.accountId)]) {
          await assertRefused(client.send(new ListTagsForResourceCommand({ ResourceArn })), 'ResourceNotFoundException', 400);
          await assertRefused(client.send(new TagResourceCommand({ ResourceArn, Tags: { b: '2' } })), 'ResourceNotFoundException', 400);
        }
        const own = shared.identityClient(owner);
        assert.deepEqual((await own.send(new GetIdentityPoolRolesCommand({ IdentityPoolId }))).Roles, { authenticated: ACCOUNT_ROLE('auth') });
        assert.deepEqual((await own.send(new ListTagsForResourceCommand({ ResourceArn: arnOf(IdentityPoolId, owner.accountId) }))).Tags, { a: '1' });
      } finally {
        await shared.stop();
      }
      server = await startServer({ dataDir: server.dataDir, developer: owner });
    });
  });
});
