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

type Operation = (db: SqlDatabase, ...args: never[]) => unknown;
type BoundTo<Module, Name extends keyof Module> = {
  [K in Name]: Module[K] extends (db: SqlDatabase, ...args: infer Args) => infer Result ? (...args: Args) => Result : never;
};

/**
 * The named operations of one module with `db` bound as their first argument. The names are listed rather than
 * taken from the module, whose other exports are helpers for use inside a transaction; the return type of
 * sqlStore checks that together they are exactly what Store declares.
 */
function bind<Module extends Record<Name, Operation>, Name extends keyof Module & string>(db: SqlDatabase, module: Module, names: readonly Name[]) {
  return Object.fromEntries(names.map((name) => [name, module[name].bind(undefined, db)])) as BoundTo<Module, Name>;
}

export function sqlStore(db: SqlDatabase): Store {
  return {
    kind: db.kind,
    ping: () => db.ping(),
    close: () => db.close(),
    ...(db.connectionPool ? { connectionPool: () => db.connectionPool!() } : {}),
    ...bind(db, developerKeys, [
      'getDeveloperKey', 'putDeveloperKey', 'createDeveloperKey', 'listDeveloperKeys', 'revokeDeveloperKey', 'countDeveloperKeys',
      'listDeveloperAccountIds',
    ]),
    ...bind(db, serverSecrets, ['getOrCreateSecret']),
    ...bind(db, identityPools, [
      'createIdentityPool', 'getIdentityPool', 'listIdentityPools', 'changeIdentityPoolSpec', 'deleteIdentityPool', 'getPoolSyncConfiguration',
      'updatePoolSyncConfiguration',
    ]),
    ...bind(db, poolRoles, ['getIdentityPoolRoles', 'setIdentityPoolRoles', 'getPrincipalTagAttributeMap', 'setPrincipalTagAttributeMap']),
    ...bind(db, identities, [
      'createIdentity', 'getIdentity', 'getIdentityLogins', 'findIdentityByLogin', 'findOrCreateIdentityForLogin', 'linkLogin', 'unlinkLogin',
      'listIdentities', 'listLoginUserIdentifiers', 'deleteIdentities', 'mergeIdentities',
    ]),
    ...bind(db, records, ['listRecords', 'updateRecords']),
    ...bind(db, syncSessions, ['isSyncSessionSpent', 'deleteExpiredSyncSessions']),
    ...bind(db, datasets, ['describeDataset', 'deleteDataset', 'listDatasets']),
    countSyncSession: syncUsage.syncSessionCounter(db),
    ...bind(db, syncUsage, ['describeIdentityUsage', 'describeIdentityPoolUsage', 'listIdentityPoolUsage']),
    ...bind(db, outbox, [
      'enqueueOutboxItem', 'claimOutboxItems', 'extendOutboxClaim', 'completeOutboxItem', 'retryOutboxItem', 'deadLetterOutboxItem', 'outboxDepth',
      'outboxDepthByKind', 'listDeadLetters', 'retryDeadLetters',
    ]),
    ...bind(db, bulkPublish, ['startBulkPublish', 'getBulkPublishDetails', 'finishBulkPublish', 'listPoolDatasetsWithRecords']),
    ...bind(db, push, ['putDevice', 'subscribeToDataset', 'unsubscribeFromDataset', 'listDatasetSubscribers', 'dropEndpointSubscriptions']),
    ...bind(db, imports, ['importIdentityPool', 'importIdentity', 'importDataset']),
  };
}
