// Store contract: importing from AWS (ImportStore): pools, identities and datasets written exactly as given,
// idempotent, brought forward only when the source continues our history, and never through UpdateRecords.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { ImportedDataset, ImportedIdentity, IdentityPool, RecordPatchInput, Store, SyncQuotas, SyncRecord } from '../../src/store/store.ts';
import { at, contractSuite, makeIdentity, makePool, newAccountId, newId } from './stores.ts';

const QUOTAS: SyncQuotas = { maxDatasetsPerIdentity: 20, maxRecordsPerDataset: 1024, maxDatasetBytes: 1024 * 1024 };
const DEVELOPER = 'login.example.app';
const T1 = at('2023-03-01T10:00:00.001Z');
const T2 = at('2023-03-02T11:00:00.002Z');
const T3 = at('2023-03-03T12:00:00.003Z');
const DEVICE = at('2023-03-02T10:59:58.500Z');

function awsPool(accountId: string, overrides: Partial<IdentityPool['spec']> = {}): IdentityPool {
  return {
    identityPoolId: newId(),
    accountId,
    spec: {
      IdentityPoolName: 'from aws',
      AllowUnauthenticatedIdentities: true,
      DeveloperProviderName: DEVELOPER,
      SupportedLoginProviders: { 'graph.facebook.com': '1234567890' },
      IdentityPoolTags: { team: 'games' },
      ...overrides,
    },
    createdAt: T1,
  };
}

const CONFIGURATION = {
  pushSync: { ApplicationArns: ['arn:aws:sns:us-east-1:123456789012:app/GCM/game'], RoleArn: 'arn:aws:iam::123456789012:role/push' },
  cognitoStreams: { StreamName: 'events', RoleArn: 'arn:aws:iam::123456789012:role/streams', StreamingStatus: 'ENABLED' as const },
  cognitoEvents: { SyncTrigger: 'arn:aws:lambda:us-east-1:123456789012:function:referee' },
};

function awsIdentity(identityPoolId: string, overrides: Partial<ImportedIdentity> = {}): ImportedIdentity {
  return { identityId: newId(), identityPoolId, createdAt: T1, lastModifiedAt: T2, disabled: false, logins: [], ...overrides };
}

const rec = (key: string, value: string | undefined, syncCount: number, extra: Partial<SyncRecord> = {}): SyncRecord => {
  const record: SyncRecord = { key, syncCount, lastModifiedAt: T2, lastModifiedBy: 'us-east-1:writer', ...extra };
  if (value !== undefined) record.value = value;
  return record;
};

/** A dataset at count 3: a written at 1 and again at 3, b removed at 2 (a tombstone), c written at 2. */
function awsDataset(overrides: Partial<ImportedDataset> = {}): ImportedDataset {
  return {
    datasetName: 'game',
    createdAt: T1,
    lastModifiedAt: T3,
    lastModifiedBy: 'us-east-1:writer',
    syncCount: 3,
    records: [
      rec('a', 'three', 3, { lastModifiedAt: T3, deviceLastModifiedAt: DEVICE }),
      rec('b', undefined, 2),
      rec('c', 'sée', 2, { lastModifiedBy: '123456789012' }),
    ],
    ...overrides,
  };
}

async function setup(store: Store) {
  const accountId = newAccountId();
  const pool = awsPool(accountId);
  await store.importIdentityPool(pool, CONFIGURATION);
  const identity = awsIdentity(pool.identityPoolId);
  await store.importIdentity(identity);
  const address = (datasetName = 'game') => ({ identityPoolId: pool.identityPoolId, identityId: identity.identityId, datasetName });
  const listAll = async (datasetName = 'game', lastSyncCount = 0) => {
    const result = await store.listRecords(address(datasetName), { lastSyncCount, limit: 1024 });
    assert.equal(result.outcome, 'ok');
    return result as Extract<typeof result, { outcome: 'ok' }>;
  };
  const update = (patches: RecordPatchInput[], now = at('2024-01-01T00:00:00.000Z')) =>
    store.updateRecords(address(), { patches, modifiedBy: identity.identityId, now, quotas: QUOTAS });
  return { accountId, pool, identity, address, listAll, update };
}

contractSuite('store contract: importing from AWS', (subject) => {
  it('lists the accounts that hold developer keys, each once, ordered', async () => {
    const { store } = subject();
    const before = await store.listDeveloperAccountIds();
    await store.putDeveloperKey({ accessKeyId: 'AKIAIMPORTCONTRACT02', secretAccessKey: 's', accountId: '999999999992', createdAt: T1 });
    await store.putDeveloperKey({ accessKeyId: 'AKIAIMPORTCONTRACT01', secretAccessKey: 's', accountId: '999999999991', createdAt: T1 });
    await store.putDeveloperKey({ accessKeyId: 'AKIAIMPORTCONTRACT03', secretAccessKey: 's', accountId: '999999999991', createdAt: T1 });
    assert.deepEqual(await store.listDeveloperAccountIds(), [...new Set([...before, '999999999991', '999999999992'])].sort());
  });

  it('imports a pool with its id, settings, creation time and sync configuration; again: unchanged', async () => {
    const { store } = subject();
    const pool = awsPool(newAccountId());
    assert.deepEqual(await store.importIdentityPool(pool, CONFIGURATION), { outcome: 'created' });
    assert.deepEqual(await store.getIdentityPool(pool.identityPoolId), pool);
    assert.deepEqual(await store.getPoolSyncConfiguration(pool.identityPoolId), { identityPoolId: pool.identityPoolId, ...CONFIGURATION });
    // The same settings with their keys in another order are the same settings.
    const reordered = { ...pool, spec: Object.fromEntries(Object.entries(pool.spec).reverse()) as IdentityPool['spec'] };
    assert.deepEqual(await store.importIdentityPool(reordered, { cognitoEvents: CONFIGURATION.cognitoEvents, cognitoStreams: CONFIGURATION.cognitoStreams, pushSync: CONFIGURATION.pushSync }), { outcome: 'unchanged' });
  });

  it("a re-import takes the source's changed settings and keeps the pool's creation time", async () => {
    const { store } = subject();
    const pool = awsPool(newAccountId());
    await store.importIdentityPool(pool, CONFIGURATION);
    const changed = { ...pool, spec: { ...pool.spec, AllowUnauthenticatedIdentities: false }, createdAt: T3 };
    const configuration = { ...CONFIGURATION, cognitoEvents: undefined };
    assert.deepEqual(await store.importIdentityPool(changed, configuration), { outcome: 'updated' });
    assert.deepEqual(await store.getIdentityPool(pool.identityPoolId), { ...changed, createdAt: T1 });
    assert.deepEqual(await store.getPoolSyncConfiguration(pool.identityPoolId), { identityPoolId: pool.identityPoolId, ...configuration });
  });

  it("a pool id held by another account's pool is refused and nothing is written", async () => {
    const { store } = subject();
    const pool = awsPool(newAccountId());
    await store.importIdentityPool(pool, {});
    const other = { ...pool, accountId: newAccountId(), spec: { ...pool.spec, IdentityPoolName: 'hijack' } };
    assert.deepEqual(await store.importIdentityPool(other, CONFIGURATION), { outcome: 'owned-by-another-account', accountId: pool.accountId });
    assert.deepEqual(await store.getIdentityPool(pool.identityPoolId), pool);
    assert.deepEqual(await store.getPoolSyncConfiguration(pool.identityPoolId), {
      identityPoolId: pool.identityPoolId, pushSync: undefined, cognitoStreams: undefined, cognitoEvents: undefined,
    });
  });

  it('imports an identity with its id, dates and developer logins; again: unchanged', async () => {
    const { store } = subject();
    const pool = awsPool(newAccountId());
    await store.importIdentityPool(pool, {});
    const logins = [{ providerName: DEVELOPER, userIdentifier: 'user-2' }, { providerName: DEVELOPER, userIdentifier: 'user-1' }];
    const identity = awsIdentity(pool.identityPoolId, { logins });
    assert.deepEqual(await store.importIdentity(identity), { outcome: 'created', loginsLinkedElsewhere: [] });
    assert.deepEqual(await store.getIdentity(identity.identityId), {
      identityId: identity.identityId, identityPoolId: pool.identityPoolId, createdAt: T1, lastModifiedAt: T2, disabled: false, mergedInto: undefined,
    });
    assert.deepEqual(await store.getIdentityLogins(identity.identityId), [logins[1], logins[0]]);
    assert.equal(await store.findIdentityByLogin(pool.identityPoolId, logins[0]!), identity.identityId);
    assert.deepEqual(await store.importIdentity(identity), { outcome: 'unchanged', loginsLinkedElsewhere: [] });
    const listed = await store.listIdentities(pool.identityPoolId, 10, {});
    assert.deepEqual(listed.items.map((i) => i.identityId), [identity.identityId]);
  });

  it('a disabled identity stays disabled; a re-import that brings a login links it and enables it', async () => {
    const { store } = subject();
    const pool = awsPool(newAccountId());
    await store.importIdentityPool(pool, {});
    const identity = awsIdentity(pool.identityPoolId, { disabled: true });
    await store.importIdentity(identity);
    assert.equal((await store.getIdentity(identity.identityId))!.disabled, true);
    const login = { providerName: DEVELOPER, userIdentifier: 'back' };
    assert.deepEqual(await store.importIdentity({ ...identity, disabled: false, lastModifiedAt: T3, logins: [login] }), { outcome: 'updated', loginsLinkedElsewhere: [] });
    const now = (await store.getIdentity(identity.identityId))!;
    assert.equal(now.disabled, false);
    assert.deepEqual(now.lastModifiedAt, T3);
    assert.deepEqual(now.createdAt, T1);
  });

  it('a login linked here to another identity stays there and is reported; the identity is imported without it', async () => {
    const { store } = subject();
    const pool = awsPool(newAccountId());
    await store.importIdentityPool(pool, {});
    const here = await makeIdentity(store, pool.identityPoolId);
    const taken = { providerName: DEVELOPER, userIdentifier: 'signed-in-here-first' };
    await store.linkLogin(here.identityId, taken, T1);
    const free = { providerName: DEVELOPER, userIdentifier: 'free' };
    const identity = awsIdentity(pool.identityPoolId, { logins: [taken, free] });
    assert.deepEqual(await store.importIdentity(identity), { outcome: 'created', loginsLinkedElsewhere: [{ ...taken, identityId: here.identityId }] });
    assert.deepEqual(await store.getIdentityLogins(identity.identityId), [free]);
    assert.equal(await store.findIdentityByLogin(pool.identityPoolId, taken), here.identityId);
  });

  it('an identity id that is in another pool here, or merged here, is left alone', async () => {
    const { store } = subject();
    const pool = awsPool(newAccountId());
    await store.importIdentityPool(pool, {});
    const otherPool = await makePool(store);
    const elsewhere = await makeIdentity(store, otherPool.identityPoolId);
    assert.deepEqual(await store.importIdentity(awsIdentity(pool.identityPoolId, { identityId: elsewhere.identityId })), {
      outcome: 'in-another-pool', identityPoolId: otherPool.identityPoolId,
    });
    const survivor = awsIdentity(pool.identityPoolId);
    const merged = awsIdentity(pool.identityPoolId);
    await store.importIdentity(survivor);
    await store.importIdentity(merged);
    await store.mergeIdentities(merged.identityId, survivor.identityId, T3);
    assert.deepEqual(await store.importIdentity(merged), { outcome: 'merged-here', mergedInto: survivor.identityId });
  });

  it('imports a dataset with its count, every record with its own count and dates, tombstones included', async () => {
    const { store } = subject();
    const { identity, address, listAll } = await setup(store);
    const dataset = awsDataset();
    const result = await store.importDataset(address(), dataset);
    assert.equal(result.outcome, 'created');
    const info = {
      identityId: identity.identityId, datasetName: 'game', createdAt: T1, lastModifiedAt: T3, lastModifiedBy: 'us-east-1:writer',
      // Bytes of keys + values, a tombstone counting its key: a+three, b, c+sée (é is two bytes).
      dataStorage: 1 + 5 + 1 + 1 + 4, numRecords: 2, syncCount: 3,
    };
    assert.deepEqual(result, { outcome: 'created', dataset: info, recordsWritten: 3 });
    const all = await listAll();
    assert.deepEqual(all.dataset, info);
    assert.deepEqual(all.records, [dataset.records[1], dataset.records[2], dataset.records[0]], 'ordered by (SyncCount, key), exactly as given');
    const described = await store.describeDataset(address());
    assert.deepEqual(described, { outcome: 'ok', dataset: info });
  });

  it('a device at the imported count sees nothing new, and its next UpdateRecords with the counts it knows lands at count + 1', async () => {
    const { store } = subject();
    const { address, listAll, update } = await setup(store);
    await store.importDataset(address(), awsDataset());
    const delta = await listAll('game', 3);
    assert.deepEqual(delta.records, []);
    assert.equal(delta.dataset!.syncCount, 3);
    assert.equal(delta.deletedAfterRequestedSyncCount, false);
    const written = await update([
      { op: 'replace', key: 'a', value: 'four', syncCount: 3 },
      { op: 'replace', key: 'b', value: 'back', syncCount: 2 },
      { op: 'remove', key: 'c', syncCount: 2 },
    ]);
    assert.equal(written.outcome, 'ok');
    assert.deepEqual((written as Extract<typeof written, { outcome: 'ok' }>).records.map((r) => [r.key, r.syncCount]), [['a', 4], ['b', 4], ['c', 4]]);
    const stale = await update([{ op: 'replace', key: 'a', value: 'stale', syncCount: 3 }]);
    assert.deepEqual(stale, { outcome: 'conflict', key: 'a', current: 4, given: 3 });
  });

  it('importing the same dataset again changes nothing', async () => {
    const { store } = subject();
    const { address, listAll } = await setup(store);
    await store.importDataset(address(), awsDataset());
    const before = await listAll();
    const again = await store.importDataset(address(), awsDataset());
    assert.equal(again.outcome, 'unchanged');
    assert.deepEqual(await listAll(), before);
  });

  it('a re-import after new writes in the source writes only the records above our count and takes its count', async () => {
    const { store } = subject();
    const { address, listAll } = await setup(store);
    await store.importDataset(address(), awsDataset());
    const T4 = at('2023-03-04T00:00:00.004Z');
    const newer = awsDataset({
      syncCount: 5,
      lastModifiedAt: T4,
      lastModifiedBy: 'us-east-1:other',
      records: [
        rec('a', 'three', 3, { lastModifiedAt: T3, deviceLastModifiedAt: DEVICE }),
        rec('b', 'revived', 5, { lastModifiedAt: T4 }),
        rec('c', 'sée', 2, { lastModifiedBy: '123456789012' }),
        rec('d', 'new', 4, { lastModifiedAt: T4 }),
      ],
    });
    const result = await store.importDataset(address(), newer);
    assert.equal(result.outcome, 'updated');
    assert.equal((result as { recordsWritten: number }).recordsWritten, 2);
    const all = await listAll();
    assert.deepEqual(all.records, [newer.records[2], newer.records[0], newer.records[3], newer.records[1]]);
    assert.equal(all.dataset!.syncCount, 5);
    assert.equal(all.dataset!.numRecords, 4);
    assert.deepEqual(all.dataset!.createdAt, T1);
    assert.deepEqual(all.dataset!.lastModifiedAt, T4);
    assert.deepEqual((await listAll('game', 3)).records.map((r) => r.key), ['d', 'b'], 'a device at 3 gets exactly the newer records');
  });

  it('a dataset written here since the import is kept (target ahead); one written on both sides is reported and left alone', async () => {
    const { store } = subject();
    const { address, listAll, update } = await setup(store);
    await store.importDataset(address(), awsDataset());
    await update([{ op: 'replace', key: 'e', value: 'here', syncCount: 0 }]);
    const ours = await listAll();
    assert.equal((await store.importDataset(address(), awsDataset())).outcome, 'target-ahead');
    // The source went on too, to count 4, with a different change: both sides wrote after 3.
    const diverged = await store.importDataset(
      address(),
      awsDataset({ syncCount: 4, records: [...awsDataset().records, rec('f', 'there', 4)] }),
    );
    assert.deepEqual(diverged, { outcome: 'diverged', key: 'e', detail: "key 'e' is SyncCount 4 here but absent in the source" });
    assert.deepEqual(await listAll(), ours);
    // The same count but different content is a divergence too.
    const sameCount = awsDataset({ records: [rec('a', 'other', 3), rec('b', undefined, 2), rec('c', 'sée', 2)] });
    const { address: freshAddress } = await setup(store);
    await store.importDataset(freshAddress(), awsDataset());
    assert.equal((await store.importDataset(freshAddress(), sameCount)).outcome, 'diverged');
  });

  it('a dataset deleted here since the import stays deleted', async () => {
    const { store } = subject();
    const { address, listAll } = await setup(store);
    await store.importDataset(address(), awsDataset());
    await store.deleteDataset(address(), at('2024-01-01T00:00:00.000Z'));
    assert.deepEqual(await store.importDataset(address(), awsDataset()), { outcome: 'deleted-on-target' });
    assert.equal((await listAll()).dataset, undefined);
  });

  it('a dataset deleted here comes back when the source wrote past the deletion; devices that knew the old one resync', async () => {
    const { store } = subject();
    const { address, listAll } = await setup(store);
    await store.importDataset(address(), awsDataset());
    await store.deleteDataset(address(), at('2024-01-01T00:00:00.000Z')); // deleted at count 3
    const newer = awsDataset({ syncCount: 4, records: [...awsDataset().records, rec('d', 'after', 4)] });
    const result = await store.importDataset(address(), newer);
    assert.equal(result.outcome, 'created');
    const all = await listAll();
    assert.equal(all.dataset!.syncCount, 4);
    assert.equal(all.records.length, 4);
    assert.equal((await listAll('game', 2)).deletedAfterRequestedSyncCount, true, 'a device at a count of the deleted incarnation is told');
    assert.equal((await listAll('game', 4)).deletedAfterRequestedSyncCount, false);
  });

  it('refuses contradictory input and unknown identities, writing nothing', async () => {
    const { store } = subject();
    const { pool, address, listAll } = await setup(store);
    const above = await store.importDataset(address(), awsDataset({ syncCount: 2 }));
    assert.equal(above.outcome, 'invalid');
    assert.match((above as { reason: string }).reason, /key 'a' has SyncCount 3, outside 1\.\.2/);
    const twice = await store.importDataset(address(), awsDataset({ records: [rec('a', '1', 1), rec('a', '2', 2)] }));
    assert.deepEqual(twice, { outcome: 'invalid', reason: "key 'a' appears twice" });
    assert.equal((await listAll()).dataset, undefined);
    const unknown = await store.importDataset({ identityPoolId: pool.identityPoolId, identityId: newId(), datasetName: 'game' }, awsDataset());
    assert.deepEqual(unknown, { outcome: 'identity-not-found' });
  });

  it('a merged dataset keeps its base name, so ListRecords of the base lists it in MergedDatasetNames', async () => {
    const { store } = subject();
    const { identity, address, listAll } = await setup(store);
    const mergedName = `game.${newId()}`;
    await store.importDataset(address(mergedName), awsDataset({ datasetName: mergedName, mergedBaseName: 'game' }));
    assert.deepEqual((await listAll('game')).mergedDatasetNames, [mergedName]);
    const page = await store.listDatasets(address().identityPoolId, identity.identityId, 10);
    assert.deepEqual(page.outcome === 'ok' && page.page.items.map((d) => d.datasetName), [mergedName]);
  });

  it('queues nothing for Cognito Streams or push sync, even with streaming enabled', async () => {
    const { store } = subject();
    const { address } = await setup(store); // the pool's configuration has streaming ENABLED
    const depth = await store.outboxDepth();
    await store.importDataset(address(), awsDataset());
    await store.importDataset(address(), awsDataset({ syncCount: 4, records: [...awsDataset().records, rec('z', 'z', 4)] }));
    assert.equal(await store.outboxDepth(), depth);
  });

  it('racing imports of one identity and one dataset through two handles (two nodes) end with one of each', async () => {
    const { store, openAnother } = subject();
    const other = await openAnother();
    const pool = awsPool(newAccountId());
    const poolResults = await Promise.all([store.importIdentityPool(pool, CONFIGURATION), other.importIdentityPool(pool, CONFIGURATION)]);
    assert.deepEqual(poolResults.map((r) => r.outcome).sort(), ['created', 'unchanged']);
    const identity = awsIdentity(pool.identityPoolId, { logins: [{ providerName: DEVELOPER, userIdentifier: 'racer' }] });
    const identityResults = await Promise.all([store.importIdentity(identity), other.importIdentity(identity)]);
    assert.deepEqual(identityResults.map((r) => r.outcome).sort(), ['created', 'unchanged']);
    const address = { identityPoolId: pool.identityPoolId, identityId: identity.identityId, datasetName: 'game' };
    const datasetResults = await Promise.all([store.importDataset(address, awsDataset()), other.importDataset(address, awsDataset())]);
    assert.deepEqual(datasetResults.map((r) => r.outcome).sort(), ['created', 'unchanged']);
    const listed = await store.listRecords(address, { lastSyncCount: 0, limit: 10 });
    assert.equal(listed.outcome === 'ok' && listed.records.length, 3);
  });
});
