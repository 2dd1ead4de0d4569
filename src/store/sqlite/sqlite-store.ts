// The embedded store: node:sqlite in WAL mode. Calls are synchronous inside one process, so each
// method is naturally serialized; write methods that read-then-write use BEGIN IMMEDIATE.
import type { Store } from '../store.ts';
import { backupTo } from './backup.ts';
import { type Db, openDatabase } from './database.ts';
import { createGroupCommit } from './group-commit.ts';
import * as bulkPublish from './bulk-publish.ts';
import * as datasets from './datasets.ts';
import * as developerKeys from './developer-keys.ts';
import * as identities from './identities.ts';
import * as identityPools from './identity-pools.ts';
import * as imports from './imports.ts';
import * as push from './push.ts';
import * as outbox from './outbox.ts';
import * as records from './records.ts';
import * as serverSecrets from './server-secrets.ts';
import * as syncUsage from './sync-usage.ts';

export function openSqliteStore(dataDir: string): Store {
  const db: Db = openDatabase(dataDir);
  // The sync writes (UpdateRecords, and the session count a pull adds) share durable commits; see group-commit.ts.
  const grouped = createGroupCommit(db);
  let closed = false;
  return {
    kind: 'sqlite',
    async ping() {
      db.prepare('SELECT 1').get();
    },
    backupTo: (file, onProgress) => backupTo(db, file, onProgress),
    async close() {
      if (closed) return;
      closed = true;
      db.close();
    },
    getDeveloperKey: async (id) => developerKeys.getDeveloperKey(db, id),
    putDeveloperKey: async (key) => developerKeys.putDeveloperKey(db, key),
    countDeveloperKeys: async () => developerKeys.countDeveloperKeys(db),
    listDeveloperAccountIds: async () => imports.listDeveloperAccountIds(db),
    getOrCreateSecret: async (name, candidate) => serverSecrets.getOrCreateSecret(db, name, candidate),
    createIdentityPool: async (pool) => identityPools.createIdentityPool(db, pool),
    getIdentityPool: async (id) => identityPools.getIdentityPool(db, id),
    listIdentityPools: async (accountId, limit, after) => identityPools.listIdentityPools(db, accountId, limit, after),
    updateIdentityPoolSpec: async (id, spec) => identityPools.updateIdentityPoolSpec(db, id, spec),
    deleteIdentityPool: async (id) => identityPools.deleteIdentityPool(db, id),
    getPoolSyncConfiguration: async (id) => identityPools.getPoolSyncConfiguration(db, id),
    updatePoolSyncConfiguration: async (id, change) => identityPools.updatePoolSyncConfiguration(db, id, change),
    createIdentity: async (identity) => identities.createIdentity(db, identity),
    getIdentity: async (id) => identities.getIdentity(db, id),
    getIdentityLogins: async (id) => identities.getIdentityLogins(db, id),
    findIdentityByLogin: async (poolId, login) => identities.findIdentityByLogin(db, poolId, login),
    findOrCreateIdentityForLogin: async (poolId, login, candidate) => identities.findOrCreateIdentityForLogin(db, poolId, login, candidate),
    linkLogin: async (id, login, now) => identities.linkLogin(db, id, login, now),
    unlinkLogin: async (id, login, now) => identities.unlinkLogin(db, id, login, now),
    listIdentities: async (poolId, limit, options) => identities.listIdentities(db, poolId, limit, options),
    listLoginUserIdentifiers: async (id, provider, limit, after) => identities.listLoginUserIdentifiers(db, id, provider, limit, after),
    deleteIdentities: async (ids) => identities.deleteIdentities(db, ids),
    mergeIdentities: async (from, to, now) => identities.mergeIdentities(db, from, to, now),
    listRecords: async (address, options) =>
      options.startsSession ? grouped(() => records.listRecords(db, address, options)) : records.listRecords(db, address, options),
    updateRecords: (address, change) => grouped(() => records.updateRecords(db, address, change)),
    describeDataset: async (address) => datasets.describeDataset(db, address),
    deleteDataset: async (address, now) => datasets.deleteDataset(db, address, now),
    listDatasets: async (poolId, identityId, limit, after) => datasets.listDatasets(db, poolId, identityId, limit, after),
    mergeIdentityDatasets: async (poolId, from, to) => datasets.mergeIdentityDatasets(db, poolId, from, to),
    describeIdentityUsage: async (poolId, identityId) => syncUsage.describeIdentityUsage(db, poolId, identityId),
    describeIdentityPoolUsage: async (poolId) => syncUsage.describeIdentityPoolUsage(db, poolId),
    listIdentityPoolUsage: async (accountId, limit, after) => syncUsage.listIdentityPoolUsage(db, accountId, limit, after),
    enqueueOutboxItem: async (entry, now) => outbox.enqueueOutboxItem(db, entry, now),
    claimOutboxItems: async (worker, limit, leaseMs, now) => outbox.claimOutboxItems(db, worker, limit, leaseMs, now),
    extendOutboxClaim: async (id, worker, leaseMs, now, payload) => outbox.extendOutboxClaim(db, id, worker, leaseMs, now, payload),
    completeOutboxItem: async (id) => outbox.completeOutboxItem(db, id),
    retryOutboxItem: async (id, worker, nextAttemptAt, error, payload) => outbox.retryOutboxItem(db, id, worker, nextAttemptAt, error, payload),
    outboxDepth: async () => outbox.outboxDepth(db),
    startBulkPublish: async (poolId, now) => bulkPublish.startBulkPublish(db, poolId, now),
    getBulkPublishDetails: async (poolId) => bulkPublish.getBulkPublishDetails(db, poolId),
    finishBulkPublish: async (poolId, startedAt, result, now) => bulkPublish.finishBulkPublish(db, poolId, startedAt, result, now),
    listPoolDatasetsWithRecords: async (poolId, limit, after) => bulkPublish.listPoolDatasetsWithRecords(db, poolId, limit, after),
    putDevice: async (device) => push.putDevice(db, device),
    subscribeToDataset: async (address, deviceId, now) => push.subscribeToDataset(db, address, deviceId, now),
    unsubscribeFromDataset: async (address, deviceId) => push.unsubscribeFromDataset(db, address, deviceId),
    listDatasetSubscribers: async (address) => push.listDatasetSubscribers(db, address),
    dropEndpointSubscriptions: async (endpointArn) => push.dropEndpointSubscriptions(db, endpointArn),
    importIdentityPool: async (pool, configuration) => imports.importIdentityPool(db, pool, configuration),
    importIdentity: async (identity) => imports.importIdentity(db, identity),
    importDataset: async (address, dataset) => imports.importDataset(db, address, dataset),
  };
}
