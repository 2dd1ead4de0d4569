// Store contract: developer keys, server secrets, identity pools and their sync configuration, ping.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { at, contractSuite, makeIdentity, makePool, newAccountId, newId } from './stores.ts';

contractSuite('store contract: developer keys and server secrets', (subject) => {
  it('stores a developer key and reads it back; an unknown key is undefined', async () => {
    const { store } = subject();
    const key = { accessKeyId: 'AKIACONTRACT0000001', secretAccessKey: 'secret-1', accountId: newAccountId(), createdAt: at('2024-05-06T07:08:09.123Z') };
    assert.equal(await store.getDeveloperKey(key.accessKeyId), undefined);
    await store.putDeveloperKey(key);
    assert.deepEqual(await store.getDeveloperKey(key.accessKeyId), key);
    assert.equal(await store.getDeveloperKey('AKIACONTRACT0000002'), undefined);
  });

  it('putting a key again replaces its secret and account but keeps when it was created', async () => {
    const { store } = subject();
    const first = { accessKeyId: 'AKIACONTRACT0000003', secretAccessKey: 'old', accountId: '111111111111', createdAt: at('2024-01-01T00:00:00.000Z') };
    await store.putDeveloperKey(first);
    await store.putDeveloperKey({ ...first, secretAccessKey: 'new', accountId: '222222222222', createdAt: at('2025-01-01T00:00:00.000Z') });
    assert.deepEqual(await store.getDeveloperKey(first.accessKeyId), { ...first, secretAccessKey: 'new', accountId: '222222222222' });
  });

  it('counts developer keys', async () => {
    const { store } = subject();
    const before = await store.countDeveloperKeys();
    await store.putDeveloperKey({ accessKeyId: 'AKIACONTRACT0000004', secretAccessKey: 's', accountId: '333333333333', createdAt: new Date() });
    await store.putDeveloperKey({ accessKeyId: 'AKIACONTRACT0000004', secretAccessKey: 's2', accountId: '333333333333', createdAt: new Date() });
    assert.equal(await store.countDeveloperKeys(), before + 1);
  });

  it('a revoked key is no longer read, stays listed (revokedAt), is not restored by put, and frees no id for create', async () => {
    const { store } = subject();
    const accountId = newAccountId();
    const key = { accessKeyId: 'AKIACONTRACTREVOKE01', secretAccessKey: 'secret', accountId, createdAt: at('2024-05-06T07:08:09.123Z') };
    const other = { ...key, accessKeyId: 'AKIACONTRACTREVOKE02', createdAt: at('2024-05-07T07:08:09.123Z') };
    assert.equal(await store.createDeveloperKey(key), true);
    assert.equal(await store.createDeveloperKey({ ...key, secretAccessKey: 'overwrite?' }), false, 'a taken id is not overwritten');
    assert.equal(await store.createDeveloperKey(other), true);
    assert.deepEqual(await store.getDeveloperKey(key.accessKeyId), key);
    assert.ok((await store.listDeveloperAccountIds()).includes(accountId));

    const revokedAt = at('2024-06-01T00:00:00.000Z');
    assert.equal(await store.revokeDeveloperKey(key.accessKeyId, revokedAt), 'revoked');
    assert.equal(await store.revokeDeveloperKey(key.accessKeyId, at('2024-06-02T00:00:00.000Z')), 'already-revoked');
    assert.equal(await store.revokeDeveloperKey('AKIACONTRACTNOSUCH01', revokedAt), 'not-found');
    assert.equal(await store.getDeveloperKey(key.accessKeyId), undefined, 'a revoked key signs nothing');
    await store.putDeveloperKey({ ...key, secretAccessKey: 'put again at start' });
    assert.equal(await store.getDeveloperKey(key.accessKeyId), undefined, 'putting it again does not bring it back');
    assert.equal(await store.createDeveloperKey(key), false);

    const mine = (await store.listDeveloperKeys()).filter((k) => k.accountId === accountId);
    assert.deepEqual(mine, [{ ...key, secretAccessKey: 'put again at start', revokedAt }, other], 'ordered by account, then creation');
    assert.ok((await store.listDeveloperAccountIds()).includes(accountId), 'the account still holds an active key');
    await store.revokeDeveloperKey(other.accessKeyId, revokedAt);
    assert.ok(!(await store.listDeveloperAccountIds()).includes(accountId), 'an account whose keys are all revoked owns nothing new');
  });

  it('getOrCreateSecret keeps the first value stored under a name', async () => {
    const { store } = subject();
    assert.equal(await store.getOrCreateSecret('contract-a', 'first'), 'first');
    assert.equal(await store.getOrCreateSecret('contract-a', 'second'), 'first');
    assert.equal(await store.getOrCreateSecret('contract-b', 'other'), 'other');
  });

  it('racing getOrCreateSecret calls through two handles (two nodes) agree on one value', async () => {
    const { store, openAnother } = subject();
    const other = await openAnother();
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? store : other).getOrCreateSecret('contract-race', `candidate-${i}`)),
    );
    assert.equal(new Set(answers).size, 1, `one value for everyone, got ${[...new Set(answers)].join(', ')}`);
    assert.match(answers[0]!, /^candidate-\d+$/);
  });

  it('ping answers while the store is open', async () => {
    await subject().store.ping();
  });
});

contractSuite('store contract: identity pools', (subject) => {
  it('creates a pool and reads back everything DescribeIdentityPool needs', async () => {
    const { store } = subject();
    const pool = await makePool(store, newAccountId(), {
      spec: {
        IdentityPoolName: 'full spec',
        AllowUnauthenticatedIdentities: false,
        AllowClassicFlow: true,
        SupportedLoginProviders: { 'graph.facebook.com': '7346241598935555', 'accounts.google.com': 'abc' },
        DeveloperProviderName: 'login.example',
        OpenIdConnectProviderARNs: ['arn:aws:iam::123456789012:oidc-provider/example.com'],
        CognitoIdentityProviders: [{ ProviderName: 'cognito-idp.us-east-1.amazonaws.com/us-east-1_abc', ClientId: 'c', ServerSideTokenCheck: true }],
        SamlProviderARNs: [],
        IdentityPoolTags: { team: 'sync', 'ünïcode': 'välue' },
      },
    });
    assert.deepEqual(await store.getIdentityPool(pool.identityPoolId), pool);
    assert.equal(await store.getIdentityPool(newId()), undefined);
  });

  it('refuses a second pool with an existing id', async () => {
    const { store } = subject();
    const pool = await makePool(store);
    await assert.rejects(store.createIdentityPool({ ...pool, spec: { IdentityPoolName: 'dup', AllowUnauthenticatedIdentities: true } }));
    assert.equal((await store.getIdentityPool(pool.identityPoolId))!.spec.IdentityPoolName, 'contract');
  });

  it("lists one account's pools in byte order of id, page by page, and no other account's", async () => {
    const { store } = subject();
    const account = newAccountId();
    // '-' sorts before digits and digits before letters byte-wise; a locale-aware order would differ.
    const ids = ['us-east-1:1-2', 'us-east-1:12', 'us-east-1:1a', 'us-east-1:1B', 'eu-west-1:ff', 'us-east-1:_x'];
    for (const identityPoolId of ids) await makePool(store, account, { identityPoolId });
    await makePool(store, newAccountId(), { identityPoolId: 'us-east-1:1-1' });
    const expected = [...ids].sort((a, b) => (Buffer.from(a) < Buffer.from(b) ? -1 : 1));
    const seen: string[] = [];
    let after: string | undefined;
    for (let page = 0; page < 10; page++) {
      const result = await store.listIdentityPools(account, 4, after);
      seen.push(...result.items.map((p) => p.identityPoolId));
      assert.ok(result.items.every((p) => p.accountId === account));
      if (!result.nextAfter) break;
      assert.equal(result.nextAfter, result.items.at(-1)!.identityPoolId);
      after = result.nextAfter;
    }
    assert.deepEqual(seen, expected);
    assert.deepEqual(await store.listIdentityPools(newAccountId(), 10), { items: [], nextAfter: undefined });
  });

  it("replaces a pool's spec, and says whether the pool existed", async () => {
    const { store } = subject();
    const pool = await makePool(store);
    const spec = { IdentityPoolName: 'renamed', AllowUnauthenticatedIdentities: false, DeveloperProviderName: 'dev.example' };
    assert.deepEqual(await store.changeIdentityPoolSpec(pool.identityPoolId, () => spec), spec);
    assert.deepEqual((await store.getIdentityPool(pool.identityPoolId))!.spec, spec);
    assert.equal(await store.changeIdentityPoolSpec(newId(), () => spec), undefined);
  });

  it('deleting a pool removes it with its configuration, identities, logins and datasets', async () => {
    const { store } = subject();
    const pool = await makePool(store);
    await store.updatePoolSyncConfiguration(pool.identityPoolId, (c) => ({ ...c, pushSync: { RoleArn: 'arn:aws:iam::123456789012:role/x' } }));
    const identity = await makeIdentity(store, pool.identityPoolId);
    await store.linkLogin(identity.identityId, { providerName: 'dev', userIdentifier: 'u1' }, new Date());
    const address = { identityPoolId: pool.identityPoolId, identityId: identity.identityId, datasetName: 'd' };
    const quotas = { maxDatasetsPerIdentity: 20, maxRecordsPerDataset: 1024, maxDatasetBytes: 1 << 20 };
    assert.equal((await store.updateRecords(address, { patches: [{ op: 'replace', key: 'k', value: 'v', syncCount: 0 }], modifiedBy: 'x', now: new Date(), quotas })).outcome, 'ok');

    assert.equal(await store.deleteIdentityPool(pool.identityPoolId), true);
    assert.equal(await store.getIdentityPool(pool.identityPoolId), undefined);
    assert.equal(await store.getIdentity(identity.identityId), undefined);
    assert.equal(await store.findIdentityByLogin(pool.identityPoolId, { providerName: 'dev', userIdentifier: 'u1' }), undefined);
    assert.deepEqual(await store.getPoolSyncConfiguration(pool.identityPoolId), { identityPoolId: pool.identityPoolId, pushSync: undefined, cognitoStreams: undefined, cognitoEvents: undefined });
    assert.deepEqual(await store.describeDataset(address), { outcome: 'identity-not-found' });
    assert.equal(await store.deleteIdentityPool(pool.identityPoolId), false);
  });
});

contractSuite('store contract: pool sync configuration', (subject) => {
  it('a never-configured pool has no parts', async () => {
    const { store } = subject();
    const pool = await makePool(store);
    assert.deepEqual(await store.getPoolSyncConfiguration(pool.identityPoolId), {
      identityPoolId: pool.identityPoolId,
      pushSync: undefined,
      cognitoStreams: undefined,
      cognitoEvents: undefined,
    });
  });

  it('update applies the change to the current configuration, returns and keeps the result', async () => {
    const { store } = subject();
    const pool = await makePool(store);
    const pushSync = { ApplicationArns: ['arn:aws:sns:us-east-1:123456789012:app/APNS/a'], RoleArn: 'arn:aws:iam::123456789012:role/push' };
    const first = await store.updatePoolSyncConfiguration(pool.identityPoolId, (current) => {
      assert.equal(current.pushSync, undefined);
      return { ...current, pushSync };
    });
    assert.deepEqual(first.pushSync, pushSync);
    const streams = { StreamName: 's', RoleArn: 'arn:aws:iam::123456789012:role/streams', StreamingStatus: 'ENABLED' as const };
    const second = await store.updatePoolSyncConfiguration(pool.identityPoolId, (current) => {
      assert.deepEqual(current.pushSync, pushSync);
      return { ...current, cognitoStreams: streams, cognitoEvents: { SyncTrigger: 'arn:aws:lambda:us-east-1:123456789012:function:f' } };
    });
    assert.deepEqual(await store.getPoolSyncConfiguration(pool.identityPoolId), second);
    assert.deepEqual(second, {
      identityPoolId: pool.identityPoolId,
      pushSync,
      cognitoStreams: streams,
      cognitoEvents: { SyncTrigger: 'arn:aws:lambda:us-east-1:123456789012:function:f' },
    });
    const cleared = await store.updatePoolSyncConfiguration(pool.identityPoolId, (current) => ({ ...current, cognitoEvents: undefined }));
    assert.equal(cleared.cognitoEvents, undefined);
    assert.equal((await store.getPoolSyncConfiguration(pool.identityPoolId)).cognitoEvents, undefined);
  });

  it('a change that throws leaves the configuration as it was', async () => {
    const { store } = subject();
    const pool = await makePool(store);
    await store.updatePoolSyncConfiguration(pool.identityPoolId, (c) => ({ ...c, cognitoEvents: { SyncTrigger: 'a' } }));
    await assert.rejects(
      store.updatePoolSyncConfiguration(pool.identityPoolId, () => {
        throw new Error('refused');
      }),
      /refused/,
    );
    assert.deepEqual((await store.getPoolSyncConfiguration(pool.identityPoolId)).cognitoEvents, { SyncTrigger: 'a' });
  });

  it('concurrent updates through two handles (two nodes) lose no change', async () => {
    const { store, openAnother } = subject();
    const other = await openAnother();
    const pool = await makePool(store);
    await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        (i % 2 === 0 ? store : other).updatePoolSyncConfiguration(pool.identityPoolId, (current) => ({
          ...current,
          cognitoEvents: { ...current.cognitoEvents, [`k${i}`]: `v${i}` },
        })),
      ),
    );
    const events = (await store.getPoolSyncConfiguration(pool.identityPoolId)).cognitoEvents!;
    assert.equal(Object.keys(events).length, 24, `every change kept: ${Object.keys(events).join(',')}`);
  });
});

contractSuite('store contract: lifecycle', (subject, kind) => {
  it('names its kind; a pooled store reports its pool within its configured size', async () => {
    const { store } = subject();
    assert.equal(store.kind, kind);
    await store.ping();
    if (store.connectionPool) {
      const use = store.connectionPool();
      assert.equal(use.max, 8, 'the size it was opened with');
      assert.ok(use.open >= 1 && use.open <= use.max);
      assert.ok(use.idle >= 0 && use.idle <= use.open);
      assert.equal(use.waiting, 0);
    } else {
      assert.equal(kind, 'sqlite', 'only the embedded store has no connection pool');
    }
  });

  it('after close, calls fail instead of hanging, and closing again is harmless', async () => {
    const { store } = subject();
    await store.close();
    await assert.rejects(store.ping());
    await assert.rejects(store.getDeveloperKey('AKIACONTRACT0000009'));
    await store.close();
  });
});
