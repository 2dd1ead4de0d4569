// Section 3: does latency stay flat as the store grows? The same UpdateRecords and ListRecords load as the
// sync section, against a store already holding 10k and then 1M records across many identities (seeded
// through the store API, measured through HTTP).
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newDeveloperKey } from '../lib/aws-calls.ts';
import type { MeasuredLoad } from '../lib/load.ts';
import type { BenchSettings, Row } from '../lib/report.ts';
import { seedRecords } from '../lib/seed.ts';
import { startOurServer } from '../lib/server-process.ts';
import { spread } from '../lib/stats.ts';
import { newIdentity } from '../lib/sync-calls.ts';
import { presignedPulls, rateAfterWarmup, readLoad, SYNC_CONNECTIONS, type SyncFixture, writeLoad } from './sync.ts';

interface ScaleFigures {
  records: number;
  writes: MeasuredLoad[];
  reads: MeasuredLoad[];
  fileMB: number;
}

async function measureAt(records: number, settings: BenchSettings): Promise<ScaleFigures> {
  const dataDir = mkdtempSync(join(tmpdir(), 'cognito-sync-bench-scale-'));
  const developer = newDeveloperKey();
  try {
    settings.log(`scale: seeding ${records.toLocaleString('en-US')} records`);
    const poolId = await seedRecords(dataDir, developer.accountId, records, settings.log);
    const server = await startOurServer({ dataDir, developer, nodeFlags: settings.serverNodeFlags });
    try {
      const identities = [];
      for (let i = 0; i < SYNC_CONNECTIONS; i++) identities.push(await newIdentity(server.url, poolId));
      const fixture: SyncFixture = { server, identities, datasetsUsed: 0 };
      const warm = await writeLoad(fixture, settings.warmupSeconds, 6000, false);
      // Each run is pre-signed for the fastest rate seen so far, as in the sync section (the warm-up runs JIT-cold).
      let expected = rateAfterWarmup(warm.rps, 500);
      const pulls = await presignedPulls(fixture);
      await readLoad(fixture, settings.warmupSeconds, pulls);
      const writes: MeasuredLoad[] = [];
      const reads: MeasuredLoad[] = [];
      for (let i = 0; i < settings.scaleRuns; i++) {
        writes.push(await writeLoad(fixture, settings.runSeconds, expected));
        expected = Math.max(expected, writes.at(-1)!.rps);
        reads.push(await readLoad(fixture, settings.runSeconds, pulls));
        settings.log(
          `  ${records.toLocaleString('en-US')} records, run ${i + 1}/${settings.scaleRuns}: UpdateRecords ${writes.at(-1)!.rps.toFixed(0)}/s p99 ${writes.at(-1)!.p99Ms.toFixed(2)} ms` +
            ` | ListRecords ${reads.at(-1)!.rps.toFixed(0)}/s p99 ${reads.at(-1)!.p99Ms.toFixed(2)} ms`,
        );
      }
      const file = join(dataDir, 'cognito-sync.db');
      return { records, writes, reads, fileMB: statSync(file).size / 1024 / 1024 };
    } finally {
      await server.stop();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function scaleSection(settings: BenchSettings): Promise<Row[]> {
  const [small, large] = settings.scaleSizes;
  const low = await measureAt(small!, settings);
  const high = await measureAt(large!, settings);
  const label = (n: number) => (n >= 1e6 ? `${n / 1e6}M` : `${n / 1e3}k`);
  const rows: Row[] = [];
  for (const f of [low, high]) {
    const section = `Scale: ${label(f.records)} records stored (${f.fileMB.toFixed(0)} MB file)`;
    rows.push(
      { section, metric: 'UpdateRecords: syncs/s', unit: 'syncs/s', value: spread(f.writes.map((x) => x.rps)) },
      { section, metric: 'UpdateRecords: p50 latency', unit: 'ms', value: spread(f.writes.map((x) => x.p50Ms)) },
      { section, metric: 'UpdateRecords: p99 latency', unit: 'ms', value: spread(f.writes.map((x) => x.p99Ms)) },
      { section, metric: 'ListRecords: pulls/s', unit: 'syncs/s', value: spread(f.reads.map((x) => x.rps)) },
      { section, metric: 'ListRecords: p50 latency', unit: 'ms', value: spread(f.reads.map((x) => x.p50Ms)) },
      { section, metric: 'ListRecords: p99 latency', unit: 'ms', value: spread(f.reads.map((x) => x.p99Ms)) },
    );
  }
  const ratio = (pick: (f: ScaleFigures) => MeasuredLoad[], field: 'p50Ms' | 'p99Ms') =>
    spread(pick(high).map((x, i) => x[field] / pick(low)[i]![field]));
  const section = `Scale: ${label(high.records)} ÷ ${label(low.records)}`;
  for (const [name, pick] of [['UpdateRecords', (f: ScaleFigures) => f.writes], ['ListRecords', (f: ScaleFigures) => f.reads]] as const) {
    const p50 = ratio(pick, 'p50Ms');
    rows.push({ section, metric: `${name}: p50 latency ratio`, unit: '×', value: p50, target: { text: '≤ 1.5×', met: p50.median <= 1.5 } });
    rows.push({ section, metric: `${name}: p99 latency ratio`, unit: '×', value: ratio(pick, 'p99Ms') });
  }
  return rows;
}
