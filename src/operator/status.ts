// POST /operator/status: the server's health as the console's health page shows it. Account-scoped parts (streams
// turned off) cover only the signing developer's own pools, as every AWS operation does.
import { readFileSync } from 'node:fs';
import type { Store } from '../store/store.ts';

export interface ServerFacts {
  version: string;
  region: string;
  startedAt: Date;
}

export interface StreamTurnedOff {
  identityPoolId: string;
  identityPoolName: string;
  streamName?: string;
  disabledReason?: string;
}

export interface OperatorStatus {
  server: { version: string; node: string; region: string; startedAt: string; uptimeSeconds: number };
  store: { kind: Store['kind']; answers: boolean; pingMs?: number; error?: string; onlineBackup: boolean };
  outbox: {
    /** Deliveries not yet completed (all nodes, all accounts). */
    depth?: number;
    error?: string;
    /** Deliveries waiting per kind (stream records, pushes, BulkPublish jobs), dead letters not included. */
    depthByKind: Record<string, number> | null;
    /** Deliveries given up after --outbox-max-attempts, kept until an operator retries them (npm run outbox). */
    deadLetters: number | null;
  };
  account: {
    accountId: string;
    poolsScanned: number;
    /** More pools than were scanned: the list below covers the first `poolsScanned` in id order. */
    truncated: boolean;
    /** Pools whose Cognito Streams turned itself off (or was turned off) with a reason. */
    streamsTurnedOff: StreamTurnedOff[];
  };
}

/** Bounds the work of one status call for an account with very many pools. */
const MAX_POOLS_SCANNED = 1000;
const PAGE = 60;

export async function collectStatus(store: Store, accountId: string, facts: ServerFacts): Promise<OperatorStatus> {
  const [storeHealth, outbox, account] = await Promise.all([storeStatus(store), outboxStatus(store), accountStatus(store, accountId)]);
  return {
    server: {
      version: facts.version,
      node: process.version,
      region: facts.region,
      startedAt: facts.startedAt.toISOString(),
      uptimeSeconds: Math.round((Date.now() - facts.startedAt.getTime()) / 1000),
    },
    store: storeHealth,
    outbox,
    account,
  };
}

async function storeStatus(store: Store): Promise<OperatorStatus['store']> {
  const started = performance.now();
  const onlineBackup = typeof store.backupTo === 'function';
  try {
    await store.ping();
    return { kind: store.kind, answers: true, pingMs: Math.round((performance.now() - started) * 100) / 100, onlineBackup };
  } catch (error) {
    return { kind: store.kind, answers: false, error: (error as Error).message, onlineBackup };
  }
}

async function outboxStatus(store: Store): Promise<OperatorStatus['outbox']> {
  try {
    const [depth, byKind] = await Promise.all([store.outboxDepth(), store.outboxDepthByKind()]);
    return {
      depth,
      depthByKind: Object.fromEntries(byKind.map((k) => [k.kind, k.pending])),
      deadLetters: byKind.reduce((sum, k) => sum + k.deadLetters, 0),
    };
  } catch (error) {
    return { error: (error as Error).message, depthByKind: null, deadLetters: null };
  }
}

async function accountStatus(store: Store, accountId: string): Promise<OperatorStatus['account']> {
  const streamsTurnedOff: StreamTurnedOff[] = [];
  let scanned = 0;
  let after: string | undefined;
  let truncated = false;
  do {
    const page = await store.listIdentityPools(accountId, PAGE, after);
    for (const pool of page.items) {
      if (scanned === MAX_POOLS_SCANNED) {
        truncated = true;
        break;
      }
      scanned += 1;
      const streams = (await store.getPoolSyncConfiguration(pool.identityPoolId)).cognitoStreams;
      if (streams?.StreamingStatus === 'DISABLED' && streams.DisabledReason) {
        streamsTurnedOff.push({
          identityPoolId: pool.identityPoolId,
          identityPoolName: pool.spec.IdentityPoolName,
          streamName: streams.StreamName,
          disabledReason: streams.DisabledReason,
        });
      }
    }
    after = page.nextAfter;
  } while (after && !truncated);
  return { accountId, poolsScanned: scanned, truncated, streamsTurnedOff };
}

/** The version in package.json (two folders up from this file, in src/ and in dist/ alike). */
export function readServerVersion(): string {
  try {
    const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
    return String((JSON.parse(text) as { version?: unknown }).version ?? 'unknown');
  } catch {
    return 'unknown';
  }
}
