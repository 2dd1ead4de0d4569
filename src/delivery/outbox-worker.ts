// Delivers what the outbox holds, on every node at once. Each node's worker claims due items for a lease (the
// store hands each item to one node), runs the handler registered for the item's kind, and then completes the
// item or schedules a retry with exponential backoff. A node that dies mid-delivery leaves its claims to expire
// and another node re-claims them, so delivery is at least once: consumers may, rarely, see a record twice.
//
// The worker polls (every `pollIntervalMs`) and is also woken at once when this node queued something, so a
// sync usually reaches the stream within milliseconds. Several items are delivered concurrently; items of one
// ordering key never are (the store hands them out one at a time).
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { OutboxItem, OutboxStore, Store } from '../store/store.ts';

/** What a handler gets: the item, and a way to keep its claim alive (and save progress) during long work. */
export interface ClaimedItem {
  item: OutboxItem;
  /** Extends the lease, optionally replacing the payload; false when the claim was lost (stop working on it). */
  extend(payload?: unknown): Promise<boolean>;
  /** True once the node is shutting down: long work should save its progress and return 'retry'. */
  stopping(): boolean;
}

export type OutboxHandlerResult =
  /** Delivered, or dropped for good (the handler logged why): the item is removed. */
  | { outcome: 'done' }
  /** Try again later; `payload` replaces the item's (progress), `delayMs` overrides the backoff. */
  | { outcome: 'retry'; error: string; payload?: unknown; delayMs?: number }
  /** The claim was lost to another node (extend() said so): leave the item alone. */
  | { outcome: 'abandoned' };

export type OutboxHandler = (claimed: ClaimedItem) => Promise<OutboxHandlerResult>;

export interface OutboxWorkerOptions {
  store: OutboxStore;
  handlers: Record<string, OutboxHandler>;
  logger: Logger;
  /** How long a claim lasts unless extended; must exceed one delivery's worst case (SDK timeouts). */
  leaseMs: number;
  pollIntervalMs: number;
  /** Items delivered at once by this node. */
  concurrency?: number;
  now?: () => Date;
}

const FIRST_RETRY_MS = 1_000;
const MAX_RETRY_MS = 5 * 60_000;
/** An item of a kind this node does not know (a newer node queued it during a rolling upgrade) waits for one that does. */
const UNKNOWN_KIND_RETRY_MS = 60_000;

/** Exponential backoff with jitter: about 1 s, 2 s, 4 s … capped at 5 minutes. */
export function retryDelayMs(attempts: number): number {
  const base = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.max(0, attempts - 1));
  return Math.round(base * (0.5 + Math.random() / 2));
}

export class OutboxWorker {
  readonly workerId = `${hostname()}/${process.pid}/${randomUUID().slice(0, 8)}`;
  private readonly options: Required<OutboxWorkerOptions>;
  private readonly inFlight = new Set<Promise<void>>();
  private running: Promise<void> | undefined;
  private stopping = false;
  private wakeUp: (() => void) | undefined;
  private woken = false;
  private lastClaimError = 0;

  constructor(options: OutboxWorkerOptions) {
    this.options = { concurrency: 16, now: () => new Date(), ...options };
  }

  start(): void {
    this.running ??= this.loop();
  }

  /** Something was queued on this node: look now rather than at the next poll. */
  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  /**
   * Stops claiming and waits up to `graceMs` for deliveries in progress. Long jobs save their progress and let
   * go of their claim; anything still running after the grace period keeps its lease, which expires for
   * another node (or this one, restarted) to pick up.
   */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    this.wake();
    const finished = (async () => {
      await this.running;
      await Promise.allSettled([...this.inFlight]);
    })();
    await Promise.race([finished, new Promise((resolve) => setTimeout(resolve, graceMs).unref())]);
  }

  private async loop(): Promise<void> {
    const { store, concurrency, leaseMs, now } = this.options;
    while (!this.stopping) {
      this.woken = false;
      const free = concurrency - this.inFlight.size;
      let claimed: OutboxItem[] = [];
      if (free > 0) {
        try {
          claimed = await store.claimOutboxItems(this.workerId, free, leaseMs, now());
        } catch (error) {
          this.logClaimError(error);
        }
      }
      for (const item of claimed) {
        const task = this.deliver(item).finally(() => {
          this.inFlight.delete(task);
          // A finished item may have been holding back the next of its ordering key.
          this.wake();
        });
        this.inFlight.add(task);
      }
      // Fewer than asked for: nothing else is due; as many as asked for: no room left. Either way wait for the
      // next poll, or for a wake-up (something queued here, or a delivery finished and freed room or a key).
      if (!this.woken && !this.stopping) await this.idle();
    }
  }

  private idle(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, this.options.pollIntervalMs);
      timer.unref();
      const self = this;
      function done() {
        clearTimeout(timer);
        self.wakeUp = undefined;
        resolve();
      }
      this.wakeUp = done;
    });
  }

  private async deliver(item: OutboxItem): Promise<void> {
    const { store, handlers, logger, leaseMs, now } = this.options;
    const log = logger.child({ outboxItem: item.id, kind: item.kind, attempts: item.attempts });
    const handler = handlers[item.kind];
    let result: OutboxHandlerResult;
    if (!handler) {
      result = { outcome: 'retry', error: `no handler for outbox items of kind '${item.kind}' on this node`, delayMs: UNKNOWN_KIND_RETRY_MS };
    } else {
      try {
        result = await handler({
          item,
          extend: (payload) => store.extendOutboxClaim(item.id, this.workerId, leaseMs, now(), payload),
          stopping: () => this.stopping,
        });
      } catch (error) {
        result = { outcome: 'retry', error: (error as Error).message || String(error) };
      }
    }
    try {
      if (result.outcome === 'done') {
        await store.completeOutboxItem(item.id);
      } else if (result.outcome === 'retry') {
        const delayMs = result.delayMs ?? retryDelayMs(item.attempts);
        log.warn({ error: result.error, retryInMs: delayMs }, 'outbox delivery failed; will retry');
        await store.retryOutboxItem(item.id, this.workerId, new Date(now().getTime() + delayMs), result.error.slice(0, 2000), result.payload);
      }
    } catch (error) {
      // The store did not take the outcome: the lease expires and the item is delivered again (at least once).
      log.error({ err: error }, 'could not record the outcome of an outbox delivery');
    }
  }

  private logClaimError(error: unknown) {
    // The database being down is reported by readiness; one line a minute here is enough.
    if (Date.now() - this.lastClaimError < 60_000) return;
    this.lastClaimError = Date.now();
    this.options.logger.warn({ err: error }, 'outbox worker could not claim items');
  }
}

/**
 * What this node's request handlers write through: the worker is woken as soon as a call queued outbox work.
 * Both stores are plain objects of functions (see open-store.ts), so spreading one keeps every method.
 */
export function wakingOnQueuedWork<S extends Pick<Store, 'updateRecords' | 'deleteDataset' | 'startBulkPublish'>>(store: S, worker: Pick<OutboxWorker, 'wake'>): S {
  return {
    ...store,
    async updateRecords(address, change) {
      const result = await store.updateRecords(address, change);
      if (result.outcome === 'ok' && result.outboxed) worker.wake();
      return result;
    },
    async deleteDataset(address, now) {
      const result = await store.deleteDataset(address, now);
      if (result.outcome === 'ok' && result.outboxed) worker.wake();
      return result;
    },
    async startBulkPublish(identityPoolId, now) {
      const result = await store.startBulkPublish(identityPoolId, now);
      if (result.outcome === 'started') worker.wake();
      return result;
    },
  };
}
