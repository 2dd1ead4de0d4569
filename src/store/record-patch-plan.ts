// The sync rules an UpdateRecords batch must pass, in one place for every store: each store reads the
// dataset's current state inside its own locked transaction, asks this plan what the batch would do,
// and writes exactly what the plan says — or nothing, when the plan refuses the batch. Quotas are checked on
// what a batch adds, never on totals alone.
import type { RecordPatchInput, SyncQuotas, UpdateRecordsResult } from './store.ts';

export interface StoredRecordState {
  /** Null for a tombstone. */
  value: string | null;
  syncCount: number;
  size: number;
}

export interface DatasetState {
  /** The dataset's current count (the deletion marker's count when it does not exist). */
  syncCount: number;
  numRecords: number;
  dataStorage: number;
  exists: boolean;
  /** How many datasets the identity has now; needed only when `exists` is false. */
  identityDatasetCount?: number;
}

export interface AcceptedPlan {
  outcome: 'accepted';
  syncCount: number;
  numRecords: number;
  dataStorage: number;
  /** Stored size of each patch, in patch order: UTF-8 bytes of key + value (a tombstone counts its key). */
  sizes: number[];
}

type Refusal = Exclude<UpdateRecordsResult, { outcome: 'ok' } | { outcome: 'identity-not-found' } | { outcome: 'session-spent' }>;

const utf8Bytes = (text: string) => Buffer.byteLength(text, 'utf8');

export function planRecordPatches(
  dataset: DatasetState,
  stored: ReadonlyMap<string, StoredRecordState>,
  patches: RecordPatchInput[],
  quotas: SyncQuotas,
): AcceptedPlan | Refusal {
  for (const patch of patches) {
    if (patch.syncCount > dataset.syncCount) {
      return { outcome: 'sync-count-ahead', key: patch.key, given: patch.syncCount, datasetSyncCount: dataset.syncCount };
    }
    const current = stored.get(patch.key)?.syncCount ?? 0;
    if (current !== patch.syncCount) return { outcome: 'conflict', key: patch.key, current, given: patch.syncCount };
  }

  if (!dataset.exists) {
    const wouldBe = (dataset.identityDatasetCount ?? 0) + 1;
    if (wouldBe > quotas.maxDatasetsPerIdentity) {
      return { outcome: 'limit', quota: 'maxDatasetsPerIdentity', limit: quotas.maxDatasetsPerIdentity, wouldBe };
    }
  }

  let numRecords = dataset.numRecords;
  let dataStorage = dataset.dataStorage;
  // A key patched twice in one batch: the second patch replaces what the first wrote.
  const after = new Map<string, { live: boolean; size: number }>();
  const sizes = patches.map((patch) => {
    const prior = stored.get(patch.key);
    const before = after.get(patch.key) ?? (prior && { live: prior.value !== null, size: prior.size });
    const live = patch.op === 'replace';
    const size = utf8Bytes(patch.key) + (live ? utf8Bytes(patch.value ?? '') : 0);
    numRecords += (live ? 1 : 0) - (before?.live ? 1 : 0);
    dataStorage += size - (before?.size ?? 0);
    after.set(patch.key, { live, size });
    return size;
  });
  // A quota refuses only growth: a dataset already above one (the quota was lowered, or an import brought it in
  // larger) can still shrink, or change without growing, so its owner can bring it back under the quota.
  if (numRecords > dataset.numRecords && numRecords > quotas.maxRecordsPerDataset) {
    return { outcome: 'limit', quota: 'maxRecordsPerDataset', limit: quotas.maxRecordsPerDataset, wouldBe: numRecords };
  }
  if (dataStorage > dataset.dataStorage && dataStorage > quotas.maxDatasetBytes) {
    return { outcome: 'limit', quota: 'maxDatasetBytes', limit: quotas.maxDatasetBytes, wouldBe: dataStorage };
  }
  return { outcome: 'accepted', syncCount: dataset.syncCount + 1, numRecords, dataStorage, sizes };
}
