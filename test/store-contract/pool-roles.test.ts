// Store contract: a pool's roles and role mappings, its principal tag attribute maps, atomic changes of its spec
// (tags), and roles carried by an import.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { IdentityPoolRoles } from '../../src/store/store.ts';
import { at, contractSuite, makePool, newAccountId, newId } from './stores.ts';

const ROLES: IdentityPoolRoles = {
  roles: { authenticated: 'arn:aws:iam::123456789012:role/auth', unauthenticated: 'arn:aws:iam::123456789012:role/guest' },
  roleMappings: {
    'login.example.app': {
      Type: 'Rules',
      AmbiguousRoleResolution: 'Deny',
      RulesConfiguration: {
        Rules: [
          { Claim: 'amr', MatchType: 'Contains', Value: 'login.example.app', RoleARN: 'arn:aws:iam::123456789012:role/player' },
          { Claim: 'sub', MatchType: 'StartsWith', Value: 'us-east-1:', RoleARN: 'arn:aws:iam::123456789012:role/ünïcode' },
        ],
      },
    },
    'cognito-idp.us-east-1.amazonaws.com/us-east-1_abc:client': { Type: 'Token', AmbiguousRoleResolution: 'AuthenticatedRole' },
  },
};

contractSuite('store contract: pool roles and role mappings', (subject) => {
  it('a pool whose roles were never set has none; set roles read back exactly, rules in order', async () => {
    const { store } = subject();
    const pool = await makePool(store);
    assert.deepEqual(await store.getIdentityPoolRoles(pool.identityPoolId), { roles: {}, roleMappings: {} });
    assert.equal(await store.setIdentityPoolRoles(pool.identityPoolId, ROLES), true);
    assert.deepEqual(await store.getIdentityPoolRoles(pool.identityPoolId), ROLES);
  });

  it('setting roles again replaces roles and mappings together', async () => {
    const { store } = subject();
    const pool = await makePool(store);
    await store.setIdentityPoolRoles(pool.identityPoolId, ROLES);
    const next: IdentityPoolRoles = { roles: { authenticated: 'arn:aws:iam::123456789012:role/other' }, roleMappings: {} };
    await store.setIdentityPoolRoles(pool.identityPoolId, next);
    assert.deepEqual(await store.getIdentityPoolRoles(pool.identityPoolId), next);
  });

  it('roles of a missing pool are refused, and go with a deleted pool', async () => {
    const { store } = subject();
    assert.equal(await store.setIdentityPoolRoles(newId(), ROLES), false);
    const pool = await makePool(store);
    await store.setIdentityPoolRoles(pool.identityPoolId, ROLES);
    await store.deleteIdentityPool(pool.identityPoolId);
    assert.deepEqual(await store.getIdentityPoolRoles(pool.identityPoolId), { roles: {}, roleMappings: {} });
    await makePool(store, pool.accountId, { identityPoolId: pool.identityPoolId });
    assert.deepEqual(await store.getIdentityPoolRoles(pool.identityPoolId), { roles: {}, roleMappings: {} }, 'a new pool with the same id starts without roles');
  });
});

contractSuite('store contract: principal tag attribute maps', (subject) => {
  it('one map per pool and provider: never set is undefined, set reads back, set again replaces', async () => {
    const { store } = subject();
    const pool = await makePool(store);
    const other = await makePool(store);
    const provider = 'accounts.google.com';
    assert.equal(await store.getPrincipalTagAttributeMap(pool.identityPoolId, provider), undefined);
    assert.equal(await store.setPrincipalTagAttributeMap(pool.identityPoolId, provider, { useDefaults: false, principalTags: { team: 'hd', user: 'sub' } }), true);
    await store.setPrincipalTagAttributeMap(pool.identityPoolId, 'graph.facebook.com', { useDefaults: true, principalTags: {} });
    assert.deepEqual(await store.getPrincipalTagAttributeMap(pool.identityPoolId, provider), { useDefaults: false, principalTags: { team: 'hd', user: 'sub' } });
    assert.deepEqual(await store.getPrincipalTagAttributeMap(pool.identityPoolId, 'graph.facebook.com'), { useDefaults: true, principalTags: {} });
    assert.equal(await store.getPrincipalTagAttributeMap(other.identityPoolId, provider), undefined);
    await store.setPrincipalTagAttributeMap(pool.identityPoolId, provider, { useDefaults: true, principalTags: { client: 'aud' } });
    assert.deepEqual(await store.getPrincipalTagAttributeMap(pool.identityPoolId, provider), { useDefaults: true, principalTags: { client: 'aud' } });
  });

  it('a missing pool is refused; a deleted pool takes its maps along', async () => {
    const { store } = subject();
    assert.equal(await store.setPrincipalTagAttributeMap(newId(), 'accounts.google.com', { useDefaults: true, principalTags: {} }), false);
    const pool = await makePool(store);
    await store.setPrincipalTagAttributeMap(pool.identityPoolId, 'accounts.google.com', { useDefaults: true, principalTags: {} });
    await store.deleteIdentityPool(pool.identityPoolId);
    assert.equal(await store.getPrincipalTagAttributeMap(pool.identityPoolId, 'accounts.google.com'), undefined);
  });
});

contractSuite('store contract: atomic changes of a pool spec', (subject) => {
  it('applies the change to the current spec and answers the result; a missing pool is undefined', async () => {
    const { store } = subject();
    const pool = await makePool(store, newAccountId(), { spec: { IdentityPoolName: 'tagged', AllowUnauthenticatedIdentities: true, IdentityPoolTags: { a: '1' } } });
    const next = await store.changeIdentityPoolSpec(pool.identityPoolId, (spec) => ({ ...spec, IdentityPoolTags: { ...spec.IdentityPoolTags, b: '2' } }));
    assert.deepEqual(next, { IdentityPoolName: 'tagged', AllowUnauthenticatedIdentities: true, IdentityPoolTags: { a: '1', b: '2' } });
    assert.deepEqual((await store.getIdentityPool(pool.identityPoolId))!.spec, next);
    assert.equal(await store.changeIdentityPoolSpec(newId(), (spec) => spec), undefined);
  });

  it('a change that throws writes nothing', async () => {
    const { store } = subject();
    const pool = await makePool(store);
    await assert.rejects(
      store.changeIdentityPoolSpec(pool.identityPoolId, () => {
        throw new Error('refused');
      }),
      /refused/,
    );
    assert.deepEqual((await store.getIdentityPool(pool.identityPoolId))!.spec, pool.spec);
  });

  it('racing changes through two handles (two nodes) are all kept', async () => {
    const { store, openAnother } = subject();
    const other = await openAnother();
    const pool = await makePool(store);
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        (i % 2 === 0 ? store : other).changeIdentityPoolSpec(pool.identityPoolId, (spec) => ({ ...spec, IdentityPoolTags: { ...spec.IdentityPoolTags, [`tag-${i}`]: String(i) } })),
      ),
    );
    const tags = (await store.getIdentityPool(pool.identityPoolId))!.spec.IdentityPoolTags!;
    assert.deepEqual(Object.keys(tags).sort(), Array.from({ length: 12 }, (_, i) => `tag-${i}`).sort());
  });
});

contractSuite('store contract: importing a pool with its roles', (subject) => {
  it('creates the pool with its roles; the same roles again are unchanged; other roles update them; no roles leave them', async () => {
    const { store } = subject();
    const pool = { identityPoolId: newId(), accountId: newAccountId(), spec: { IdentityPoolName: 'aws', AllowUnauthenticatedIdentities: true }, createdAt: at('2023-01-01T00:00:00.000Z') };
    assert.deepEqual(await store.importIdentityPool(pool, { roles: ROLES }), { outcome: 'created' });
    assert.deepEqual(await store.getIdentityPoolRoles(pool.identityPoolId), ROLES);
    assert.deepEqual(await store.importIdentityPool(pool, { roles: ROLES }), { outcome: 'unchanged' });
    const changed: IdentityPoolRoles = { roles: { authenticated: 'arn:aws:iam::123456789012:role/auth' }, roleMappings: {} };
    assert.deepEqual(await store.importIdentityPool(pool, { roles: changed }), { outcome: 'updated' });
    assert.deepEqual(await store.getIdentityPoolRoles(pool.identityPoolId), changed);
    assert.deepEqual(await store.importIdentityPool(pool, {}), { outcome: 'unchanged' });
    assert.deepEqual(await store.getIdentityPoolRoles(pool.identityPoolId), changed);
  });

  it('a pool without roles imported with empty roles is unchanged', async () => {
    const { store } = subject();
    const pool = { identityPoolId: newId(), accountId: newAccountId(), spec: { IdentityPoolName: 'aws', AllowUnauthenticatedIdentities: true }, createdAt: at('2023-01-01T00:00:00.000Z') };
    await store.importIdentityPool(pool, {});
    assert.deepEqual(await store.importIdentityPool(pool, { roles: { roles: {}, roleMappings: {} } }), { outcome: 'unchanged' });
  });
});
