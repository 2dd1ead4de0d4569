// The embedded store: node:sqlite in WAL mode. Calls are synchronous inside one process, so each
// method is naturally serialized; write methods that read-then-write use BEGIN IMMEDIATE.
import type { Store } from '../store.ts';
import { type Db, openDatabase } from './database.ts';
import * as developerKeys from './developer-keys.ts';
import * as identityPools from './identity-pools.ts';
import * as serverSecrets from './server-secrets.ts';

export function openSqliteStore(dataDir: string): Store {
  const db: Db = openDatabase(dataDir);
  let closed = false;
  return {
    kind: 'sqlite',
    async ping() {
      db.prepare('SELECT 1').get();
    },
    async close() {
      if (closed) return;
      closed = true;
      db.close();
    },
    getDeveloperKey: async (id) => developerKeys.getDeveloperKey(db, id),
    putDeveloperKey: async (key) => developerKeys.putDeveloperKey(db, key),
    countDeveloperKeys: async () => developerKeys.countDeveloperKeys(db),
    getOrCreateSecret: async (name, candidate) => serverSecrets.getOrCreateSecret(db, name, candidate),
    createIdentityPool: async (pool) => identityPools.createIdentityPool(db, pool),
    getIdentityPool: async (id) => identityPools.getIdentityPool(db, id),
    listIdentityPools: async (accountId, limit, after) => identityPools.listIdentityPools(db, accountId, limit, after),
    updateIdentityPoolSpec: async (id, spec) => identityPools.updateIdentityPoolSpec(db, id, spec),
    deleteIdentityPool: async (id) => identityPools.deleteIdentityPool(db, id),
    getPoolSyncConfiguration: async (id) => identityPools.getPoolSyncConfiguration(db, id),
    updatePoolSyncConfiguration: async (id, change) => identityPools.updatePoolSyncConfiguration(db, id, change),
  };
}
