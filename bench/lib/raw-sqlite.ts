// Runs the raw SQLite baseline (bench/raw-sqlite.ts) in its own process.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const RAW = new URL('../raw-sqlite.ts', import.meta.url).pathname;
const run = promisify(execFile);

export interface RawResult {
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
}

export async function rawSqlite(job: { mode: 'write' | 'read'; seconds: number; patches: number; records: number }): Promise<RawResult> {
  const { stdout } = await run(process.execPath, [RAW, JSON.stringify(job)]);
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as RawResult;
}
