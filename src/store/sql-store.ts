// The store, written once: every operation in operations/ runs against the dialect port (sql/database.ts), so
// the embedded SQLite file and PostgreSQL differ only in what their dialect does.
import type { SqlDatabase } from './sql/database.ts';
import type { Store } from './store.ts';
import * as bulkPublish from './operations/bulk-publish.ts';
import * as datasets from './operations/datasets.ts';
import * as developerKeys from './operations/developer-keys.ts';
import * as identities from './operations/identities.ts';
import * as identityPools from './operations/identity-pools.ts';
import * as imports from './operations/imports.ts';
import * as outbox from './operations/outbox.ts';
import * as poolRoles from './operations/pool-roles.ts';
import * as push from './operations/push.ts';
import * as records from './operations/records.ts';
import * as serverSecrets from './operations/server-secrets.ts';
import * as syncSessions from './operations/sync-sessions.ts';
import * as syncUsage from './operations/sync-usage.ts';

export function sqlStore(db: SqlDatabase): Store {
  return {
    kind: db.kind,
    ping: () => db.ping(),
    close: () => db.close(),
    ...(db.connectionPool ? { connectionPool: () => db.connectionPool!() } : {}),
    getDeveloperKey: (id) => developerKeys.getDeveloperKey(db, id),
    putDeveloperKey: (key) => developerKeys.putDeveloperKey(db, key),
    createDeveloperKey: (key) => developerKeys.createDeveloperKey(db, key),
    listDeveloperKeys: () => developerKeys.listDeveloperKeys(db),
    revokeDeveloperKey: (id, now) => developerKeys.revokeDeveloperKey(db, id, now),
    countDeveloperKeys: () => developerKeys.countDeveloperKeys(db),
    listDeveloperAccountIds: () => developerKeys.listDeveloperAccountIds(db),
    getOrCreateSecret: (name, candidate) => serverSecrets.getOrCreateSecret(db, name, candidate),
    createIdentityPool: (pool) => identityPools.createIdentityPool(db, pool),
    getIdentityPool: (id) => identityPools.getIdentityPool(db, id),
    listIdentityPools: (accountId, limit, after) => identityPools.listIdentityPools(db, accountId, limit, after),
    changeIdentityPoolSpec: (id, change) => identityPools.changeIdentityPoolSpec(db, id, change),
    deleteIdentityPool: (id) => identityPools.deleteIdentityPool(db, id),
    getPoolSyncConfiguration: (id) => identityPools.getPoolSyncConfiguration(db, id),
    updatePoolSyncConfiguration: (id, change) => identityPools.updatePoolSyncConfiguration(db, id, change),
    getIdentityPoolRoles: (id) => poolRoles.getIdentityPoolRoles(db, id),
    setIdentityPoolRoles: (id, roles) => poolRoles.setIdentityPoolRoles(db, id, roles),
    getPrincipalTagAttributeMap: (id, provider) => poolRoles.getPrincipalTagAttributeMap(db, id, provider),
    setPrincipalTagAttributeMap: (id, provider, map) => poolRoles.setPrincipalTagAttributeMap(db, id, provider, map),
    createIdentity: (identity) => identities.createIdentity(db, identity),
    getIdentity: (id) => identities.getIdentity(db, id),
    getIdentityLogins: (id) => identities.getIdentityLogins(db, id),
    findIdentityByLogin: (poolId, login) => identities.findIdentityByLogin(db, poolId, login),
    findOrCreateIdentityForLogin: (poolId, login, candidate) => identities.findOrCreateIdentityForLogin(db, poolId, login, candidate),
    linkLogin: (id, login, now) => identities.linkLogin(db, id, login, now),
    unlinkLogin: (id, login, now) => identities.unlinkLogin(db, id, login, now),
    listIdentities: (poolId, limit, options) => identities.listIdentities(db, poolId, limit, options),
    listLoginUserIdentifiers: (id, provider, limit, after) => identities.listLoginUserIdentifiers(db, id, provider, limit, after),
    deleteIdentities: (ids) => identities.deleteIdentities(db, ids),
    mergeIdentities: (from, to, now) => identities.mergeIdentities(db, from, to, now),
    listRecords: (address, options) => records.listRecords(db, address, options),
    countSyncSession: (poolId) => syncUsage.countSyncSession(db, poolId),
    updateRecords: (address, change) => records.updateRecords(db, address, change),
    isSyncSessionSpent: (sessionId) => syncSessions.isSyncSessionSpent(db, sessionId),
    deleteExpiredSyncSessions: (now, limit) => syncSessions.deleteExpiredSyncSessions(db, now, limit),
    describeDataset: (address) => datasets.describeDataset(db, address),
    deleteDataset: (address, now) => datasets.deleteDataset(db, address, now),
    listDatasets: (poolId, identityId, limit, after) => datasets.listDatasets(db, poolId, identityId, limit, after),
    describeIdentityUsage: (poolId, identityId) => syncUsage.describeIdentityUsage(db, poolId, identityId),
    describeIdentityPoolUsage: (poolId) => syncUsage.describeIdentityPoolUsage(db, poolId),
    listIdentityPoolUsage: (accountId, limit, after) => syncUsage.listIdentityPoolUsage(db, accountId, limit, after),
    enqueueOutboxItem: (entry, now) => outbox.enqueueOutboxItem(db, entry, now),
    claimOutboxItems: (worker, limit, leaseMs, now) => outbox.claimOutboxItems(db, worker, limit, leaseMs, now),
    extendOutboxClaim: (claim, leaseMs, now, payload) => outbox.extendOutboxClaim(db, claim, leaseMs, now, payload),
    completeOutboxItem: (claim) => outbox.completeOutboxItem(db, claim),
    retryOutboxItem: (claim, nextAttemptAt, error, payload) => outbox.retryOutboxItem(db, claim, nextAttemptAt, error, payload),
    deadLetterOutboxItem: (claim, error, now) => outbox.deadLetterOutboxItem(db, claim, error, now),
    outboxDepth: () => outbox.outboxDepth(db),
    outboxDepthByKind: () => outbox.outboxDepthByKind(db),
    listDeadLetters: (limit) => outbox.listDeadLetters(db, limit),
    retryDeadLetters: (now, ids) => outbox.retryDeadLetters(db, now, ids),
    startBulkPublish: (poolId, now) => bulkPublish.startBulkPublish(db, poolId, now),
    getBulkPublishDetails: (poolId) => bulkPublish.getBulkPublishDetails(db, poolId),
    finishBulkPublish: (poolId, startedAt, result, now) => bulkPublish.finishBulkPublish(db, poolId, startedAt, result, now),
    listPoolDatasetsWithRecords: (poolId, limit, after) => bulkPublish.listPoolDatasetsWithRecords(db, poolId, limit, after),
    putDevice: (device) => push.putDevice(db, device),
    subscribeToDataset: (address, deviceId, now) => push.subscribeToDataset(db, address, deviceId, now),
    unsubscribeFromDataset: (address, deviceId) => push.unsubscribeFromDataset(db, address, deviceId),
    listDatasetSubscribers: (address) => push.listDatasetSubscribers(db, address),
    dropEndpointSubscriptions: (endpointArn) => push.dropEndpointSubscriptions(db, endpointArn),
    importIdentityPool: (pool, configuration) => imports.importIdentityPool(db, pool, configuration),
    importIdentity: (identity) => imports.importIdentity(db, identity),
    importDataset: (address, dataset) => imports.importDataset(db, address, dataset),
  };
}
