import type { ServerResponse } from 'node:http';
import type { Store } from '../store/store.ts';
import { writeJson } from './json-response.ts';

const STORE_PING_TIMEOUT_MS = 2_000;

/** True when the store answers a ping within the timeout. */
async function storeAnswers(store: Store): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      store.ping(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('timeout')), STORE_PING_TIMEOUT_MS);
      }),
    ]);
    return true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

async function answerStoreStatus(res: ServerResponse, store: Store) {
  const ok = await storeAnswers(store);
  writeJson(res, ok ? 200 : 503, { status: ok ? 'ok' : 'unavailable', store: store.kind });
}

/** GET /health: 200 when the store answers within 2 s, 503 when it does not. */
export const answerHealth = answerStoreStatus;

/** GET /health/live: the process runs and its event loop answers. Says nothing about the database, so an
 *  orchestrator does not restart healthy nodes because the shared database blipped. */
export function answerLiveness(res: ServerResponse) {
  writeJson(res, 200, { status: 'ok' });
}

/** GET /health/ready: 200 only when this node should get traffic: not shutting down and its store answers
 *  within 2 s. A load balancer stops routing here on 503 while in-flight requests finish. */
export async function answerReadiness(res: ServerResponse, store: Store, shuttingDown: boolean) {
  if (shuttingDown) return writeJson(res, 503, { status: 'shutting-down', store: store.kind });
  await answerStoreStatus(res, store);
}
