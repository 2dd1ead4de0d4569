// Importing from AWS on PostgreSQL (see ImportStore in ../store.ts), safe while servers on other nodes serve
// the same pools: each call is one transaction that takes the row locks UpdateRecords and the login calls take,
// in the same order (identity before dataset), so an import and a device's sync of one dataset take turns.
import type pg from 'pg';
import { planDatasetImport, type TargetRecordState } from '../dataset-import-plan.ts';
import { loginKey, newImportedIdentityRow, planIdentityImport } from '../identity-import-plan.ts';
import { planPoolImport } from '../pool-import-plan.ts';
import type {
  DatasetAddress,
  IdentityLogin,
  IdentityPool,
  IdentityPoolSpec,
  ImportDatasetResult,
  ImportedDataset,
  ImportedIdentity,
  ImportedPoolConfiguration,
  ImportIdentityResult,
  ImportPoolResult,
} from '../store.ts';
import { inTransaction, type Queryable, toJson } from './database.ts';
import { deletedMarker, identityNotFound, readDataset, toDatasetInfo } from './dataset-rows.ts';
import { getPoolSyncConfiguration } from './identity-pools.ts';

export async function listDeveloperAccountIds(db: Queryable): Promise<string[]> {
  const rows = (await db.query<{ account_id: string }>('SELECT DISTINCT account_id FROM developer_keys ORDER BY account_id')).rows;
  return rows.map((row) => row.account_id);
}

async function lockedPool(client: Queryable, identityPoolId: string): Promise<IdentityPool | undefined> {
  const row = (
    await client.query<{ identity_pool_id: string; account_id: string; spec: IdentityPoolSpec; created_at: Date }>(
      'SELECT identity_pool_id, account_id, spec, created_at FROM identity_pools WHERE identity_pool_id = $1 FOR UPDATE',
      [identityPoolId],
    )
  ).rows[0];
  return row && { identityPoolId: row.identity_pool_id, accountId: row.account_id, spec: row.spec, createdAt: row.created_at };
}

export function importIdentityPool(db: pg.Pool, pool: IdentityPool, configuration: ImportedPoolConfiguration): Promise<ImportPoolResult> {
  return inTransaction(db, async (client) => {
    // Inserted if missing (a racing import of the same pool waits on the key, then sees it), then locked.
    const inserted = await client.query(
      'INSERT INTO identity_pools (identity_pool_id, account_id, spec, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING',
      [pool.identityPoolId, pool.accountId, JSON.stringify(pool.spec), pool.createdAt],
    );
    let plan: ImportPoolResult = { outcome: 'created' };
    if ((inserted.rowCount ?? 0) === 0) {
      const existing = (await lockedPool(client, pool.identityPoolId))!;
      plan = planPoolImport({ pool: existing, configuration: await getPoolSyncConfiguration(client, pool.identityPoolId) }, pool, configuration);
      if (plan.outcome !== 'updated') return plan;
      await client.query('UPDATE identity_pools SET spec = $1 WHERE identity_pool_id = $2', [JSON.stringify(pool.spec), pool.identityPoolId]);
    }
    await client.query(
      `INSERT INTO pool_sync_configuration (identity_pool_id, push_sync, cognito_streams, cognito_events) VALUES ($1, $2, $3, $4)
       ON CONFLICT (identity_pool_id) DO UPDATE SET push_sync = excluded.push_sync,
         cognito_streams = excluded.cognito_streams, cognito_events = excluded.cognito_events`,
      [pool.identityPoolId, toJson(configuration.pushSync), toJson(configuration.cognitoStreams), toJson(configuration.cognitoEvents)],
    );
    return plan;
  });
}

async function loginOwner(client: Queryable, identityPoolId: string, login: IdentityLogin): Promise<string | undefined> {
  return (
    await client.query<{ identity_id: string }>(
      'SELECT identity_id FROM identity_logins WHERE identity_pool_id = $1 AND provider_name = $2 AND user_identifier = $3',
      [identityPoolId, login.providerName, login.userIdentifier],
    )
  ).rows[0]?.identity_id;
}

export function importIdentity(db: pg.Pool, incoming: ImportedIdentity): Promise<ImportIdentityResult> {
  return inTransaction(db, async (client): Promise<ImportIdentityResult> => {
    const row = (
      await client.query<{ identity_pool_id: string; merged_into: string | null; disabled: boolean; created_at: Date; last_modified_at: Date }>(
        'SELECT identity_pool_id, merged_into, disabled, created_at, last_modified_at FROM identities WHERE identity_id = $1 FOR UPDATE',
        [incoming.identityId],
      )
    ).rows[0];
    const existing = row && {
      identityId: incoming.identityId,
      identityPoolId: row.identity_pool_id,
      mergedInto: row.merged_into ?? undefined,
      disabled: row.disabled,
      createdAt: row.created_at,
      lastModifiedAt: row.last_modified_at,
    };
    const owners = new Map<string, string | undefined>();
    for (const login of incoming.logins) owners.set(loginKey(login), await loginOwner(client, incoming.identityPoolId, login));
    const plan = planIdentityImport(existing, owners, incoming);
    if (plan.outcome === 'in-another-pool' || plan.outcome === 'merged-here') return plan;
    if (plan.outcome === 'unchanged') return { outcome: 'unchanged', loginsLinkedElsewhere: plan.loginsLinkedElsewhere };
    if (plan.outcome === 'created') {
      const identity = newImportedIdentityRow(incoming, plan.link.length);
      const inserted = await client.query(
        `INSERT INTO identities (identity_id, identity_pool_id, created_at, last_modified_at, merged_into, disabled)
         VALUES ($1, $2, $3, $4, NULL, $5) ON CONFLICT DO NOTHING`,
        [identity.identityId, identity.identityPoolId, identity.createdAt, identity.lastModifiedAt, identity.disabled],
      );
      // Another import of the same identity committed first: decide again on what it wrote.
      if ((inserted.rowCount ?? 0) === 0) throw Object.assign(new Error('identity imported concurrently; retry'), { code: '40001' });
    } else {
      await client.query('UPDATE identities SET last_modified_at = GREATEST(last_modified_at, $1), disabled = false WHERE identity_id = $2', [
        incoming.lastModifiedAt,
        incoming.identityId,
      ]);
    }
    const loginsLinkedElsewhere = [...plan.loginsLinkedElsewhere];
    for (const login of plan.link) {
      const linked = await client.query(
        `INSERT INTO identity_logins (identity_pool_id, provider_name, user_identifier, identity_id, linked_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT DO NOTHING`,
        [incoming.identityPoolId, login.providerName, login.userIdentifier, incoming.identityId, incoming.lastModifiedAt],
      );
      // A server linked this login to another identity meanwhile (a user's first sign-in here): theirs stands.
      if ((linked.rowCount ?? 0) === 0) {
        const owner = await loginOwner(client, incoming.identityPoolId, login);
        if (owner !== incoming.identityId) loginsLinkedElsewhere.push({ ...login, identityId: owner ?? '(unknown)' });
      }
    }
    return { outcome: plan.outcome, loginsLinkedElsewhere };
  });
}

export function importDataset(db: pg.Pool, address: DatasetAddress, incoming: ImportedDataset): Promise<ImportDatasetResult> {
  const { identityPoolId, identityId, datasetName } = address;
  return inTransaction(db, async (client): Promise<ImportDatasetResult> => {
    // The lock order of UpdateRecords (records.ts): the dataset row when it exists; otherwise the identity row,
    // then the dataset row again in case a writer holding the identity lock just created it.
    let missing = await identityNotFound(client, identityPoolId, identityId);
    if (missing) return missing;
    let existing = await readDataset(client, identityId, datasetName, true);
    if (!existing) {
      missing = await identityNotFound(client, identityPoolId, identityId, true);
      if (missing) return missing;
      existing = await readDataset(client, identityId, datasetName, true);
    }
    const records = new Map<string, TargetRecordState>();
    if (existing) {
      const rows = (
        await client.query<{ record_key: string; value: string | null; sync_count: number }>(
          'SELECT record_key, value, sync_count FROM dataset_records WHERE identity_id = $1 AND dataset_name = $2',
          [identityId, datasetName],
        )
      ).rows;
      for (const row of rows) records.set(row.record_key, { value: row.value, syncCount: row.sync_count });
    }
    const deletedAt = existing ? undefined : await deletedMarker(client, identityId, datasetName);
    const plan = planDatasetImport(existing && { syncCount: existing.sync_count, records }, deletedAt, incoming);
    if (plan.outcome === 'unchanged' || plan.outcome === 'target-ahead') return { outcome: plan.outcome, dataset: toDatasetInfo(existing!) };
    if (plan.outcome !== 'create' && plan.outcome !== 'fast-forward') return plan;

    if (plan.outcome === 'create') {
      await client.query(
        `INSERT INTO datasets (identity_id, dataset_name, identity_pool_id, sync_count, deleted_through, created_at,
           last_modified_at, last_modified_by, num_records, data_storage, merged_base_name)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
        [
          identityId,
          datasetName,
          identityPoolId,
          incoming.syncCount,
          plan.deletedThrough,
          incoming.createdAt,
          incoming.lastModifiedAt,
          incoming.lastModifiedBy,
          plan.numRecords,
          plan.dataStorage,
          incoming.mergedBaseName ?? null,
        ],
      );
      await client.query('DELETE FROM deleted_datasets WHERE identity_id = $1 AND dataset_name = $2', [identityId, datasetName]);
    } else {
      await client.query(
        `UPDATE datasets SET sync_count = $1, last_modified_at = $2, last_modified_by = $3, num_records = $4, data_storage = $5
         WHERE identity_id = $6 AND dataset_name = $7`,
        [incoming.syncCount, incoming.lastModifiedAt, incoming.lastModifiedBy, plan.numRecords, plan.dataStorage, identityId, datasetName],
      );
    }
    if (plan.write.length > 0) {
      await client.query(
        `INSERT INTO dataset_records (identity_id, dataset_name, record_key, value, sync_count, size, last_modified_at,
           last_modified_by, device_last_modified_at)
         SELECT $1, $2, k, v, c, s, m, b, d
         FROM unnest($3::text[], $4::text[], $5::bigint[], $6::bigint[], $7::timestamptz[], $8::text[], $9::timestamptz[]) AS t (k, v, c, s, m, b, d)
         ON CONFLICT (identity_id, dataset_name, record_key) DO UPDATE SET value = excluded.value,
           sync_count = excluded.sync_count, size = excluded.size, last_modified_at = excluded.last_modified_at,
           last_modified_by = excluded.last_modified_by, device_last_modified_at = excluded.device_last_modified_at`,
        [
          identityId,
          datasetName,
          plan.write.map((r) => r.key),
          plan.write.map((r) => r.value ?? null),
          plan.write.map((r) => r.syncCount),
          plan.sizes,
          plan.write.map((r) => r.lastModifiedAt),
          plan.write.map((r) => r.lastModifiedBy),
          plan.write.map((r) => r.deviceLastModifiedAt ?? null),
        ],
      );
    }
    return {
      outcome: plan.outcome === 'create' ? 'created' : 'updated',
      dataset: toDatasetInfo((await readDataset(client, identityId, datasetName))!),
      recordsWritten: plan.write.length,
    };
  });
}
