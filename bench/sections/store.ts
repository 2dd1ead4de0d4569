// Section 5: the embedded store alone, in this process: CPU per UpdateRecords and per ListRecords with 32
// concurrent callers and no HTTP, SigV4 or JSON around them. On a shared machine this figure moves far less
// than the server's CPU per request, so a change inside the store shows here first.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newSessionId } from '../../src/services/cognito-sync/sync-session-tokens.ts';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import type { DatasetAddress, Store, SyncQuotas } from '../../src/store/store.ts';
import type { BenchSettings, Row } from '../lib/report.ts';
import { spread } from '../lib/stats.ts';

const CALLERS = 32;
const PATCHES = 10;
const DELTA = 100;
const QUOTAS: SyncQuotas = { maxDatasetsPerIdentity: 20, maxRecordsPerDataset: 1024, maxDatasetBytes: 1024 * 1024 };
const SECTION = `Embedded store in process (${CALLERS} callers)`;
const VALUE = 'v'.repeat(100);

interface Fixture {
  store: Store;
  poolId: string;
  identities: string[];
  /** Pushes done per identity's write dataset: the next push's patches give this SyncCount. */
  pushes: Map<string, number>;
}

/** Calls `call` from every caller until `seconds` pass; CPU of this process per call. */
async function cpuPerCall(fixture: Fixture, seconds: number, call: (identityId: string) => Promise<void>): Promise<number> {
  const until = Date.now() + seconds * 1000;
  let calls = 0;
  const started = process.cpuUsage();
  await Promise.all(
    fixture.identities.map(async (identityId) => {
      while (Date.now() < until) {
        await call(identityId);
        calls++;
      }
    }),
  );
  const used = process.cpuUsage(started);
  return (used.user + used.system) / calls;
}

/** A sync's write: 10 patches, spending a session of its own, as UpdateRecords with a token does. */
async function push(fixture: Fixture, identityId: string): Promise<void> {
  const address: DatasetAddress = { identityPoolId: fixture.poolId, identityId, datasetName: 'bench_write' };
  const count = fixture.pushes.get(identityId) ?? 0;
  const now = new Date();
  const result = await fixture.store.updateRecords(address, {
    patches: Array.from({ length: PATCHES }, (_, k) => ({ op: 'replace' as const, key: `key${k}`, value: VALUE, syncCount: count })),
    modifiedBy: identityId,
    now,
    quotas: QUOTAS,
    syncSession: { sessionId: newSessionId(now), expiresAt: new Date(now.getTime() + 3_600_000) },
  });
  if (result.outcome !== 'ok') throw new Error(`bench push refused: ${result.outcome}`);
  fixture.pushes.set(identityId, count + 1);
}

/** A sync's first pull: the 100-record delta from 0, counted as a sync session, as ListRecords does. */
async function pull(fixture: Fixture, identityId: string): Promise<void> {
  const address: DatasetAddress = { identityPoolId: fixture.poolId, identityId, datasetName: 'bench_read' };
  const result = await fixture.store.listRecords(address, { lastSyncCount: 0, limit: DELTA });
  if (result.outcome !== 'ok' || result.records.length !== DELTA) throw new Error(`bench pull answered ${result.outcome}`);
  await fixture.store.countSyncSession(fixture.poolId);
}

async function storeFixture(dataDir: string): Promise<Fixture> {
  const store = openSqliteStore(dataDir);
  const poolId = `us-east-1:${randomUUID()}`;
  const now = new Date();
  await store.createIdentityPool({ identityPoolId: poolId, accountId: '123456789012', spec: { IdentityPoolName: 'bench', AllowUnauthenticatedIdentities: true }, createdAt: now });
  const identities: string[] = [];
  for (let i = 0; i < CALLERS; i++) {
    const identityId = `us-east-1:${randomUUID()}`;
    await store.createIdentity({ identityId, identityPoolId: poolId, createdAt: now, lastModifiedAt: now, disabled: false });
    const delta = Array.from({ length: DELTA }, (_, k) => ({ op: 'replace' as const, key: `key${String(k).padStart(4, '0')}`, value: VALUE, syncCount: 0 }));
    await store.updateRecords({ identityPoolId: poolId, identityId, datasetName: 'bench_read' }, { patches: delta, modifiedBy: identityId, now, quotas: QUOTAS });
    identities.push(identityId);
  }
  return { store, poolId, identities, pushes: new Map() };
}

export async function storeSection(settings: BenchSettings): Promise<Row[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'cognito-sync-bench-store-'));
  const fixture = await storeFixture(dataDir);
  try {
    settings.log(`store: ${CALLERS} identities ready; warm-up ${settings.warmupSeconds}s`);
    await cpuPerCall(fixture, settings.warmupSeconds, (id) => push(fixture, id));
    await cpuPerCall(fixture, settings.warmupSeconds, (id) => pull(fixture, id));
    const pushes: number[] = [];
    const pulls: number[] = [];
    for (let i = 0; i < settings.runs; i++) {
      pushes.push(await cpuPerCall(fixture, settings.runSeconds, (id) => push(fixture, id)));
      pulls.push(await cpuPerCall(fixture, settings.runSeconds, (id) => pull(fixture, id)));
      settings.log(`  run ${i + 1}/${settings.runs}: updateRecords ${pushes.at(-1)!.toFixed(1)} µs | listRecords ${pulls.at(-1)!.toFixed(1)} µs`);
    }
    return [
      { section: SECTION, metric: `CPU per updateRecords (${PATCHES} patches, spends a session)`, unit: 'µs', value: spread(pushes) },
      { section: SECTION, metric: `CPU per listRecords (${DELTA}-record delta) + countSyncSession`, unit: 'µs', value: spread(pulls) },
    ];
  } finally {
    await fixture.store.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
