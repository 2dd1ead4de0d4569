// Store contract: identities, their logins, listing, deletion and merging.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { at, contractSuite, makeIdentity, makePool, newId } from './stores.ts';

const login = (userIdentifier: string, providerName = 'login.example') => ({ providerName, userIdentifier });
const NOW = at('2024-06-01T00:00:00.000Z');
const LATER = at('2024-06-02T00:00:00.000Z');

contractSuite('store contract: identities', (subject) => {
  it('creates an identity and reads it back by id; an unknown id is undefined', async () => {
    const { store } = subject();
    const pool = await makePool(store);
    const identity = await makeIdentity(store, pool.identityPoolId);
    assert.deepEqual(await store.getIdentity(identity.identityId), { ...identity, mergedInto: undefined });
    assert.equal(await store.getIdentity(newId()), undefined);
    const disabled = await makeIdentity(store, pool.identityPoolId, { disabled: true });
    assert.equal((await store.getIdentity(disabled.identityId))!.disabled, true);
  });

  it("links logins, finds an identity by login (per pool), and lists an identity's logins in order", async () => {
    const { store } = subject();
    const pool = await makePool(store);
    const otherPool = await makePool(store);
    const identity = await makeIdentity(store, pool.identityPoolId);
    assert.deepEqual(await store.getIdentityLogins(identity.identityId), []);
    assert.deepEqual(await store.linkLogin(identity.identityId, login('zed'), NOW), { linked: true });
    assert.deepEqual(await store.linkLogin(identity.identityId, login('amy'), NOW), { linked: true });
    assert.deepEqual(await store.linkLogin(identity.identityId, login('amy', 'a.provider'), NOW), { linked: true });
    assert.deepEqual(await store.linkLogin(identity.identityId, login('amy'), NOW), { linked: true }, 'linking again is a no-op');
    assert.deepEqual(await store.getIdentityLogins(identity.identityId), [login('amy', 'a.provider'), login('amy'), login('zed')]);
    assert.equal(await store.findIdentityByLogin(pool.identityPoolId, login('amy')), identity.identityId);
    assert.equal(await store.findIdentityByLogin(pool.identityPoolId, login('nobody')), undefined);
    assert.equal(await store.findIdentityByLogin(otherPool.identityPoolId, login('amy')), undefined);
  });

  it('a login linked to another identity of the pool is left alone and its identity reported', async () => {
    const { store } = subject();
    const pool = await makePool(store);
    const first = await makeIdentity(store, pool.identityPoolId);
    const second = await makeIdentity(store, pool.identityPoolId);
    await store.linkLogin(first.identityId, login('shared'), NOW);
    assert.deepEqual(await store.linkLogin(second.identityId, login('shared'), NOW), { linked: false, linkedTo: first.identityId });
    assert.equal(await store.findIdentityByLogin(pool.identityPoolId, login('shared')), first.identityId);
    // The same user identifier in another pool is another login.
    const otherPool = await makePool(store);
    const third = await makeIdentity(store, otherPool.identityPoolId);
    assert.deepEqual(await store.linkLogin(third.identityId, login('shared'), NOW), { linked: true });
  });

  it('linking a login to an unknown identity fails', async () => {
    await assert.rejects(subject().store.linkLogin(newId(), login('x'), NOW));
  });

  it('unlinking the last login disables the identity; linking one re-enables it and stamps lastModifiedAt', async () => {
    const { store } = subject();
    const pool = await makePool(store);
    const identity = await makeIdentity(store, pool.identityPoolId);
    await store.linkLogin(identity.identityId, login('a'), NOW);
    await store.linkLogin(identity.identityId, login('b'), NOW);
    assert.equal(await store.unlinkLogin(identity.identityId, login('a'), NOW), true);
    assert.equal((await store.getIdentity(identity.identityId))!.disabled, false);
    assert.equal(await store.unlinkLogin(identity.identityId, login('a'), NOW), false, 'no longer linked');
    assert.equal(await store.unlinkLogin(identity.identityId, login('b'), LATER), true);
    const afterUnlink = (await store.getIdentity(identity.identityId))!;
    assert.equal(afterUnlink.disabled, true);
    assert.deepEqual(afterUnlink.lastModifiedAt, LATER);
    assert.equal(await store.findIdentityByLogin(pool.identityPoolId, login('b')), undefined);
    assert.equal(await store.unlinkLogin(newId(), login('b'), LATER), false, 'unknown identity');
    const relinkAt = at('2024-06-03T00:00:00.000Z');
    assert.deepEqual(await store.linkLogin(identity.identityId, login('c'), relinkAt), { linked: true });
    const relinked = (await store.getIdentity(identity.identityId))!;
    assert.equal(relinked.disabled, false);
    assert.deepEqual(relinked.lastModifiedAt, relinkAt);
  });

  it('findOrCreateIdentityForLogin creates the candidate once, then finds it', async () => {
    const { store } = subject();
    const pool = await makePool(store);
    const candidate = { identityId: newId(), identityPoolId: pool.identityPoolId, createdAt: NOW, lastModifiedAt: NOW, disabled: false };
    assert.deepEqual(await store.findOrCreateIdentityForLogin(pool.identityPoolId, login('first'), candidate), { identityId: candidate.identityId, created: true });
    assert.deepEqual(await store.getIdentityLogins(candidate.identityId), [login('first')]);
    const another = { ...candidate, identityId: newId() };
    assert.deepEqual(await store.findOrCreateIdentityForLogin(pool.identityPoolId, login('first'), another), { identityId: candidate.identityId, created: false });
    assert.equal(await store.getIdentity(another.identityId), undefined, 'the unused candidate is not stored');
  });

  it('racing first logins of one user through two handles (two nodes) end with one identity', async () => {
    const { store, openAnother } = subject();
    const other = await openAnother();
    const pool = await makePool(store);
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        (i % 2 === 0 ? store : other).findOrCreateIdentityForLogin(pool.identityPoolId, login('racer'), {
          identityId: newId(),
          identityPoolId: pool.identityPoolId,
          createdAt: NOW,
          lastModifiedAt: NOW,
          disabled: false,
        }),
      ),
    );
    assert.equal(new Set(results.map((r) => r.identityId)).size, 1, 'everyone got the same identity');
    assert.equal(results.filter((r) => r.created).length, 1, 'exactly one call created it');
    const listed = await store.listIdentities(pool.identityPoolId, 60, {});
    assert.equal(listed.items.length, 1, 'no orphan candidates were left behind');
  });

  it("lists a pool's identities with their logins, page by page, without merged ones; hideDisabled hides disabled ones", async () => {
    const { store } = subject();
    const pool = await makePool(store);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const identity = await makeIdentity(store, pool.identityPoolId);
      await store.linkLogin(identity.identityId, login(`user-${i}`), NOW);
      ids.push(identity.identityId);
    }
    const disabled = await makeIdentity(store, pool.identityPoolId, { disabled: true });
    const merged = await makeIdentity(store, pool.identityPoolId);
    await store.mergeIdentities(merged.identityId, ids[0]!, NOW);
    await makeIdentity(store, (await makePool(store)).identityPoolId);

    const seen = [];
    let after: string | undefined;
    for (let page = 0; page < 10; page++) {
      const result = await store.listIdentities(pool.identityPoolId, 2, { after });
      seen.push(...result.items);
      if (!result.nextAfter) break;
      after = result.nextAfter;
    }
    const expected = [...ids, disabled.identityId].sort((a, b) => (Buffer.from(a) < Buffer.from(b) ? -1 : 1));
    assert.deepEqual(seen.map((i) => i.identityId), expected);
    const withLogins = seen.find((i) => i.identityId === ids[3])!;
    assert.deepEqual(withLogins.logins, [login('user-3')]);
    assert.deepEqual(seen.find((i) => i.identityId === disabled.identityId)!.logins, []);

    const visible = await store.listIdentities(pool.identityPoolId, 60, { hideDisabled: true });
    assert.deepEqual(visible.items.map((i) => i.identityId), [...ids].sort((a, b) => (Buffer.from(a) < Buffer.from(b) ? -1 : 1)));
    assert.equal(visible.nextAfter, undefined);
  });

  it("lists an identity's user identifiers for one provider, page by page", async () => {
    const { store } = subject();
    const pool = await makePool(store);
    const identity = await makeIdentity(store, pool.identityPoolId);
    for (const user of ['b', 'A', 'c', 'a-1', 'a1']) await store.linkLogin(identity.identityId, login(user, 'dev'), NOW);
    await store.linkLogin(identity.identityId, login('other', 'elsewhere'), NOW);
    const seen: string[] = [];
    let after: string | undefined;
    for (let page = 0; page < 10; page++) {
      const result = await store.listLoginUserIdentifiers(identity.identityId, 'dev', 2, after);
      seen.push(...result.items);
      if (!result.nextAfter) break;
      assert.equal(result.nextAfter, result.items.at(-1));
      after = result.nextAfter;
    }
    assert.deepEqual(seen, ['A', 'a-1', 'a1', 'b', 'c']);
    assert.deepEqual(await store.listLoginUserIdentifiers(identity.identityId, 'none', 10), { items: [], nextAfter: undefined });
  });

  it('deletes identities with their logins and whatever merged into them, and returns the ids it deleted in order', async () => {
    const { store } = subject();
    const pool = await makePool(store);
    const a = await makeIdentity(store, pool.identityPoolId);
    const b = await makeIdentity(store, pool.identityPoolId);
    const mergedIntoA = await makeIdentity(store, pool.identityPoolId);
    const keep = await makeIdentity(store, pool.identityPoolId);
    await store.linkLogin(a.identityId, login('a'), NOW);
    await store.mergeIdentities(mergedIntoA.identityId, a.identityId, NOW);
    const unknown = newId();
    assert.deepEqual(await store.deleteIdentities([b.identityId, unknown, a.identityId, mergedIntoA.identityId]), [b.identityId, a.identityId]);
    for (const gone of [a, b, mergedIntoA]) assert.equal(await store.getIdentity(gone.identityId), undefined);
    assert.equal(await store.findIdentityByLogin(pool.identityPoolId, login('a')), undefined);
    assert.ok(await store.getIdentity(keep.identityId));
    assert.deepEqual(await store.deleteIdentities([]), []);
  });

  it('merging moves the logins, marks the identity merged, re-points earlier merges, and enables the survivor', async () => {
    const { store } = subject();
    const pool = await makePool(store);
    const survivor = await makeIdentity(store, pool.identityPoolId, { disabled: true });
    const middle = await makeIdentity(store, pool.identityPoolId);
    const oldest = await makeIdentity(store, pool.identityPoolId);
    await store.linkLogin(middle.identityId, login('m'), NOW);
    await store.linkLogin(oldest.identityId, login('o'), NOW);
    await store.mergeIdentities(oldest.identityId, middle.identityId, NOW);
    assert.equal((await store.getIdentity(oldest.identityId))!.mergedInto, middle.identityId);
    await store.mergeIdentities(middle.identityId, survivor.identityId, LATER);

    const merged = (await store.getIdentity(middle.identityId))!;
    assert.equal(merged.mergedInto, survivor.identityId);
    assert.deepEqual(merged.lastModifiedAt, LATER);
    assert.equal((await store.getIdentity(oldest.identityId))!.mergedInto, survivor.identityId, 'a merge chain resolves in one step');
    const after = (await store.getIdentity(survivor.identityId))!;
    assert.equal(after.disabled, false);
    assert.equal(after.mergedInto, undefined);
    assert.deepEqual(after.lastModifiedAt, LATER);
    assert.deepEqual(await store.getIdentityLogins(survivor.identityId), [login('m'), login('o')]);
    assert.deepEqual(await store.getIdentityLogins(middle.identityId), []);
    assert.equal(await store.findIdentityByLogin(pool.identityPoolId, login('o')), survivor.identityId);
  });
});
