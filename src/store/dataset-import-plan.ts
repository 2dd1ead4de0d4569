// What importing a dataset does to the store, decided in one place for both stores and the importer's dry run.
//
// Devices hold a dataset's SyncCount and each record's SyncCount as they last saw them, so the import keeps
// AWS's counts exactly and never makes one up. A dataset already here is only brought forward when AWS's
// history continues ours: every record we hold at or below our count must be in AWS's copy with the same count
// and value, unless AWS wrote the key again since (a count above ours). Then the records above our count are
// written and the count becomes AWS's. When ours is the longer history (devices synced here since), nothing is
// written. When both sides wrote since, neither copy is right for every device: nothing is written and the
// disagreement is reported, for a person to decide.
//
// A dataset deleted here (DeleteDataset) stays deleted unless the source wrote past the count it was deleted
// at: then it is created again, as a write after a delete recreates a dataset, continuing above the deleted
// incarnation so devices that knew it are told it was deleted and pull it whole.
import type { ImportedDataset, SyncRecord } from './store.ts';

export interface TargetRecordState {
  /** Null for a tombstone. */
  value: string | null;
  syncCount: number;
}

export interface TargetDatasetState {
  syncCount: number;
  records: ReadonlyMap<string, TargetRecordState>;
}

export interface DatasetImportWrite {
  /** The count of an incarnation deleted here that this one replaces (0 when none): devices at or below it resync. */
  deletedThrough: number;
  /** The records to store (insert or replace), each with its own count and dates. */
  write: SyncRecord[];
  /** Stored size of each record in `write`: UTF-8 bytes of key + value (a tombstone counts its key), as UpdateRecords keeps it. */
  sizes: number[];
  /** The dataset's figures once written: live records, bytes of every record (tombstones count their keys). */
  numRecords: number;
  dataStorage: number;
}

export type DatasetImportPlan =
  | ({ outcome: 'create' } & DatasetImportWrite)
  | ({ outcome: 'fast-forward' } & DatasetImportWrite)
  | { outcome: 'unchanged' }
  | { outcome: 'target-ahead' }
  | { outcome: 'diverged'; key: string; detail: string }
  | { outcome: 'deleted-on-target' }
  | { outcome: 'invalid'; reason: string };

const utf8Bytes = (text: string) => Buffer.byteLength(text, 'utf8');
export const importedRecordSize = (record: SyncRecord) => utf8Bytes(record.key) + (record.value === undefined ? 0 : utf8Bytes(record.value));

const describeRecord = (record: { value?: string | null; syncCount: number } | undefined) =>
  record === undefined ? 'absent' : `SyncCount ${record.syncCount}${record.value === undefined || record.value === null ? ' (removed)' : ''}`;

const sameRecord = (ours: TargetRecordState, theirs: SyncRecord) => ours.syncCount === theirs.syncCount && ours.value === (theirs.value ?? null);

/**
 * Where `shorter` (a history that ended at `shorterCount`) and `longer` disagree, if they do: a record of
 * either side at or below `shorterCount` must be the same on the other side, unless `longer` wrote the key
 * again later. Undefined when `longer` continues `shorter`.
 */
function firstDisagreement(
  target: TargetDatasetState,
  incoming: Map<string, SyncRecord>,
  shorterCount: number,
): { key: string; detail: string } | undefined {
  const keys = [...new Set([...target.records.keys(), ...incoming.keys()])].sort();
  for (const key of keys) {
    const ours = target.records.get(key);
    const theirs = incoming.get(key);
    const oursUpToShorter = ours !== undefined && ours.syncCount <= shorterCount;
    const theirsUpToShorter = theirs !== undefined && theirs.syncCount <= shorterCount;
    if (!oursUpToShorter && !theirsUpToShorter) continue; // both wrote it later, or only one side has it after the shared part
    if (ours !== undefined && theirs !== undefined && sameRecord(ours, theirs)) continue;
    // One side's record belongs to the shared part of the history; the other must then hold it too, or have
    // written the key later (a count above the shared part).
    if (oursUpToShorter && theirs !== undefined && theirs.syncCount > shorterCount) continue;
    if (theirsUpToShorter && ours !== undefined && ours.syncCount > shorterCount) continue;
    return { key, detail: `key '${key}' is ${describeRecord(ours)} here but ${describeRecord(theirs)} in the source` };
  }
  return undefined;
}

function validate(incoming: ImportedDataset): string | undefined {
  if (!Number.isSafeInteger(incoming.syncCount) || incoming.syncCount < 0) return `DatasetSyncCount ${incoming.syncCount} is not a count`;
  const keys = new Set<string>();
  for (const record of incoming.records) {
    if (keys.has(record.key)) return `key '${record.key}' appears twice`;
    keys.add(record.key);
    if (!Number.isSafeInteger(record.syncCount) || record.syncCount < 1 || record.syncCount > incoming.syncCount) {
      return `key '${record.key}' has SyncCount ${record.syncCount}, outside 1..${incoming.syncCount} (the dataset's count)`;
    }
  }
  return undefined;
}

function writing(outcome: 'create' | 'fast-forward', incoming: ImportedDataset, aboveCount: number, deletedThrough = 0): DatasetImportPlan {
  const write = incoming.records.filter((record) => record.syncCount > aboveCount);
  let numRecords = 0;
  let dataStorage = 0;
  for (const record of incoming.records) {
    if (record.value !== undefined) numRecords += 1;
    dataStorage += importedRecordSize(record);
  }
  return { outcome, deletedThrough, write, sizes: write.map(importedRecordSize), numRecords, dataStorage };
}

/**
 * `target`: the dataset here, if it exists. `deletedAt`: when it does not, the count it was deleted at here
 * (DeleteDataset's marker), if it was.
 */
export function planDatasetImport(target: TargetDatasetState | undefined, deletedAt: number | undefined, incoming: ImportedDataset): DatasetImportPlan {
  const invalid = validate(incoming);
  if (invalid) return { outcome: 'invalid', reason: invalid };
  if (!target) {
    if (deletedAt === undefined) return writing('create', incoming, 0);
    return incoming.syncCount > deletedAt ? writing('create', incoming, 0, deletedAt) : { outcome: 'deleted-on-target' };
  }
  const theirs = new Map(incoming.records.map((record) => [record.key, record]));
  const disagreement = firstDisagreement(target, theirs, Math.min(target.syncCount, incoming.syncCount));
  if (disagreement) return { outcome: 'diverged', ...disagreement };
  if (incoming.syncCount > target.syncCount) return writing('fast-forward', incoming, target.syncCount);
  if (incoming.syncCount < target.syncCount) return { outcome: 'target-ahead' };
  return { outcome: 'unchanged' };
}
