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
