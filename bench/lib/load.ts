// Runs one load job in a separate process (bench/load-generator.ts) and, meanwhile, samples the
// resident memory of the process under test.
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LoadJob, LoadResult } from '../load-generator.ts';
import { cpuSeconds, residentBytes } from './proc-stats.ts';

const GENERATOR = new URL('../load-generator.ts', import.meta.url).pathname;

export type { LoadJob, LoadResult };

export interface MeasuredLoad extends LoadResult {
  /** Highest RSS of the watched process seen during the load (sampled every 100 ms). */
  peakRssBytes?: number;
  /**
   * CPU time the watched process spent per answered request, in microseconds: steadier than req/s on a
   * shared machine, since a noisy neighbour slows the clock but not the work.
   */
  cpuMicrosPerRequest?: number;
}

export async function runLoad(job: LoadJob, watchPid?: number): Promise<MeasuredLoad> {
  const dir = mkdtempSync(join(tmpdir(), 'cognito-sync-bench-job-'));
  const file = join(dir, 'job.json');
  writeJob(file, job);
  let peakRssBytes: number | undefined;
  const sample = () => {
    if (watchPid === undefined) return;
    const rss = residentBytes(watchPid);
    if (rss !== undefined && (peakRssBytes === undefined || rss > peakRssBytes)) peakRssBytes = rss;
  };
  const sampler = setInterval(sample, 100);
  const cpuBefore = watchPid === undefined ? undefined : cpuSeconds(watchPid);
  try {
    const child = spawn(process.execPath, [GENERATOR, file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err += c));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    if (code !== 0) throw new Error(`load generator exited with ${code}: ${err}`);
    sample();
    const cpuAfter = watchPid === undefined ? undefined : cpuSeconds(watchPid);
    const result = JSON.parse(out.trim().split('\n').at(-1)!) as LoadResult;
    if (result.errors > 0 || result.non2xx > 0) {
      throw new Error(`load run saw ${result.errors} socket errors and ${result.non2xx} non-2xx answers (${JSON.stringify(result.statusCodes)}); figures would be meaningless`);
    }
    const cpuMicrosPerRequest =
      cpuBefore !== undefined && cpuAfter !== undefined && result.requests > 0 ? ((cpuAfter - cpuBefore) * 1e6) / result.requests : undefined;
    return { ...result, peakRssBytes, cpuMicrosPerRequest };
  } finally {
    clearInterval(sampler);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Writes the job as the load generator reads it (readJob in load-generator.ts): JSON lines, a list per line. */
function writeJob(file: string, job: LoadJob) {
  const fd = openSync(file, 'w');
  try {
    const { perConnection, ...rest } = job;
    writeSync(fd, `${JSON.stringify(rest)}\n`);
    for (const list of perConnection ?? []) writeSync(fd, `${JSON.stringify(list)}\n`);
  } finally {
    closeSync(fd);
  }
}
