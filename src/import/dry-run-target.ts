// The import target of a dry run: it answers what the store would do, from reads and the same plans the stores
// decide by (src/store/*-import-plan.ts), and writes nothing. Without a store (none exists yet) every pool,
// identity and dataset would be created.
import { planDatasetImport, type TargetRecordState } from '../store/dataset-import-plan.ts';
import { loginKey, planIdentityImport } from '../store/identity-import-plan.ts';
import { planPoolImport } from '../store/pool-import-plan.ts';
import type { DatasetAddress, DatasetInfo, ImportDatasetResult, ImportedDataset, Store, SyncRecord } from '../store/store.ts';
import type { ImportTarget } from './target-store.ts';

const PAGE = 1024;

/**
 * The dataset as it is now (every record); when it does not exist, whether it was deleted here at or above
 * `sourceCount` (a device at that count would be told it was deleted), which keeps it deleted.
 */
async function currentDataset(store: Store, address: DatasetAddress, sourceCount: number) {
  const records: SyncRecord[] = [];
  let dataset: DatasetInfo | undefined;
  let after: { syncCount: number; key: string } | undefined;
  do {
    const page = await store.listRecords(address, { lastSyncCount: 0, limit: PAGE, after });
    if (page.outcome !== 'ok') return { dataset: undefined, records, deletedAt: undefined };
    dataset = page.dataset;
    records.push(...page.records);
    after = page.nextAfter;
  } while (after);
  if (dataset || sourceCount === 0) return { dataset, records, deletedAt: undefined };
  const probe = await store.listRecords(address, { lastSyncCount: sourceCount, limit: 1 });
  return { dataset, records, deletedAt: probe.outcome === 'ok' && probe.deletedAfterRequestedSyncCount ? sourceCount : undefined };
}

function wouldBe(incoming: ImportedDataset, identityId: string, numRecords: number, dataStorage: number): DatasetInfo {
  return {
    identityId,
    datasetName: incoming.datasetName,
    createdAt: incoming.createdAt,
    lastModifiedAt: incoming.lastModifiedAt,
    lastModifiedBy: incoming.lastModifiedBy,
    dataStorage,
    numRecords,
    syncCount: incoming.syncCount,
  };
}

export function dryRunTarget(store: Store | undefined): ImportTarget {
  return {
    async importIdentityPool(pool, configuration) {
      const existing = await store?.getIdentityPool(pool.identityPoolId);
      const current = existing && {
        pool: existing,
        configuration: { ...(await store!.getPoolSyncConfiguration(pool.identityPoolId)), roles: await store!.getIdentityPoolRoles(pool.identityPoolId) },
      };
      return planPoolImport(current, pool, configuration);
    },

    async importIdentity(incoming) {
      const existing = await store?.getIdentity(incoming.identityId);
      const owners = new Map<string, string | undefined>();
      for (const login of incoming.logins) owners.set(loginKey(login), await store?.findIdentityByLogin(incoming.identityPoolId, login));
      const plan = planIdentityImport(existing, owners, incoming);
      if (plan.outcome === 'in-another-pool' || plan.outcome === 'merged-here') return plan;
      return { outcome: plan.outcome, loginsLinkedElsewhere: plan.loginsLinkedElsewhere };
    },

    async importDataset(address, incoming): Promise<ImportDatasetResult> {
      // An identity not here yet is one this run would have created (the dry run created nothing).
      const current = store ? await currentDataset(store, address, incoming.syncCount) : undefined;
      const records = new Map<string, TargetRecordState>((current?.records ?? []).map((r) => [r.key, { value: r.value ?? null, syncCount: r.syncCount }]));
      const plan = planDatasetImport(current?.dataset && { syncCount: current.dataset.syncCount, records }, current?.deletedAt, incoming);
      switch (plan.outcome) {
        case 'create':
        case 'fast-forward':
          return {
            outcome: plan.outcome === 'create' ? 'created' : 'updated',
            dataset: wouldBe(incoming, address.identityId, plan.numRecords, plan.dataStorage),
            recordsWritten: plan.write.length,
          };
        case 'unchanged':
        case 'target-ahead':
          return { outcome: plan.outcome, dataset: current!.dataset! };
        default:
          return plan;
      }
    },
  };
}
