// Reading an identity's datasets from the source: ListDatasets, then every record of each (ListRecords from
// SyncCount 0, every page; with developer credentials, which reach any identity of the account's pools).
import { type Dataset, ListDatasetsCommand, ListRecordsCommand, type _Record } from '@aws-sdk/client-cognito-sync';
import type { DatasetAddress, ImportedDataset, SyncRecord } from '../store/store.ts';
import type { Source } from './source-clients.ts';

// ListDatasets and ListRecords are paged at the service's default size (what the shipped SDKs ask for): AWS
// documents no largest MaxResults for them.
/** Reads of one dataset that saw it change while paging, before giving up on it for this run. */
const MAX_READS = 5;

export async function sourceDatasets(source: Source, identityPoolId: string, identityId: string): Promise<Dataset[]> {
  const datasets: Dataset[] = [];
  let NextToken: string | undefined;
  do {
    const page = await source.call(
      source.sync.send(new ListDatasetsCommand({ IdentityPoolId: identityPoolId, IdentityId: identityId, NextToken })),
    );
    datasets.push(...(page.Datasets ?? []).filter((d) => d.DatasetName));
    NextToken = page.NextToken;
  } while (NextToken);
  return datasets;
}

// A merged identity's datasets live on under the survivor as `<name>.<mergedIdentityId>` (a numbered suffix
// when that name was taken): the part before the identity id is the name ListRecords lists them under.
const MERGED_NAME = /^(.+)\.([a-z]{2}(?:-[a-z]+)+-\d+:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?:\.\d+)?$/;
export const mergedBaseNameOf = (datasetName: string) => MERGED_NAME.exec(datasetName)?.[1];

function toRecord(record: _Record): SyncRecord {
  const converted: SyncRecord = {
    key: record.Key!,
    syncCount: record.SyncCount ?? 0,
    lastModifiedAt: record.LastModifiedDate ?? new Date(0),
    lastModifiedBy: record.LastModifiedBy ?? '',
  };
  // A removed record comes without a value (clients read a missing value as deleted); an empty string is a value.
  if (record.Value !== undefined && record.Value !== null) converted.value = record.Value;
  if (record.DeviceLastModifiedDate) converted.deviceLastModifiedAt = record.DeviceLastModifiedDate;
  return converted;
}

export type SourceDatasetRead =
  | { outcome: 'read'; dataset: ImportedDataset }
  /** Deleted in the source since it was listed. */
  | { outcome: 'gone' }
  /** Written in the source during every read: left for the next run. */
  | { outcome: 'changing'; reads: number };

/**
 * Every record of the dataset from one consistent state: counts only rise, so when the first and last page
 * answer the same DatasetSyncCount nothing was written in between; otherwise the dataset is read again.
 */
export async function readSourceDataset(source: Source, address: DatasetAddress, listed: Dataset): Promise<SourceDatasetRead> {
  for (let read = 1; read <= MAX_READS; read++) {
    const byKey = new Map<string, SyncRecord>();
    let firstCount: number | undefined;
    let lastCount = 0;
    let lastModifiedBy: string | undefined;
    let exists = true;
    let NextToken: string | undefined;
    do {
      const page = await source.call(
        source.sync.send(
          new ListRecordsCommand({
            IdentityPoolId: address.identityPoolId,
            IdentityId: address.identityId,
            DatasetName: address.datasetName,
            LastSyncCount: 0,
            NextToken,
          }),
        ),
      );
      firstCount ??= page.DatasetSyncCount ?? 0;
      lastCount = page.DatasetSyncCount ?? 0;
      lastModifiedBy = page.LastModifiedBy ?? lastModifiedBy;
      if (page.DatasetExists === false) exists = false;
      for (const record of page.Records ?? []) {
        if (!record.Key) continue;
        const converted = toRecord(record);
        const seen = byKey.get(converted.key);
        if (!seen || seen.syncCount < converted.syncCount) byKey.set(converted.key, converted);
      }
      NextToken = page.NextToken;
    } while (NextToken);
    if (!exists) return { outcome: 'gone' };
    if (firstCount !== lastCount) continue;

    const records = [...byKey.values()];
    const newestRecord = Math.max(0, ...records.map((r) => r.lastModifiedAt.getTime()));
    const listedModified = listed.LastModifiedDate?.getTime() ?? 0;
    return {
      outcome: 'read',
      dataset: {
        datasetName: address.datasetName,
        createdAt: listed.CreationDate ?? new Date(Math.min(listedModified || newestRecord, newestRecord || listedModified)),
        lastModifiedAt: new Date(Math.max(listedModified, newestRecord)),
        lastModifiedBy: lastModifiedBy ?? listed.LastModifiedBy ?? '',
        syncCount: lastCount,
        mergedBaseName: mergedBaseNameOf(address.datasetName),
        records,
      },
    };
  }
  return { outcome: 'changing', reads: MAX_READS };
}
