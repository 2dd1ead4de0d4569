// Section 1: GetIdentityPoolConfiguration (SigV4-signed, developer key) beside a bare node:http server
// answering the same bytes, in the same run; memory idle and under load; start-up to first answer.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createIdentityPool, newDeveloperKey, REGION, uriLabel } from '../lib/aws-calls.ts';
import { type MeasuredLoad, runLoad } from '../lib/load.ts';
import { residentBytes } from '../lib/proc-stats.ts';
import type { BenchSettings, Row } from '../lib/report.ts';
import { type FixedResponse, freePort, startBareServer, startOurServer } from '../lib/server-process.ts';
import { sendOnce, signRequest, type WireResponse } from '../lib/sign.ts';
import { spread } from '../lib/stats.ts';

const CONNECTIONS = 32;
const MB = 1024 * 1024;

export async function poolConfigurationSection(settings: BenchSettings): Promise<Row[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'cognito-sync-bench-'));
  const developer = newDeveloperKey();
  const port = await freePort();
  let ours = await startOurServer({ dataDir, developer, port, nodeFlags: settings.serverNodeFlags });
  let bare: Awaited<ReturnType<typeof startBareServer>> | undefined;
  try {
    const idleRss = await settledRss(ours.pid);
    const poolId = await createIdentityPool(ours.url, developer, 'bench_pool');
    const request = await signRequest({
      baseUrl: ours.url,
      service: 'cognito-sync',
      region: REGION,
      credentials: developer,
      method: 'GET',
      path: `/identitypools/${uriLabel(poolId)}/configuration`,
    });
    const sample = await sendOnce(ours.url, request);
    if (sample.status !== 200) throw new Error(`GetIdentityPoolConfiguration answered ${sample.status}: ${sample.body}`);
    bare = await startBareServer(sameBytes(sample), settings.serverNodeFlags);
    const bareCheck = await sendOnce(bare.url, request);
    if (bareCheck.body !== sample.body) throw new Error('bare server does not answer the same body');

    const job = (url: string, seconds: number) => ({ url, connections: CONNECTIONS, durationSeconds: seconds, request });
    settings.log(`GetIdentityPoolConfiguration: warm-up ${settings.warmupSeconds}s each`);
    await runLoad(job(bare.url, settings.warmupSeconds));
    await runLoad(job(ours.url, settings.warmupSeconds));

    const oursRuns: MeasuredLoad[] = [];
    const bareRuns: MeasuredLoad[] = [];
    // Interleaved, so a noisy neighbour on a shared machine hits both sides alike.
    for (let i = 0; i < settings.runs; i++) {
      const b = await runLoad(job(bare.url, settings.runSeconds), bare.pid);
      const o = await runLoad(job(ours.url, settings.runSeconds), ours.pid);
      bareRuns.push(b);
      oursRuns.push(o);
      settings.log(
        `  run ${i + 1}/${settings.runs}: ours ${o.rps.toFixed(0)} req/s p99 ${o.p99Ms.toFixed(2)} ms ${o.cpuMicrosPerRequest?.toFixed(1)} µs CPU/req` +
          ` | bare ${b.rps.toFixed(0)} req/s p99 ${b.p99Ms.toFixed(2)} ms ${b.cpuMicrosPerRequest?.toFixed(1)} µs CPU/req`,
      );
    }
    const ratio = spread(oursRuns.map((o, i) => o.rps / bareRuns[i]!.rps));
    const oursP99 = spread(oursRuns.map((r) => r.p99Ms));
    const loadRss = spread(oursRuns.map((r) => (r.peakRssBytes ?? Number.NaN) / MB));
    const op = 'GetIdentityPoolConfiguration (32 conn.)';
    const rows: Row[] = [
      { section: op, metric: 'ours ÷ bare node:http, req/s', unit: '%', value: scale(ratio, 100), target: { text: '≥ 60 %', met: ratio.median >= 0.6 } },
      { section: op, metric: 'ours: requests/s', unit: 'req/s', value: spread(oursRuns.map((r) => r.rps)) },
      { section: op, metric: 'ours: p50 latency', unit: 'ms', value: spread(oursRuns.map((r) => r.p50Ms)) },
      { section: op, metric: 'ours: p99 latency', unit: 'ms', value: oursP99, target: { text: '≤ 5 ms', met: oursP99.median <= 5 } },
      { section: op, metric: 'ours: server CPU per request', unit: 'µs', value: spread(oursRuns.map((r) => r.cpuMicrosPerRequest ?? Number.NaN)) },
      { section: op, metric: 'bare node:http: requests/s', unit: 'req/s', value: spread(bareRuns.map((r) => r.rps)) },
      { section: op, metric: 'bare node:http: p50 latency', unit: 'ms', value: spread(bareRuns.map((r) => r.p50Ms)) },
      { section: op, metric: 'bare node:http: p99 latency', unit: 'ms', value: spread(bareRuns.map((r) => r.p99Ms)) },
      { section: op, metric: 'bare node:http: server CPU per request', unit: 'µs', value: spread(bareRuns.map((r) => r.cpuMicrosPerRequest ?? Number.NaN)) },
      { section: 'Memory', metric: 'RSS idle (after start-up)', unit: 'MB', value: spread([idleRss / MB]) },
      { section: 'Memory', metric: 'RSS under load (peak, GetIdentityPoolConfiguration)', unit: 'MB', value: loadRss, target: { text: '≤ 150 MB', met: loadRss.max <= 150 } },
      { section: 'Memory', metric: 'bare node:http RSS under load (peak)', unit: 'MB', value: spread(bareRuns.map((r) => (r.peakRssBytes ?? Number.NaN) / MB)) },
    ];
    await bare.stop();
    bare = undefined;

    // Start-up: restart on the same data directory (pool in place), time from spawn to the first 200.
    const startups: number[] = [];
    for (let i = 0; i < settings.startupRuns; i++) {
      await ours.stop();
      ours = await startOurServer({ dataDir, developer, port, nodeFlags: settings.serverNodeFlags });
      const answer = await sendOnce(ours.url, request);
      if (answer.status !== 200) throw new Error(`first request after restart answered ${answer.status}`);
      startups.push(performance.now() - ours.spawnedAt);
    }
    const startup = spread(startups);
    rows.push({ section: 'Start-up', metric: 'spawn → first answered GetIdentityPoolConfiguration', unit: 'ms', value: startup, target: { text: '≤ 1000 ms', met: startup.median <= 1000 } });
    return rows;
  } finally {
    await bare?.stop();
    await ours.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Every header our server sent, spelled as it spelled them; node:http adds Date and the connection headers itself. */
function sameBytes(sample: WireResponse): FixedResponse {
  const headers: Record<string, string> = {};
  for (let i = 0; i < sample.rawHeaders.length; i += 2) {
    const name = sample.rawHeaders[i]!;
    if (!['date', 'connection', 'keep-alive'].includes(name.toLowerCase())) headers[name] = sample.rawHeaders[i + 1]!;
  }
  return { status: sample.status, headers, body: sample.body };
}

async function settledRss(pid: number): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, 500));
  return residentBytes(pid) ?? Number.NaN;
}

function scale(s: ReturnType<typeof spread>, factor: number) {
  return { ...s, median: s.median * factor, min: s.min * factor, max: s.max * factor };
}
