// Prometheus metrics for GET /metrics. A registry per server (not prom-client's global one), so two servers
// in one process never share counters.
import type { ServerResponse } from 'node:http';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { OutboxKindDepth, Store } from '../store/store.ts';

export interface Metrics {
  /** The pipeline's onFinished hook. */
  observeRequest(event: { operation: string; status: number; seconds: number }): void;
  answer(res: ServerResponse): Promise<void>;
}

export interface MetricsSources {
  store: Store;
  /** The outbox, where one exists: its items by kind, and the kinds this node delivers (reported even at 0). */
  outbox?: { depthByKind: () => Promise<OutboxKindDepth[]>; kinds: readonly string[] };
  inFlightRequests: () => number;
}

export function createMetrics(sources: MetricsSources): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  const requests = new Counter({
    name: 'cognito_sync_requests_total',
    help: 'API requests answered, by operation and HTTP status.',
    labelNames: ['operation', 'status'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'cognito_sync_request_duration_seconds',
    help: 'Time from receiving an API request to writing its answer, by operation.',
    labelNames: ['operation'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  new Gauge({
    name: 'cognito_sync_http_requests_in_flight',
    help: 'Requests being handled right now.',
    registers: [registry],
    collect() {
      this.set(sources.inFlightRequests());
    },
  });
  const { store } = sources;
  if (store.connectionPool) {
    const pool = store.connectionPool.bind(store);
    new Gauge({
      name: 'cognito_sync_store_pool_connections',
      help: 'Database connections of this node by state: max (configured size), open, idle, in_use; waiting counts callers queued for one.',
      labelNames: ['state'] as const,
      registers: [registry],
      collect() {
        const use = pool();
        this.set({ state: 'max' }, use.max);
        this.set({ state: 'open' }, use.open);
        this.set({ state: 'idle' }, use.idle);
        this.set({ state: 'in_use' }, use.open - use.idle);
        this.set({ state: 'waiting' }, use.waiting);
      },
    });
  }
  if (sources.outbox) {
    const { depthByKind, kinds } = sources.outbox;
    // One query per scrape for the three gauges: prom-client calls every collect() in the same turn, so they all
    // get the promise the first one started.
    let snapshot: Promise<OutboxKindDepth[]> | undefined;
    const current = () => (snapshot ??= depthByKind().finally(() => (snapshot = undefined)));
    const perKind = async (pick: (depth: OutboxKindDepth) => number) => {
      const depths = await current();
      return [...new Set([...kinds, ...depths.map((d) => d.kind)])].map((kind) => {
        const depth = depths.find((d) => d.kind === kind);
        return { kind, value: depth ? pick(depth) : 0 };
      });
    };
    new Gauge({
      name: 'cognito_sync_outbox_depth',
      help: 'Items in the outbox (Cognito Streams records, BulkPublish jobs, pushes), dead letters included, all nodes together.',
      registers: [registry],
      async collect() {
        this.set((await current()).reduce((sum, d) => sum + d.pending + d.deadLetters, 0));
      },
    });
    new Gauge({
      name: 'cognito_sync_outbox_pending',
      help: 'Outbox items waiting for delivery (claimed or not), by kind, all nodes together.',
      labelNames: ['kind'] as const,
      registers: [registry],
      async collect() {
        for (const { kind, value } of await perKind((d) => d.pending)) this.set({ kind }, value);
      },
    });
    new Gauge({
      name: 'cognito_sync_outbox_dead_letters',
      help: 'Outbox items that failed --outbox-max-attempts times and wait for an operator (npm run outbox -- retry-dead), by kind.',
      labelNames: ['kind'] as const,
      registers: [registry],
      async collect() {
        for (const { kind, value } of await perKind((d) => d.deadLetters)) this.set({ kind }, value);
      },
    });
  }
  new Gauge({
    name: 'cognito_sync_store_info',
    help: 'Which store this node uses (value always 1).',
    labelNames: ['kind'] as const,
    registers: [registry],
  }).set({ kind: store.kind }, 1);

  return {
    observeRequest({ operation, status, seconds }) {
      requests.inc({ operation, status: String(status) });
      latency.observe({ operation }, seconds);
    },
    async answer(res) {
      let text: string;
      try {
        text = await registry.metrics();
      } catch (error) {
        // A gauge that reads the database fails while the database is down; say so rather than hang.
        text = `# metrics unavailable: ${(error as Error).message.replace(/\n/g, ' ')}\n`;
        res.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
        res.end(text);
        return;
      }
      res.writeHead(200, { 'Content-Type': registry.contentType, 'Content-Length': Buffer.byteLength(text) });
      res.end(text);
    },
  };
}
