// The load generator, run as its own process so it never shares the server's event loop. Reads a job
// (file named by argv[2], see readJob), drives autocannon, and prints one JSON result line on stdout.
// Latencies are recorded here with microsecond resolution: autocannon's own histogram keeps whole
// milliseconds, too coarse for sub-millisecond medians.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createRequire } from 'node:module';
import type { WireRequest } from './lib/sign.ts';

const require = createRequire(import.meta.url);
const autocannon = require('autocannon') as (opts: Record<string, unknown>, cb?: unknown) => AutocannonInstance;

interface AutocannonInstance {
  on(event: 'response', listener: (client: unknown, status: number, bytes: number, ms: number) => void): void;
  on(event: 'done', listener: (result: AutocannonResult) => void): void;
  on(event: 'error', listener: (error: Error) => void): void;
}
interface AutocannonResult {
  requests: { total: number };
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCodeStats?: Record<string, { count: number }>;
}

export interface LoadJob {
  url: string;
  connections: number;
  durationSeconds: number;
  /** Every connection replays this request… */
  request?: WireRequest;
  /** …or connection i sends perConnection[i % length] in order, once: then it stops… */
  perConnection?: WireRequest[][];
  /** …unless its requests may be replayed: then it starts its list over. */
  replay?: boolean;
}

export interface LoadResult {
  requests: number;
  seconds: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  errors: number;
  non2xx: number;
  statusCodes: Record<string, number>;
  /** The most requests any one connection sent: for perConnection jobs, whether a list ran out. */
  maxPerConnection: number;
  /** Share of one CPU the load generator itself used: near 1, the generator (not the server) set the pace. */
  generatorCpuShare: number;
}

// autocannon writes Content-Length itself (the same byte count that was signed); a second copy of the header
// would make the request malformed.
const toAutocannon = (r: WireRequest) => {
  const headers = Object.fromEntries(Object.entries(r.headers).filter(([name]) => name.toLowerCase() !== 'content-length'));
  return { method: r.method, path: r.path, headers, body: r.body };
};

function run(job: LoadJob): Promise<LoadResult> {
  let latencies = new Float64Array(1 << 16);
  let count = 0;
  let nextClient = 0;
  const options: Record<string, unknown> = {
    url: job.url,
    connections: job.connections,
    duration: job.durationSeconds,
    pipelining: 1,
  };
  const perClient = new Map<unknown, number>();
  if (job.perConnection) {
    const lists = job.perConnection;
    // Each list is a sequence that cannot be replayed (sync counts move on), so a connection stops at its end.
    if (!job.replay) options.maxConnectionRequests = Math.min(...lists.map((l) => l.length));
    options.setupClient = (client: { setRequests(requests: unknown[]): void }) => {
      client.setRequests(lists[nextClient++ % lists.length]!.map(toAutocannon));
    };
  } else if (job.request) {
    // As a one-entry request list: autocannon takes the path from the URL otherwise.
    options.requests = [toAutocannon(job.request)];
  } else {
    throw new Error('job needs request or perConnection');
  }
  return new Promise((resolve, reject) => {
    const cpuStart = process.cpuUsage();
    const instance = autocannon(options);
    instance.on('error', reject);
    instance.on('response', (client, _status, _bytes, ms) => {
      perClient.set(client, (perClient.get(client) ?? 0) + 1);
      if (count === latencies.length) {
        const grown = new Float64Array(latencies.length * 2);
        grown.set(latencies);
        latencies = grown;
      }
      latencies[count++] = ms;
    });
    instance.on('done', (result) => {
      const cpu = process.cpuUsage(cpuStart);
      const sorted = latencies.subarray(0, count).sort();
      const at = (p: number) => (count === 0 ? Number.NaN : sorted[Math.min(count - 1, Math.ceil((p / 100) * count) - 1)]!);
      const statusCodes: Record<string, number> = {};
      for (const [code, stat] of Object.entries(result.statusCodeStats ?? {})) statusCodes[code] = stat.count;
      resolve({
        requests: count,
        seconds: result.duration,
        rps: count / result.duration,
        p50Ms: at(50),
        p99Ms: at(99),
        maxMs: count === 0 ? Number.NaN : sorted[count - 1]!,
        errors: result.errors + result.timeouts,
        non2xx: result.non2xx,
        statusCodes,
        maxPerConnection: Math.max(0, ...perClient.values()),
        generatorCpuShare: (cpu.user + cpu.system) / 1e6 / result.duration,
      });
    });
  });
}

/**
 * A job file is JSON lines: the job without its request lists, then one line per connection's list. A fast
 * machine's pre-signed syncs add up to more than one JavaScript string can hold (hundreds of MB), so neither
 * side ever holds the whole file as one string.
 */
async function readJob(file: string): Promise<LoadJob> {
  let job: LoadJob | undefined;
  const lists: WireRequest[][] = [];
  for await (const line of createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity })) {
    if (!job) job = JSON.parse(line) as LoadJob;
    else if (line) lists.push(JSON.parse(line) as WireRequest[]);
  }
  if (!job) throw new Error(`${file}: empty job file`);
  return lists.length > 0 ? { ...job, perConnection: lists } : job;
}

readJob(process.argv[2]!).then(run).then(
  (result) => process.stdout.write(`${JSON.stringify(result)}\n`),
  (error) => {
    process.stderr.write(`load generator failed: ${(error as Error).stack}\n`);
    process.exit(1);
  },
);
