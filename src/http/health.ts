import type { ServerResponse } from 'node:http';
import type { Store } from '../store/store.ts';

/** GET /health: 200 when the store answers, 503 when it does not. */
export async function answerHealth(res: ServerResponse, store: Store) {
  let status = 200;
  let body: Record<string, string>;
  try {
    await store.ping();
    body = { status: 'ok', store: store.kind };
  } catch {
    status = 503;
    body = { status: 'unavailable', store: store.kind };
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** GET /health/live: the process runs and its event loop answers. Says nothing about the database, so an
 *  orchestrator does not restart healthy nodes because the shared database blipped. */
export function answerLiveness(res: ServerResponse) {
  const text = JSON.stringify({ status: 'ok' });
  res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

const READINESS_PING_TIMEOUT_MS = 2_000;

/** GET /health/ready: 200 only when this node should get traffic: not shutting down and its store answers
 *  within 2 s. A load balancer stops routing here on 503 while in-flight requests finish. */
export async function answerReadiness(res: ServerResponse, store: Store, shuttingDown: boolean) {
  let status = 200;
  let body: Record<string, string>;
  if (shuttingDown) {
    status = 503;
    body = { status: 'shutting-down', store: store.kind };
  } else {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        store.ping(),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('timeout')), READINESS_PING_TIMEOUT_MS);
        }),
      ]);
      body = { status: 'ok', store: store.kind };
    } catch {
      status = 503;
      body = { status: 'unavailable', store: store.kind };
    } finally {
      clearTimeout(timer);
    }
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}
