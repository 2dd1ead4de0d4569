// Section 4: the same sync figures on PostgreSQL, with one node and with two nodes sharing the database
// (the load split evenly between them, one load generator per node). Needs a PostgreSQL; the URL comes from
// COGNITO_SYNC_BENCH_DATABASE_URL (default: the test database). Each run uses a schema of its own, dropped after.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { newDeveloperKey } from '../lib/aws-calls.ts';
import { type LoadJob, type MeasuredLoad, runLoad } from '../lib/load.ts';
import { busyShare, machineCpuTicks } from '../lib/proc-stats.ts';
import type { BenchSettings, Row } from '../lib/report.ts';
import { type ServerProcess, startOurServer } from '../lib/server-process.ts';
import { spread } from '../lib/stats.ts';
import type { WireRequest } from '../lib/sign.ts';
import { newIdentity } from '../lib/sync-calls.ts';
import { createIdentityPool } from '../lib/aws-calls.ts';
import { patchesForSync, presignedPerConnection, presignedPulls, rateAfterWarmup, SYNC_CONNECTIONS, type SyncFixture } from './sync.ts';
import { sessionTokens, updateRecordsRequest } from '../lib/sync-calls.ts';

export const BENCH_DATABASE_URL = process.env.COGNITO_SYNC_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function unavailable(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: BENCH_DATABASE_URL, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (error) {
    return `PostgreSQL at ${BENCH_DATABASE_URL} does not answer (${(error as Error).message || (error as { code?: string }).code})`;
  } finally {
    await client.end().catch(() => {});
  }
}

async function dropSchema(schema: string) {
  const client = new pg.Client({ connectionString: BENCH_DATABASE_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
}

type Kind = 'write' | 'pull' | 'read';

/** Splits the connections across the nodes: one load generator per node, run at the same time. */
async function splitLoad(
  nodes: ServerProcess[],
  lists: WireRequest[][],
  seconds: number,
  replay: boolean,
): Promise<{ rps: number; p50Ms: number; p99Ms: number; machineBusy: number; nodesCpu: number }> {
  const share = Math.ceil(lists.length / nodes.length);
  const before = machineCpuTicks();
  const results: MeasuredLoad[] = await Promise.all(
    nodes.map((node, i) => {
      const mine = lists.slice(i * share, (i + 1) * share);
      const job: LoadJob = { url: node.url, connections: mine.length, durationSeconds: seconds, perConnection: mine, replay };
      return runLoad(job, node.pid);
    }),
  );
  for (const r of results) {
    if (!replay && r.maxPerConnection >= Math.min(...lists.map((l) => l.length))) throw new Error('pre-signed syncs ran out; raise the expected rate');
  }
  const machineBusy = busyShare(before, machineCpuTicks());
  const total = results.reduce((sum, r) => sum + r.requests, 0);
  // Latency: the requests-weighted p50, and the worse node's p99.
  return {
    rps: results.reduce((sum, r) => sum + r.rps, 0),
    p50Ms: results.reduce((sum, r) => sum + r.p50Ms * r.requests, 0) / total,
    p99Ms: Math.max(...results.map((r) => r.p99Ms)),
    machineBusy,
    // CPUs' worth of time the nodes themselves used.
    nodesCpu: results.reduce((sum, r) => sum + ((r.cpuMicrosPerRequest ?? 0) * r.rps) / 1e6, 0),
  };
}

async function writeLists(fixture: SyncFixture, nodes: ServerProcess[], perConnection: number): Promise<WireRequest[][]> {
  const dataset = `bench_write_${++fixture.datasetsUsed}`;
  const share = Math.ceil(fixture.identities.length / nodes.length);
  return Promise.all(
    fixture.identities.map(async (who, i) => {
      // Each request is signed for the node it will be sent to (the Host header is signed).
      const url = nodes[Math.floor(i / share)]!.url;
      // One token per push: a push spends the token it presents.
      const tokens = await sessionTokens(url, who, dataset, perConnection);
      const list: WireRequest[] = [];
      for (let k = 1; k <= perConnection; k++) list.push(await updateRecordsRequest(url, who, dataset, tokens[k - 1]!, patchesForSync(k)));
      return list;
    }),
  );
}

async function readLists(fixture: SyncFixture, nodes: ServerProcess[], continuingSession: boolean): Promise<WireRequest[][]> {
  const share = Math.ceil(fixture.identities.length / nodes.length);
  const lists: WireRequest[][] = [];
  // presignedPulls signs for fixture.server; sign each node's share against that node.
  for (let n = 0; n < nodes.length; n++) {
    const part: SyncFixture = { server: nodes[n]!, identities: fixture.identities.slice(n * share, (n + 1) * share), datasetsUsed: 0 };
    lists.push(...(await presignedPulls(part, continuingSession)));
  }
  return lists;
}

interface Measured {
  write: number[];
  writeP99: number[];
  pull: number[];
  pullP99: number[];
  read: number[];
  readP99: number[];
  /** During the read-only runs: share of the whole machine busy, and CPUs used by the nodes. */
  readMachineBusy: number[];
  readNodesCpu: number[];
}

async function measureNodes(nodes: ServerProcess[], fixture: SyncFixture, settings: BenchSettings, runs: number): Promise<Measured> {
  const m: Measured = { write: [], writeP99: [], pull: [], pullP99: [], read: [], readP99: [], readMachineBusy: [], readNodesCpu: [] };
  let expected = 3000;
  const warm = await splitLoad(nodes, await writeLists(fixture, nodes, presignedPerConnection(expected, settings.warmupSeconds)), settings.warmupSeconds, false);
  expected = rateAfterWarmup(warm.rps, 300);
  const pulls = await readLists(fixture, nodes, false);
  const reads = await readLists(fixture, nodes, true);
  await splitLoad(nodes, reads, settings.warmupSeconds, true);
  for (let i = 0; i < runs; i++) {
    const w = await splitLoad(nodes, await writeLists(fixture, nodes, presignedPerConnection(expected, settings.runSeconds)), settings.runSeconds, false);
    expected = Math.max(expected, w.rps);
    const p = await splitLoad(nodes, pulls, settings.runSeconds, true);
    const r = await splitLoad(nodes, reads, settings.runSeconds, true);
    m.write.push(w.rps);
    m.writeP99.push(w.p99Ms);
    m.pull.push(p.rps);
    m.pullP99.push(p.p99Ms);
    m.read.push(r.rps);
    m.readP99.push(r.p99Ms);
    m.readMachineBusy.push(r.machineBusy * 100);
    m.readNodesCpu.push(r.nodesCpu);
    settings.log(
      `  ${nodes.length} node(s), run ${i + 1}/${runs}: UpdateRecords ${w.rps.toFixed(0)}/s p99 ${w.p99Ms.toFixed(1)} ms | pull (new session) ${p.rps.toFixed(0)}/s` +
        ` p99 ${p.p99Ms.toFixed(1)} ms | read (session token) ${r.rps.toFixed(0)}/s p99 ${r.p99Ms.toFixed(1)} ms (machine ${(r.machineBusy * 100).toFixed(0)} % busy)`,
    );
  }
  return m;
}

export async function postgresSection(settings: BenchSettings): Promise<Row[]> {
  const reason = await unavailable();
  if (reason) {
    settings.log(`postgres: skipped: ${reason}`);
    return [];
  }
  const schema = `bench_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const developer = newDeveloperKey();
  const dirs = [mkdtempSync(join(tmpdir(), 'cognito-sync-bench-pg-')), mkdtempSync(join(tmpdir(), 'cognito-sync-bench-pg-'))];
  const start = (dataDir: string) =>
    startOurServer({ dataDir, developer, nodeFlags: settings.serverNodeFlags, extraArgs: ['--database-url', BENCH_DATABASE_URL, '--database-schema', schema] });
  const nodes: ServerProcess[] = [];
  try {
    nodes.push(await start(dirs[0]!));
    const poolId = await createIdentityPool(nodes[0]!.url, developer, 'bench_pg_pool');
    const identities = [];
    for (let i = 0; i < SYNC_CONNECTIONS; i++) identities.push(await newIdentity(nodes[0]!.url, poolId));
    const fixture: SyncFixture = { server: nodes[0]!, identities, datasetsUsed: 0 };
    const runs = settings.postgresRuns;
    settings.log('postgres: one node');
    const one = await measureNodes(nodes, fixture, settings, runs);
    nodes.push(await start(dirs[1]!));
    settings.log('postgres: two nodes');
    const two = await measureNodes(nodes, fixture, settings, runs);

    const rows: Row[] = [];
    for (const [label, m] of [['one node', one], ['two nodes', two]] as const) {
      const section = `PostgreSQL, ${label} (32 conn. in all)`;
      rows.push(
        { section, metric: 'UpdateRecords: syncs/s', unit: 'syncs/s', value: spread(m.write) },
        { section, metric: 'UpdateRecords: p99 latency', unit: 'ms', value: spread(m.writeP99) },
        { section, metric: 'ListRecords, new session: pulls/s', unit: 'syncs/s', value: spread(m.pull) },
        { section, metric: 'ListRecords, new session: p99 latency', unit: 'ms', value: spread(m.pullP99) },
        { section, metric: 'ListRecords, session token (read only): pulls/s', unit: 'syncs/s', value: spread(m.read) },
        { section, metric: 'ListRecords, session token (read only): p99 latency', unit: 'ms', value: spread(m.readP99) },
        { section, metric: 'during the reads: whole machine busy', unit: '%', value: spread(m.readMachineBusy) },
        { section, metric: 'during the reads: CPUs used by the node(s)', unit: 'CPUs', value: spread(m.readNodesCpu) },
      );
    }
    const readScale = spread(two.read.map((r, i) => r / one.read[i]!));
    rows.push(
      { section: 'PostgreSQL, two nodes ÷ one', metric: 'reads (session token)', unit: '×', value: readScale, target: { text: '≥ 1.6×', met: readScale.median >= 1.6 } },
      { section: 'PostgreSQL, two nodes ÷ one', metric: 'pulls (new session)', unit: '×', value: spread(two.pull.map((r, i) => r / one.pull[i]!)) },
      { section: 'PostgreSQL, two nodes ÷ one', metric: 'UpdateRecords', unit: '×', value: spread(two.write.map((r, i) => r / one.write[i]!)) },
    );
    return rows;
  } finally {
    for (const node of nodes) await node.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    await dropSchema(schema).catch((error) => settings.log(`postgres: could not drop schema ${schema}: ${(error as Error).message}`));
  }
}
