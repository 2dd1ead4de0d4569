// A device's side of a sync, done the way the shipped Android client does it (DefaultDataset): keep a local
// copy and a lastSyncCount; pull every page of ListRecords since it; push local changes with the session
// token of that pull; adopt the new count only when it is exactly one above the pulled one.
import {
  type CognitoSyncClient,
  ListRecordsCommand,
  type ListRecordsCommandOutput,
  type _Record as SyncRecord,
  UpdateRecordsCommand,
} from '@aws-sdk/client-cognito-sync';

export interface DatasetAddressInput {
  IdentityPoolId: string;
  IdentityId: string;
  DatasetName: string;
}

interface LocalRecord {
  value?: string;
  syncCount: number;
  modified: boolean;
}

export interface PullResult {
  pages: ListRecordsCommandOutput[];
  records: SyncRecord[];
  /** The dataset was deleted (and maybe recreated) since lastSyncCount: local data was purged. */
  purged: boolean;
}

export class SyncDevice {
  readonly client: CognitoSyncClient;
  readonly address: DatasetAddressInput;
  readonly local = new Map<string, LocalRecord>();
  lastSyncCount = 0;
  private pulledSyncCount = 0;
  private sessionToken: string | undefined;

  constructor(client: CognitoSyncClient, address: DatasetAddressInput) {
    this.client = client;
    this.address = address;
  }

  put(key: string, value: string): void {
    this.local.set(key, { value, syncCount: this.local.get(key)?.syncCount ?? 0, modified: true });
  }

  remove(key: string): void {
    this.local.set(key, { value: undefined, syncCount: this.local.get(key)?.syncCount ?? 0, modified: true });
  }

  /** The values a user of this device sees (tombstones hidden). */
  values(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [key, record] of this.local) if (record.value !== undefined) out[key] = record.value;
    return out;
  }

  async pull(maxResults?: number): Promise<PullResult> {
    const pages: ListRecordsCommandOutput[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.client.send(
        new ListRecordsCommand({ ...this.address, LastSyncCount: this.lastSyncCount, NextToken: nextToken, MaxResults: maxResults }),
      );
      pages.push(page);
      nextToken = page.NextToken;
    } while (nextToken !== undefined);
    const last = pages.at(-1)!;
    const records = pages.flatMap((p) => p.Records ?? []);
    if ((this.lastSyncCount !== 0 && !last.DatasetExists) || last.DatasetDeletedAfterRequestedSyncCount) {
      this.local.clear();
      this.lastSyncCount = 0;
      return { pages, records, purged: true };
    }
    for (const record of records) {
      const mine = this.local.get(record.Key!);
      if (mine?.modified) continue; // a local change waits for push (and its conflict, if any)
      this.local.set(record.Key!, { value: record.Value, syncCount: record.SyncCount!, modified: false });
    }
    this.lastSyncCount = last.DatasetSyncCount!;
    this.pulledSyncCount = last.DatasetSyncCount!;
    this.sessionToken = last.SyncSessionToken;
    return { pages, records, purged: false };
  }

  /** Pushes local changes with the token of the last pull; rethrows the service's error (409 on conflict). */
  async push(): Promise<SyncRecord[]> {
    const changed = [...this.local].filter(([, r]) => r.modified);
    if (changed.length === 0) return [];
    const result = await this.client.send(
      new UpdateRecordsCommand({
        ...this.address,
        SyncSessionToken: this.sessionToken,
        RecordPatches: changed.map(([key, r]) => ({
          Op: r.value === undefined ? 'remove' : 'replace',
          Key: key,
          Value: r.value,
          SyncCount: r.syncCount,
          DeviceLastModifiedDate: new Date(),
        })),
      }),
    );
    let highest = 0;
    for (const record of result.Records ?? []) {
      this.local.set(record.Key!, { value: record.Value, syncCount: record.SyncCount!, modified: false });
      highest = Math.max(highest, record.SyncCount!);
    }
    if (highest === this.pulledSyncCount + 1) this.lastSyncCount = highest;
    return result.Records ?? [];
  }

  /** Pull, then push local changes: one synchronize(). */
  async sync(): Promise<SyncRecord[]> {
    await this.pull();
    return this.push();
  }
}
