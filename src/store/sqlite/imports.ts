// Importing from AWS on the embedded store (see ImportStore in ../store.ts): pools, identities with their
// logins, datasets with their records and counts, written as AWS had them, each call in one transaction.
import { planDatasetImport, type TargetRecordState } from '../dataset-import-plan.ts';
import { loginKey, newImportedIdentityRow, planIdentityImport } from '../identity-import-plan.ts';
import { planPoolImport } from '../pool-import-plan.ts';
import type {
  DatasetAddress,
  IdentityPool,
  ImportDatasetResult,
  ImportedDataset,
  ImportedIdentity,
  ImportedPoolConfiguration,
  ImportIdentityResult,
  ImportPoolResult,
} from '../store.ts';
import { type Db, inTransaction, toJson } from './database.ts';
import { identityNotFound, readDataset, toDatasetInfo } from './dataset-rows.ts';
import { createIdentityPool, getIdentityPool, getPoolSyncConfiguration, updateIdentityPoolSpec } from './identity-pools.ts';
import { getIdentity } from './identities.ts';

export function listDeveloperAccountIds(db: Db): string[] {
  const rows = db.prepare('SELECT DISTINCT account_id FROM developer_keys ORDER BY account_id').all() as Array<{ account_id: string }>;
  return rows.map((row) => row.account_id);
}

export function importIdentityPool(db: Db, pool: IdentityPool, configuration: ImportedPoolConfiguration): ImportPoolResult {
  return inTransaction(db, () => {
    const existing = getIdentityPool(db, pool.identityPoolId);
    const plan = planPoolImport(existing && { pool: existing, configuration: getPoolSyncConfiguration(db, pool.identityPoolId) }, pool, configuration);
    if (plan.outcome === 'created') createIdentityPool(db, pool);
    else if (plan.outcome === 'updated') updateIdentityPoolSpec(db, pool.identityPoolId, pool.spec);
    else return plan;
    db.prepare(
      `INSERT INTO pool_sync_configuration (identity_pool_id, push_sync, cognito_streams, cognito_events) VALUES (?, ?, ?, ?)
       ON CONFLICT (identity_pool_id) DO UPDATE SET push_sync = excluded.push_sync,
         cognito_streams = excluded.cognito_streams, cognito_events = excluded.cognito_events`,
    ).run(pool.identityPoolId, toJson(configuration.pushSync), toJson(configuration.cognitoStreams), toJson(configuration.cognitoEvents));
    return plan;
  });
}

export function importIdentity(db: Db, incoming: ImportedIdentity): ImportIdentityResult {
  return inTransaction(db, (): ImportIdentityResult => {
    const existing = getIdentity(db, incoming.identityId);
    const owner = db.prepare('SELECT identity_id FROM identity_logins WHERE identity_pool_id = ? AND provider_name = ? AND user_identifier = ?');
    const owners = new Map(
      incoming.logins.map((login) => [
        loginKey(login),
        (owner.get(incoming.identityPoolId, login.providerName, login.userIdentifier) as { identity_id: string } | undefined)?.identity_id,
      ]),
    );
    const plan = planIdentityImport(existing, owners, incoming);
    if (plan.outcome !== 'created' && plan.outcome !== 'updated') {
      if (plan.outcome === 'unchanged') return { outcome: plan.outcome, loginsLinkedElsewhere: plan.loginsLinkedElsewhere };
      return plan;
    }
    if (plan.outcome === 'created') {
      const row = newImportedIdentityRow(incoming, plan.link.length);
      db.prepare(
        'INSERT INTO identities (identity_id, identity_pool_id, created_at, last_modified_at, merged_into, disabled) VALUES (?, ?, ?, ?, NULL, ?)',
      ).run(row.identityId, row.identityPoolId, row.createdAt.getTime(), row.lastModifiedAt.getTime(), row.disabled ? 1 : 0);
    } else {
      // A login linked to it enables it again, as linking does (identities.ts linkLogin).
      db.prepare('UPDATE identities SET last_modified_at = max(last_modified_at, ?), disabled = 0 WHERE identity_id = ?').run(
        incoming.lastModifiedAt.getTime(),
        incoming.identityId,
      );
    }
    const link = db.prepare(
      'INSERT INTO identity_logins (identity_pool_id, provider_name, user_identifier, identity_id, linked_at) VALUES (?, ?, ?, ?, ?)',
    );
    for (const login of plan.link) link.run(incoming.identityPoolId, login.providerName, login.userIdentifier, incoming.identityId, incoming.lastModifiedAt.getTime());
    return { outcome: plan.outcome, loginsLinkedElsewhere: plan.loginsLinkedElsewhere };
  });
}

export function importDataset(db: Db, address: DatasetAddress, incoming: ImportedDataset): ImportDatasetResult {
  const { identityPoolId, identityId, datasetName } = address;
  return inTransaction(db, (): ImportDatasetResult => {
    const missing = identityNotFound(db, identityPoolId, identityId);
    if (missing) return missing;
    const existing = readDataset(db, identityId, datasetName);
    const records = new Map<string, TargetRecordState>();
    if (existing) {
      const rows = db
        .prepare('SELECT record_key, value, sync_count FROM dataset_records WHERE identity_id = ? AND dataset_name = ?')
        .all(identityId, datasetName) as Array<{ record_key: string; value: string | null; sync_count: number }>;
      for (const row of rows) records.set(row.record_key, { value: row.value, syncCount: row.sync_count });
    }
    const marker = existing
      ? undefined
      : (db.prepare('SELECT sync_count FROM deleted_datasets WHERE identity_id = ? AND dataset_name = ?').get(identityId, datasetName) as
          | { sync_count: number }
          | undefined);
    const plan = planDatasetImport(existing && { syncCount: existing.sync_count, records }, marker?.sync_count, incoming);
    if (plan.outcome === 'unchanged' || plan.outcome === 'target-ahead') return { outcome: plan.outcome, dataset: toDatasetInfo(existing!) };
    if (plan.outcome !== 'create' && plan.outcome !== 'fast-forward') return plan;

    if (plan.outcome === 'create') {
      db.prepare(
        `INSERT INTO datasets (identity_id, dataset_name, identity_pool_id, sync_count, deleted_through, created_at,
           last_modified_at, last_modified_by, num_records, data_storage, merged_base_name)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        identityId,
        datasetName,
        identityPoolId,
        incoming.syncCount,
        plan.deletedThrough,
        incoming.createdAt.getTime(),
        incoming.lastModifiedAt.getTime(),
        incoming.lastModifiedBy,
        plan.numRecords,
        plan.dataStorage,
        incoming.mergedBaseName ?? null,
      );
      db.prepare('DELETE FROM deleted_datasets WHERE identity_id = ? AND dataset_name = ?').run(identityId, datasetName);
    } else {
      db.prepare(
        `UPDATE datasets SET sync_count = ?, last_modified_at = ?, last_modified_by = ?, num_records = ?, data_storage = ?
         WHERE identity_id = ? AND dataset_name = ?`,
      ).run(incoming.syncCount, incoming.lastModifiedAt.getTime(), incoming.lastModifiedBy, plan.numRecords, plan.dataStorage, identityId, datasetName);
    }
    const write = db.prepare(
      `INSERT INTO dataset_records (identity_id, dataset_name, record_key, value, sync_count, size, last_modified_at,
         last_modified_by, device_last_modified_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (identity_id, dataset_name, record_key) DO UPDATE SET value = excluded.value,
         sync_count = excluded.sync_count, size = excluded.size, last_modified_at = excluded.last_modified_at,
         last_modified_by = excluded.last_modified_by, device_last_modified_at = excluded.device_last_modified_at`,
    );
    plan.write.forEach((record, i) => {
      write.run(
        identityId,
        datasetName,
        record.key,
        record.value ?? null,
        record.syncCount,
        plan.sizes[i]!,
        record.lastModifiedAt.getTime(),
        record.lastModifiedBy,
        record.deviceLastModifiedAt?.getTime() ?? null,
      );
    });
    return {
      outcome: plan.outcome === 'create' ? 'created' : 'updated',
      dataset: toDatasetInfo(readDataset(db, identityId, datasetName)!),
      recordsWritten: plan.write.length,
    };
  });
}
