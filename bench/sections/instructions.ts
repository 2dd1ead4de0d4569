// Section 6 (`npm run bench -- --only instructions`, not in a full run): instructions the server executes per
// request, counted by valgrind's callgrind. A neighbour on a shared machine moves req/s and CPU µs by 10–25 %
// from minute to minute; it cannot move an instruction count, so this is the figure that tells two builds apart
// on such a machine (`--server` counts another build's).
//
// What makes the count repeatable, where earlier tries saw 10–30 % between runs of one build:
// - No RSA key generation in it. Its prime search costs a random 0.2–1 G instructions; the server makes its
//   OpenID key on a fresh data directory, and builds before dd0dd6f made a candidate at every start. Both happen
//   before the server listens, so before the first reading.
// - Nothing prepared inside it. Pool, identities, datasets and session tokens are made by the server started
//   normally, and every request signed, before the server is started again under callgrind on the same directory.
// - Readings of the running count (callgrind_control -e, all threads) after a warm-up of `warm` requests and
//   after each batch: a batch's difference over its size is a request with the JIT warm, start-up excluded.
// - One connection, one request at a time (keep-alive), and no idle poll of the outbox during the run.
// It counts work, not time: it does not see waiting (fsync, a lock) nor what batching saves under concurrency.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createIdentityPool, newDeveloperKey, REGION, uriLabel } from '../lib/aws-calls.ts';
import type { BenchSettings, Row } from '../lib/report.ts';
import { type DeveloperKey, freePort, startOurServer } from '../lib/server-process.ts';
import { sendOnce, signRequest, type WireRequest } from '../lib/sign.ts';
import { spread } from '../lib/stats.ts';
import { DELTA_RECORDS, patchesForSync } from './sync.ts';
import { type BenchIdentity, listRecordsRequest, newIdentity, pull, push, recordValue, sessionTokens, updateRecordsRequest } from '../lib/sync-calls.ts';

const SECTION = 'Instructions per request (callgrind, 1 connection)';
const CALLGRIND = ['valgrind', '--tool=callgrind', '--callgrind-out-file=/dev/null'];
// The other nodes' outbox items are looked for once a second by default: a timer, so a count that depends on
// how long the run took. This server is the only node, and its own items it starts on at once.
const QUIET = ['--outbox-poll-ms', '60000'];

interface Workload {
  metric: string;
  /** Makes what the requests need on the running server and returns `count` requests to send, in order. */
  prepare(url: string, developer: DeveloperKey, count: number): Promise<WireRequest[]>;
}

const WORKLOADS: Workload[] = [
  {
    metric: 'GetIdentityPoolConfiguration (developer key)',
    async prepare(url, developer, count) {
      const poolId = await createIdentityPool(url, developer, 'bench_instructions_pool');
      const request = await signRequest({ baseUrl: url, service: 'cognito-sync', region: REGION, credentials: developer, method: 'GET', path: `/identitypools/${uriLabel(poolId)}/configuration` });
      return Array.from({ length: count }, () => request);
    },
  },
  {
    metric: `UpdateRecords (10 patches, identity creds)`,
    async prepare(url, developer, count) {
      const who = await identityWithDataset(url, developer, 'bench_write', 0);
      const tokens = await sessionTokens(url, who, 'bench_write', count);
      const list: WireRequest[] = [];
      for (let k = 1; k <= count; k++) list.push(await updateRecordsRequest(url, who, 'bench_write', tokens[k - 1]!, patchesForSync(k)));
      return list;
    },
  },
  {
    metric: `ListRecords, new session (${DELTA_RECORDS}-record delta)`,
    async prepare(url, developer, count) {
      const who = await identityWithDataset(url, developer, 'bench_read', DELTA_RECORDS);
      const request = await listRecordsRequest(url, who, 'bench_read', 0);
      return Array.from({ length: count }, () => request);
    },
  },
  {
    metric: `ListRecords, session token (${DELTA_RECORDS}-record delta)`,
    async prepare(url, developer, count) {
      const who = await identityWithDataset(url, developer, 'bench_read', DELTA_RECORDS);
      const { sessionToken } = await pull(url, who, 'bench_read');
      const request = await listRecordsRequest(url, who, 'bench_read', 0, sessionToken);
      return Array.from({ length: count }, () => request);
    },
  },
];

async function identityWithDataset(url: string, developer: DeveloperKey, dataset: string, records: number): Promise<BenchIdentity> {
  const who = await newIdentity(url, await createIdentityPool(url, developer, 'bench_instructions_pool'));
  if (records > 0) {
    const { sessionToken } = await pull(url, who, dataset);
    await push(url, who, dataset, sessionToken, Array.from({ length: records }, (_, j) => ({ key: `key${String(j).padStart(4, '0')}`, value: recordValue(j), syncCount: 0 })));
  }
  return who;
}

export async function instructionsSection(settings: BenchSettings): Promise<Row[]> {
  if (!commandAvailable('valgrind') || !commandAvailable('callgrind_control')) {
    settings.log('instructions: skipped, valgrind is not installed (Debian: apt-get install valgrind)');
    return [];
  }
  const warm = settings.quick ? 300 : 3000;
  const batch = settings.quick ? 200 : 1000;
  const batches = settings.quick ? 2 : 3;
  const developer = newDeveloperKey();
  // Requests are signed for one host:port, so the counted server listens where the preparing one did.
  const port = await freePort();
  const rows: Row[] = [];
  for (const workload of WORKLOADS) {
    const dataDir = mkdtempSync(join(tmpdir(), 'cognito-sync-bench-instr-'));
    try {
      const preparing = await startOurServer({ dataDir, developer, port, extraArgs: QUIET });
      let requests: WireRequest[];
      try {
        requests = await workload.prepare(preparing.url, developer, warm + batch * batches);
      } finally {
        await preparing.stop();
      }
      const perRequest = await countedBatches(dataDir, developer, port, requests, warm, batch);
      settings.log(`  ${workload.metric}: ${perRequest.map((k) => k.toFixed(1)).join(', ')} k per request (batches of ${batch}, after ${warm})`);
      // The figure is the mean over every batch: where a major GC or a late JIT compilation lands moves one
      // batch by up to ±15 %, not the sum. The batches' range is kept beside it.
      const mean = perRequest.reduce((a, b) => a + b, 0) / perRequest.length;
      rows.push({ section: SECTION, metric: `${workload.metric}, mean of ${batches} × ${batch}`, unit: 'k instr.', value: { ...spread(perRequest), median: mean } });
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
  return rows;
}

/**
 * Starts the server under callgrind, sends the first `warm` requests, then the rest in batches of `batch`,
 * reading the running count (all threads) between them: thousands of instructions per request, per batch.
 */
async function countedBatches(dataDir: string, developer: DeveloperKey, port: number, requests: WireRequest[], warm: number, batch: number): Promise<number[]> {
  const server = await startOurServer({ dataDir, developer, port, extraArgs: QUIET, wrapper: CALLGRIND });
  try {
    await sendInTurn(server.url, requests.slice(0, warm));
    let before = instructionsSoFar(server.pid);
    const perRequest: number[] = [];
    for (let from = warm; from < requests.length; from += batch) {
      await sendInTurn(server.url, requests.slice(from, from + batch));
      const after = instructionsSoFar(server.pid);
      perRequest.push((after - before) / batch / 1000);
      before = after;
    }
    return perRequest;
  } finally {
    await server.stop();
  }
}

/** The instructions callgrind has counted so far in the process, summed over its threads. */
function instructionsSoFar(pid: number): number {
  const status = execFileSync('callgrind_control', ['-e', String(pid)], { encoding: 'utf8' });
  const threads = [...status.matchAll(/^\s*Th\s*\d+\s+([\d,]+)\s*$/gm)];
  if (threads.length === 0) throw new Error(`callgrind_control printed no counts for ${pid}:\n${status}`);
  return threads.reduce((sum, [, count]) => sum + Number(count!.replaceAll(',', '')), 0);
}

/** Sends each request once, in order, on one kept-alive connection, failing on any answer but 200. */
async function sendInTurn(baseUrl: string, requests: WireRequest[]): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    for (const r of requests) {
      const { status, body } = await sendOnce(baseUrl, r, agent);
      if (status !== 200) throw new Error(`${r.method} ${r.path} answered ${status}: ${body}`);
    }
  } finally {
    agent.destroy();
  }
}

function commandAvailable(command: string): boolean {
  try {
    execFileSync(command, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
