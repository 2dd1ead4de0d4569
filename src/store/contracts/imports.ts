// The storage contract for importing from AWS (src/import/).
// Copies what AWS holds exactly as AWS has it: pool and identity ids, dates, dataset and record sync counts,
// tombstones. Nothing here goes through UpdateRecords (which would raise counts), the quotas, Cognito Streams or
// push sync: these are AWS's past writes, already counted, streamed and pushed there. Each call is one
// transaction, and calling it again with the same input changes nothing. What each call decides comes from
// the pure plans in src/store/*-import-plan.ts, shared by both stores and by the importer's dry run.
import type { DatasetAddress, DatasetInfo, IdentityNotFound, SyncRecord } from './datasets.ts';
import type { Identity, IdentityLogin } from './identities.ts';
import type { IdentityPool, PoolSyncConfiguration } from './keys-and-pools.ts';
import type { IdentityPoolRoles } from './pool-roles.ts';

/**
 * A pool's Cognito Sync settings as GetIdentityPoolConfiguration and GetCognitoEvents answer them, and its roles
 * as GetIdentityPoolRoles does (absent: left as they are here).
 */
export type ImportedPoolConfiguration = Omit<PoolSyncConfiguration, 'identityPoolId'> & { roles?: IdentityPoolRoles };

export type ImportPoolResult =
  | { outcome: 'created' | 'updated' | 'unchanged' }
  /** The id is taken here by another account's pool: nothing was written. */
  | { outcome: 'owned-by-another-account'; accountId: string };

/** An identity as ListIdentities and LookupDeveloperIdentity describe it; never a merged one. */
export interface ImportedIdentity extends Identity {
  logins: IdentityLogin[];
}

export type ImportIdentityResult =
  | {
      /** `updated`: the identity existed and logins were linked to it. */
      outcome: 'created' | 'updated' | 'unchanged';
      /** Logins already linked here to another identity of the pool: left where they are. */
      loginsLinkedElsewhere: Array<IdentityLogin & { identityId: string }>;
    }
  | { outcome: 'in-another-pool'; identityPoolId: string }
  /** Merged here (MergeDeveloperIdentities on this server) since an earlier import: left alone. */
  | { outcome: 'merged-here'; mergedInto: string };

/** A dataset as ListDatasets and ListRecords (from SyncCount 0) describe it. */
export interface ImportedDataset {
  datasetName: string;
  createdAt: Date;
  lastModifiedAt: Date;
  lastModifiedBy: string;
  /** The DatasetSyncCount devices know. */
  syncCount: number;
  /** For a dataset moved here by a merge (`<name>.<identityId>`): `<name>`, so ListRecords lists it in MergedDatasetNames. */
  mergedBaseName?: string;
  /** Every record, tombstones (no `value`) included, each with its own SyncCount. */
  records: SyncRecord[];
}

export type ImportDatasetResult =
  | IdentityNotFound
  /** `recordsWritten`: the records stored by this call (all of them when created; those above the old count when updated). */
  | { outcome: 'created' | 'updated'; dataset: DatasetInfo; recordsWritten: number }
  /** `unchanged`: already the same. `target-ahead`: written here since (AWS's history is a prefix of ours): kept. */
  | { outcome: 'unchanged' | 'target-ahead'; dataset: DatasetInfo }
  /** Written on both sides since an earlier import: the histories disagree at `key`; nothing was written. */
  | { outcome: 'diverged'; key: string; detail: string }
  /** Deleted here (DeleteDataset) since an earlier import: kept deleted. */
  | { outcome: 'deleted-on-target' }
  /** The input contradicts itself (a record above the dataset's count, a key twice): nothing was written. */
  | { outcome: 'invalid'; reason: string };

export interface ImportStore {
  /** The accounts that hold developer keys not revoked, ordered: the importer makes one of them the owner of the pools. */
  listDeveloperAccountIds(): Promise<string[]>;
  /** Creates the pool (its id and `createdAt` as given) with its configuration and roles, or makes an existing pool
   *  of the same account match them (spec, configuration and roles replaced; `createdAt` kept). */
  importIdentityPool(pool: IdentityPool, configuration: ImportedPoolConfiguration): Promise<ImportPoolResult>;
  /** Creates the identity with its id, dates and logins, or links the logins it lacks to the existing one. */
  importIdentity(identity: ImportedIdentity): Promise<ImportIdentityResult>;
  /** Creates the dataset with its count and records as given, or brings an existing one forward to them when
   *  they continue its history; see ImportDatasetResult for what else can happen. */
  importDataset(address: DatasetAddress, dataset: ImportedDataset): Promise<ImportDatasetResult>;
}
