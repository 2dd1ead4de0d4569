// Forgets spent sync sessions once their tokens have expired: from then on the tokens are refused as expired, so
// the spent mark has nothing left to guard. Every node sweeps, about once a minute, in small batches so that no
// sweep holds locks for long; a sweep that fails (the database is down) just waits for the next one.
import type { Logger } from 'pino';
import type { DatasetStore } from '../../store/store.ts';

const SWEEP_INTERVAL_MS = 60_000;
const BATCH = 1000;
/** Batches per sweep at most: a backlog is worked off over several sweeps rather than in one long one. */
const MAX_BATCHES = 100;

export interface SpentSessionSweeper {
  /** One sweep now; resolves to the number of sessions forgotten. */
  sweep(): Promise<number>;
  stop(): void;
}

export function startSpentSessionSweeper(
  store: Pick<DatasetStore, 'deleteExpiredSyncSessions'>,
  logger: Pick<Logger, 'warn'>,
  options: { intervalMs?: number; now?: () => Date } = {},
): SpentSessionSweeper {
  const now = options.now ?? (() => new Date());
  let running: Promise<number> | undefined;
  const sweep = () =>
    (running ??= (async () => {
      let forgotten = 0;
      try {
        for (let batch = 0; batch < MAX_BATCHES; batch++) {
          const deleted = await store.deleteExpiredSyncSessions(now(), BATCH);
          forgotten += deleted;
          if (deleted < BATCH) break;
        }
      } catch (error) {
        logger.warn({ err: error }, 'could not forget expired spent sync sessions; the next sweep will');
      } finally {
        running = undefined;
      }
      return forgotten;
    })());
  const timer = setInterval(() => void sweep(), options.intervalMs ?? SWEEP_INTERVAL_MS);
  timer.unref();
  return { sweep, stop: () => clearInterval(timer) };
}
