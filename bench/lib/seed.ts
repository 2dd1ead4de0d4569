// Seeds stored data straight through the store API (the server is not running: the embedded store allows
// one process at a time). The records are what the server will serve: many identities, one dataset each.
import { randomUUID } from 'node:crypto';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import type { RecordPatchInput } from '../../src/store/store.ts';
import { recordValue } from './sync-calls.ts';

const QUOTAS = { maxDatasetsPerIdentity: 20, maxRecordsPerDataset: 1024, maxDatasetBytes: 1024 * 1024 };
export const RECORDS_PER_SEEDED_IDENTITY = 100;

/** Creates a pool owned by `accountId` holding `records` records (100 per identity); returns the pool id. */
export async function seedRecords(dataDir: string, accountId: string, records: number, log: (m: string) => void): Promise<string> {
  const store = openSqliteStore(dataDir);
  try {
    const identityPoolId = `us-east-1:${randomUUID()}`;
    const now = new Date();
    await store.createIdentityPool({ identityPoolId, accountId, spec: { IdentityPoolName: 'bench_scale', AllowUnauthenticatedIdentities: true }, createdAt: now });
    const identities = Math.ceil(records / RECORDS_PER_SEEDED_IDENTITY);
    const patches: RecordPatchInput[] = Array.from({ length: RECORDS_PER_SEEDED_IDENTITY }, (_, j) => ({
      op: 'replace',
      key: `key${String(j).padStart(4, '0')}`,
      value: recordValue(j),
      syncCount: 0,
    }));
    const started = performance.now();
    // Issued 200 at a time so the store's group commit writes each group in one transaction.
    for (let first = 0; first < identities; first += 200) {
      await Promise.all(
        Array.from({ length: Math.min(200, identities - first) }, async () => {
          const identityId = `us-east-1:${randomUUID()}`;
          await store.createIdentity({ identityId, identityPoolId, createdAt: now, lastModifiedAt: now, disabled: false });
          const result = await store.updateRecords({ identityPoolId, identityId, datasetName: 'seeded' }, { patches, modifiedBy: identityId, now, quotas: QUOTAS });
          if (result.outcome !== 'ok') throw new Error(`seeding failed: ${JSON.stringify(result)}`);
        }),
      );
      if ((first / 200) % 10 === 9) log(`  seeded ${((first + 200) * RECORDS_PER_SEEDED_IDENTITY).toLocaleString('en-US')} records`);
    }
    log(`  seeded ${(identities * RECORDS_PER_SEEDED_IDENTITY).toLocaleString('en-US')} records in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    return identityPoolId;
  } finally {
    await store.close();
  }
}
