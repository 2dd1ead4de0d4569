// Section 2: the sync protocol under load, with identity credentials, beside the machine's own limit for
// the same rows (one durable SQLite transaction per sync), measured in the same run.
//   UpdateRecords: 10 patches per sync, each connection its own identity and dataset, every sync acknowledged
//   only once durable (synchronous=FULL).
//   ListRecords: the first page of a pull returning a 100-record delta (a new sync session, as apps pull),
//   and the same pull presenting a live session token (a pure read).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createIdentityPool, newDeveloperKey } from '../lib/aws-calls.ts';
import { type LoadJob, type MeasuredLoad, runLoad } from '../lib/load.ts';
import { residentBytes } from '../lib/proc-stats.ts';
import { rawSqlite } from '../lib/raw-sqlite.ts';
import type { BenchSettings, Row } from '../lib/report.ts';
import { type ServerProcess, startOurServer } from '../lib/server-process.ts';
import { spread } from '../lib/stats.ts';
import { type BenchIdentity, listRecordsRequest, newIdentity, type Patch, pull, push, recordValue, sessionTokens, updateRecordsRequest } from '../lib/sync-calls.ts';
import type { WireRequest } from '../lib/sign.ts';

export const SYNC_CONNECTIONS = 32;
export const PATCHES_PER_SYNC = 10;
export const DELTA_RECORDS = 100;
const MB = 1024 * 1024;

/** Sync k (1-based) of one writer: the same ten keys each time, each patch naming the count the last sync left. */
export function patchesForSync(k: number): Patch[] {
  return Array.from({ length: PATCHES_PER_SYNC }, (_, j) => ({ key: `key${j}`, value: recordValue(k * 100 + j), syncCount: k - 1 }));
}

export interface SyncFixture {
  server: ServerProcess;
  identities: BenchIdentity[];
  /** Datasets used so far per identity (AWS allows 20 per identity). */
  datasetsUsed: number;
}

export async function syncFixture(server: ServerProcess, developer: Parameters<typeof createIdentityPool>[1]): Promise<SyncFixture> {
  const poolId = await createIdentityPool(server.url, developer, 'bench_sync_pool');
  const identities: BenchIdentity[] = [];
  for (let i = 0; i < SYNC_CONNECTIONS; i++) identities.push(await newIdentity(server.url, poolId));
  return { server, identities, datasetsUsed: 0 };
}

/**
 * One pre-signed sequence of `perConnection` UpdateRecords per identity, on a dataset of its own that is new
 * for this run (a sequence cannot be replayed: the counts move on).
 */
async function presignedWrites(fixture: SyncFixture, perConnection: number): Promise<WireRequest[][]> {
  const dataset = `bench_write_${++fixture.datasetsUsed}`;
  const url = fixture.server.url;
  return Promise.all(
    fixture.identities.map(async (who) => {
      // One token per push: a push spends the token it presents.
      const tokens = await sessionTokens(url, who, dataset, perConnection);
      const list: WireRequest[] = [];
      for (let k = 1; k <= perConnection; k++) list.push(await updateRecordsRequest(url, who, dataset, tokens[k - 1]!, patchesForSync(k)));
      return list;
    }),
  );
}

/**
 * Every identity gets a dataset holding a 100-record delta (one sync); the requests pull it from 0. Without
 * `continuingSession` each pull is the first page of a pull, which opens a sync session (the pool's
 * SyncSessionsCount goes up: a small durable write); with it, each presents a live session token (a pure read).
 */
export async function presignedPulls(fixture: SyncFixture, continuingSession = false): Promise<WireRequest[][]> {
  const dataset = `bench_read`;
  const url = fixture.server.url;
  fixture.datasetsUsed += 1;
  return Promise.all(
    fixture.identities.map(async (who) => {
      const { sessionToken, count } = await pull(url, who, dataset);
      if (count === 0) {
        const patches = Array.from({ length: DELTA_RECORDS }, (_, j) => ({ key: `key${String(j).padStart(4, '0')}`, value: recordValue(j), syncCount: 0 }));
        await push(url, who, dataset, sessionToken, patches);
      }
      return [await listRecordsRequest(url, who, dataset, 0, continuingSession ? sessionToken : undefined)];
    }),
  );
}

/** Pre-signed syncs per connection for `seconds` at `rate`: connections are not served evenly, so each gets well over its share. */
export const presignedPerConnection = (rate: number, seconds: number) => Math.ceil(((rate * seconds) / SYNC_CONNECTIONS) * 2.5) + 50;

/** The rate to pre-sign the runs for, from the warm-up's: it runs JIT-cold, well below the steady rate. */
export const rateAfterWarmup = (warmupRps: number, floor: number) => Math.max(floor, warmupRps * 2);

/** Runs write load, pre-signing enough syncs for `seconds` at the rate `expectedRate` (plus room). */
export async function writeLoad(fixture: SyncFixture, seconds: number, expectedRate: number, watch = true): Promise<MeasuredLoad> {
  const perConnection = presignedPerConnection(expectedRate, seconds);
  const lists = await presignedWrites(fixture, perConnection);
  const job: LoadJob = { url: fixture.server.url, connections: SYNC_CONNECTIONS, durationSeconds: seconds, perConnection: lists };
  const result = await runLoad(job, watch ? fixture.server.pid : undefined);
  if (result.maxPerConnection >= perConnection) {
    throw new Error(`a connection used all ${perConnection} pre-signed syncs before the run ended; the expected rate (${expectedRate}/s) was too low`);
  }
  return result;
}

export async function readLoad(fixture: SyncFixture, seconds: number, pulls: WireRequest[][]): Promise<MeasuredLoad> {
  // Pulls are replayable (the same delta each time), so each connection repeats its one request.
  return runLoad({ url: fixture.server.url, connections: SYNC_CONNECTIONS, durationSeconds: seconds, perConnection: pulls, replay: true }, fixture.server.pid);
}

export async function syncSection(settings: BenchSettings): Promise<Row[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'cognito-sync-bench-'));
  const developer = newDeveloperKey();
  const server = await startOurServer({ dataDir, developer, nodeFlags: settings.serverNodeFlags });
  try {
    const fixture = await syncFixture(server, developer);
    settings.log(`sync: ${SYNC_CONNECTIONS} identities ready; warm-up ${settings.warmupSeconds}s`);
    const warm = await writeLoad(fixture, settings.warmupSeconds, 6000, false);
    // Each run is pre-signed for the fastest rate seen so far.
    let expected = rateAfterWarmup(warm.rps, 500);
    const pulls = await presignedPulls(fixture);
    await readLoad(fixture, settings.warmupSeconds, pulls);
    const tokenReads = await presignedPulls(fixture, true);

    const writes: MeasuredLoad[] = [];
    const reads: MeasuredLoad[] = [];
    const pureReads: MeasuredLoad[] = [];
    const rawWrites: number[] = [];
    const rawWriteP99: number[] = [];
    const rawReads: number[] = [];
    const rawReadP99: number[] = [];
    for (let i = 0; i < settings.runs; i++) {
      const w = await writeLoad(fixture, settings.runSeconds, expected);
      expected = Math.max(expected, w.rps);
      const rw = await rawSqlite({ mode: 'write', seconds: settings.runSeconds, patches: PATCHES_PER_SYNC, records: DELTA_RECORDS });
      const r = await readLoad(fixture, settings.runSeconds, pulls);
      const pr = await readLoad(fixture, settings.runSeconds, tokenReads);
      const rr = await rawSqlite({ mode: 'read', seconds: settings.runSeconds, patches: PATCHES_PER_SYNC, records: DELTA_RECORDS });
      writes.push(w);
      reads.push(r);
      pureReads.push(pr);
      rawWrites.push(rw.perSecond);
      rawWriteP99.push(rw.p99Ms);
      rawReads.push(rr.perSecond);
      rawReadP99.push(rr.p99Ms);
      settings.log(
        `  run ${i + 1}/${settings.runs}: UpdateRecords ${w.rps.toFixed(0)}/s p99 ${w.p99Ms.toFixed(2)} ms (raw ${rw.perSecond.toFixed(0)} tx/s)` +
          ` | ListRecords ${r.rps.toFixed(0)}/s p99 ${r.p99Ms.toFixed(2)} ms, with token ${pr.rps.toFixed(0)}/s (raw ${rr.perSecond.toFixed(0)} tx/s)`,
      );
    }
    const writeRatio = spread(writes.map((w, i) => w.rps / rawWrites[i]!));
    const readRatio = spread(reads.map((r, i) => r.rps / rawReads[i]!));
    const pureReadRatio = spread(pureReads.map((r, i) => r.rps / rawReads[i]!));
    const w = `UpdateRecords (${PATCHES_PER_SYNC} patches, identity creds, 32 conn.)`;
    const r = `ListRecords (${DELTA_RECORDS}-record delta, identity creds, 32 conn.)`;
    const rssPeak = spread([...writes, ...reads, ...pureReads].map((x) => (x.peakRssBytes ?? Number.NaN) / MB));
    return [
      { section: w, metric: 'ours ÷ raw SQLite (one durable tx per sync)', unit: '%', value: pct(writeRatio), target: { text: '≥ 100 %', met: writeRatio.median >= 1 } },
      { section: w, metric: 'ours: syncs/s', unit: 'syncs/s', value: spread(writes.map((x) => x.rps)) },
      { section: w, metric: 'ours: p50 latency', unit: 'ms', value: spread(writes.map((x) => x.p50Ms)) },
      { section: w, metric: 'ours: p99 latency', unit: 'ms', value: spread(writes.map((x) => x.p99Ms)) },
      { section: w, metric: 'ours: server CPU per sync', unit: 'µs', value: spread(writes.map((x) => x.cpuMicrosPerRequest ?? Number.NaN)) },
      { section: w, metric: 'raw SQLite: transactions/s', unit: 'tx/s', value: spread(rawWrites) },
      { section: w, metric: 'raw SQLite: p99 transaction', unit: 'ms', value: spread(rawWriteP99) },
      { section: r, metric: 'ours ÷ raw SQLite (one read tx per pull)', unit: '%', value: pct(readRatio) },
      { section: r, metric: 'ours: pulls/s', unit: 'syncs/s', value: spread(reads.map((x) => x.rps)) },
      { section: r, metric: 'ours: p50 latency', unit: 'ms', value: spread(reads.map((x) => x.p50Ms)) },
      { section: r, metric: 'ours: p99 latency', unit: 'ms', value: spread(reads.map((x) => x.p99Ms)) },
      { section: r, metric: 'ours: server CPU per pull', unit: 'µs', value: spread(reads.map((x) => x.cpuMicrosPerRequest ?? Number.NaN)) },
      { section: r, metric: 'with a session token (read only) ÷ raw SQLite', unit: '%', value: pct(pureReadRatio) },
      { section: r, metric: 'with a session token (read only): pulls/s', unit: 'syncs/s', value: spread(pureReads.map((x) => x.rps)) },
      { section: r, metric: 'with a session token (read only): p99 latency', unit: 'ms', value: spread(pureReads.map((x) => x.p99Ms)) },
      { section: r, metric: 'raw SQLite: read transactions/s', unit: 'tx/s', value: spread(rawReads) },
      { section: r, metric: 'raw SQLite: p99 read transaction', unit: 'ms', value: spread(rawReadP99) },
      { section: 'Memory', metric: 'RSS under sync load (peak)', unit: 'MB', value: rssPeak, target: { text: '≤ 150 MB', met: rssPeak.max <= 150 } },
      { section: 'Memory', metric: 'RSS after the sync runs', unit: 'MB', value: spread([(residentBytes(server.pid) ?? Number.NaN) / MB]) },
    ];
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const pct = (s: ReturnType<typeof spread>) => ({ ...s, median: s.median * 100, min: s.min * 100, max: s.max * 100 });
