// Importing from AWS (see ImportStore in ../store.ts), safe while servers on other nodes serve the same pools:
// each call is one transaction that takes the row locks UpdateRecords and the login calls take (PostgreSQL),
// in the same order (identity before dataset), so an import and a device's sync of one dataset take turns.
import { planDatasetImport, type TargetRecordState } from '../dataset-import-plan.ts';
import { loginKey, newImportedIdentityRow, planIdentityImport } from '../identity-import-plan.ts';
import { planPoolImport } from '../pool-import-plan.ts';
import type { SqlDatabase } from '../sql/database.ts';
import { json, sql } from '../sql/sql.ts';
import type { DatasetAddress, IdentityPool, ImportDatasetResult, ImportedDataset, ImportedIdentity } from '../store.ts';
import type { ImportedPoolConfiguration, ImportIdentityResult, ImportPoolResult } from '../store.ts';
import { deletedMarker, lockDatasetForWrite, readDataset, toDatasetInfo, upsertRecords } from './dataset-rows.ts';
import { findIdentityByLogin, insertLoginIfFree, readIdentity } from './identities.ts';
import { readPool, readPoolSyncConfiguration, savePoolSyncConfiguration } from './identity-pools.ts';
import { readPoolRoles, savePoolRoles } from './pool-roles.ts';

export function importIdentityPool(db: SqlDatabase, pool: IdentityPool, configuration: ImportedPoolConfiguration): Promise<ImportPoolResult> {
  return db.write(async (tx) => {
    // Inserted if missing (a racing import of the same pool waits on the key, then sees it), then locked.
    const inserted = await tx.run(sql`INSERT INTO identity_pools (identity_pool_id, account_id, spec, created_at)
      VALUES (${pool.identityPoolId}, ${pool.accountId}, ${json(pool.spec)}, ${pool.createdAt}) ON CONFLICT DO NOTHING`);
    let plan: ImportPoolResult = { outcome: 'created' };
    if (inserted === 0) {
      const existing = (await readPool(tx, pool.identityPoolId, true))!;
      const current = { ...(await readPoolSyncConfiguration(tx, pool.identityPoolId)), roles: await readPoolRoles(tx, pool.identityPoolId) };
      plan = planPoolImport({ pool: existing, configuration: current }, pool, configuration);
      if (plan.outcome !== 'updated') return plan;
      await tx.run(sql`UPDATE identity_pools SET spec = ${json(pool.spec)} WHERE identity_pool_id = ${pool.identityPoolId}`);
    }
    const { roles, ...syncConfiguration } = configuration;
    await savePoolSyncConfiguration(tx, { ...syncConfiguration, identityPoolId: pool.identityPoolId });
    if (roles) await savePoolRoles(tx, pool.identityPoolId, roles);
    return plan;
  });
}

export function importIdentity(db: SqlDatabase, incoming: ImportedIdentity): Promise<ImportIdentityResult> {
  return db.write(async (tx): Promise<ImportIdentityResult> => {
    const existing = await readIdentity(tx, incoming.identityId, true);
    const owners = new Map<string, string | undefined>();
    for (const login of incoming.logins) owners.set(loginKey(login), await findIdentityByLogin(tx, incoming.identityPoolId, login));
    const plan = planIdentityImport(existing, owners, incoming);
    if (plan.outcome === 'in-another-pool' || plan.outcome === 'merged-here') return plan;
    if (plan.outcome === 'unchanged') return { outcome: 'unchanged', loginsLinkedElsewhere: plan.loginsLinkedElsewhere };
    const time = incoming.lastModifiedAt;
    if (plan.outcome === 'created') {
      const row = newImportedIdentityRow(incoming, plan.link.length);
      const inserted = await tx.run(sql`INSERT INTO identities (identity_id, identity_pool_id, created_at, last_modified_at, merged_into, disabled)
        VALUES (${row.identityId}, ${row.identityPoolId}, ${row.createdAt}, ${row.lastModifiedAt}, NULL, ${row.disabled}) ON CONFLICT DO NOTHING`);
      // Another node's import of the same identity committed first: decide again on what it wrote (`write`
      // re-runs the transaction on a serialization failure).
      if (inserted === 0) throw Object.assign(new Error('identity imported concurrently; retry'), { code: '40001' });
    } else {
      // A login linked to it enables it again, as linking does (identities.ts linkLogin).
      await tx.run(sql`UPDATE identities SET disabled = ${false},
        last_modified_at = CASE WHEN last_modified_at < ${time} THEN ${time} ELSE last_modified_at END
        WHERE identity_id = ${incoming.identityId}`);
    }
    const loginsLinkedElsewhere = [...plan.loginsLinkedElsewhere];
    for (const login of plan.link) {
      // A server linked this login to another identity meanwhile (a user's first sign-in here): theirs stands.
      if (!(await insertLoginIfFree(tx, incoming.identityPoolId, incoming.identityId, login, time))) {
        const owner = await findIdentityByLogin(tx, incoming.identityPoolId, login);
        if (owner !== incoming.identityId) loginsLinkedElsewhere.push({ ...login, identityId: owner ?? '(unknown)' });
      }
    }
    return { outcome: plan.outcome, loginsLinkedElsewhere };
  });
}

export function importDataset(db: SqlDatabase, address: DatasetAddress, incoming: ImportedDataset): Promise<ImportDatasetResult> {
  const { identityPoolId, identityId, datasetName } = address;
  return db.write(async (tx): Promise<ImportDatasetResult> => {
    const locked = await lockDatasetForWrite(tx, address);
    if ('outcome' in locked) return locked;
    const { existing } = locked;
    const records = new Map<string, TargetRecordState>();
    if (existing) {
      const rows = await tx.all<{ record_key: string; value: string | null; sync_count: number }>(
        sql`SELECT record_key, value, sync_count FROM dataset_records WHERE identity_id = ${identityId} AND dataset_name = ${datasetName}`,
      );
      for (const row of rows) records.set(row.record_key, { value: row.value, syncCount: row.sync_count });
    }
    const deletedAt = existing ? undefined : await deletedMarker(tx, identityId, datasetName);
    const plan = planDatasetImport(existing && { syncCount: existing.sync_count, records }, deletedAt, incoming);
    if (plan.outcome === 'unchanged' || plan.outcome === 'target-ahead') return { outcome: plan.outcome, dataset: toDatasetInfo(existing!) };
    if (plan.outcome !== 'create' && plan.outcome !== 'fast-forward') return plan;

    if (plan.outcome === 'create') {
      await tx.run(sql`INSERT INTO datasets (identity_id, dataset_name, identity_pool_id, sync_count, deleted_through, created_at,
          last_modified_at, last_modified_by, num_records, data_storage, merged_base_name)
        VALUES (${identityId}, ${datasetName}, ${identityPoolId}, ${incoming.syncCount}, ${plan.deletedThrough}, ${incoming.createdAt},
          ${incoming.lastModifiedAt}, ${incoming.lastModifiedBy}, ${plan.numRecords}, ${plan.dataStorage}, ${incoming.mergedBaseName ?? null})`);
      await tx.run(sql`DELETE FROM deleted_datasets WHERE identity_id = ${identityId} AND dataset_name = ${datasetName}`);
    } else {
      await tx.run(sql`UPDATE datasets SET sync_count = ${incoming.syncCount}, last_modified_at = ${incoming.lastModifiedAt},
          last_modified_by = ${incoming.lastModifiedBy}, num_records = ${plan.numRecords}, data_storage = ${plan.dataStorage}
        WHERE identity_id = ${identityId} AND dataset_name = ${datasetName}`);
    }
    await upsertRecords(
      db,
      tx,
      plan.write.map((r, i) => [
        identityId, datasetName, r.key, r.value, r.syncCount, plan.sizes[i], r.lastModifiedAt, r.lastModifiedBy, r.deviceLastModifiedAt,
      ]),
    );
    return {
      outcome: plan.outcome === 'create' ? 'created' : 'updated',
      dataset: toDatasetInfo((await readDataset(tx, identityId, datasetName))!),
      recordsWritten: plan.write.length,
    };
  });
}
