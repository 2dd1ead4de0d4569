// Delivers what the outbox holds, on every node at once. Each node's worker claims due items for a lease (the
// store hands each item to one node), runs the handler registered for the item's kind, and then completes the
// item or schedules a retry with exponential backoff. A node that dies mid-delivery leaves its claims to expire
// and another node re-claims them, so delivery is at least once: consumers may, rarely, see a record twice.
//
// A delivery has a deadline shorter than its lease (3/4 of it, renewed with the lease by extend()): past it the
// worker aborts the handler (its AbortSignal) and stops waiting, so it never works on an item whose lease another
// node may already hold. Every outcome is recorded under the claim's token, so a worker that lost its claim
// anyway (a paused process) cannot complete, extend or retry the item. An item that failed `maxAttempts` times
// becomes a dead letter: logged, counted in /metrics, and left until an operator retries it.
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
  /**
   * Extends the lease (and the delivery's deadline with it), optionally replacing the payload; false when the
   * claim was lost or the deadline passed (stop working on it).
   */
  extend(payload?: unknown): Promise<boolean>;
  /** True once the node is shutting down: long work should save its progress and return 'retry'. */
  stopping(): boolean;
  /** Aborted at the delivery's deadline: pass it to outbound calls so they stop too. */
  signal: AbortSignal;
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
  /** How long a claim lasts unless extended; a delivery is aborted at 3/4 of it (see DEADLINE_SHARE). */
  leaseMs: number;
  pollIntervalMs: number;
  /** Attempts after which an item that keeps failing becomes a dead letter. */
  maxAttempts: number;
  /** Items delivered at once by this node. */
  concurrency?: number;
  now?: () => Date;
}

const FIRST_RETRY_MS = 1_000;
const MAX_RETRY_MS = 5 * 60_000;
/** An item of a kind this node does not know (a newer node queued it during a rolling upgrade) waits for one that does. */
const UNKNOWN_KIND_RETRY_MS = 60_000;
/**
 * The share of the lease a delivery may take. The rest is margin for recording the outcome and for clocks:
 * another node takes the item over only once the lease has run out, by which time this one has given up on it.
 */
const DEADLINE_SHARE = 0.75;

export const deliveryDeadlineMs = (leaseMs: number) => Math.floor(leaseMs * DEADLINE_SHARE);

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
    const { logger, maxAttempts } = this.options;
    const log = logger.child({ outboxItem: item.id, kind: item.kind, attempts: item.attempts });
    // Claimed more often than allowed without an outcome recorded: each claim ended with its node dying or
    // hanging (an item that crashes its deliverer, say). Do not try again.
    const result: OutboxHandlerResult =
      item.attempts > maxAttempts && this.delivers(item)
        ? { outcome: 'retry', error: `claimed ${item.attempts} times; no attempt recorded an outcome (its node stopped or hung each time)` }
        : await this.runHandler(item);
    try {
      await this.recordOutcome(item, result, log);
    } catch (error) {
      // The store did not take the outcome: the lease expires and the item is delivered again (at least once).
      log.error({ err: error }, 'could not record the outcome of an outbox delivery');
    }
  }

  /**
   * Whether this node can deliver the item. One that cannot (a newer node queued a kind this one does not know,
   * during a rolling upgrade) is never made a dead letter here: it waits for a node that knows its kind.
   */
  private delivers(item: OutboxItem): boolean {
    return Object.hasOwn(this.options.handlers, item.kind);
  }

  /** The handler's result, or a retry when it threw or outlived its deadline (then it is aborted, not awaited). */
  private async runHandler(item: OutboxItem): Promise<OutboxHandlerResult> {
    const { store, handlers, leaseMs, now } = this.options;
    const handler = this.delivers(item) ? handlers[item.kind] : undefined;
    if (!handler) {
      return { outcome: 'retry', error: `no handler for outbox items of kind '${item.kind}' on this node`, delayMs: UNKNOWN_KIND_RETRY_MS };
    }
    const deadlineMs = deliveryDeadlineMs(leaseMs);
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    let reachDeadline!: (result: OutboxHandlerResult) => void;
    const pastDeadline = new Promise<OutboxHandlerResult>((resolve) => (reachDeadline = resolve));
    /** (Re)starts the deadline: at the claim, and whenever extend() renews the lease. */
    const armDeadline = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        const error = `delivery did not finish within its deadline of ${deadlineMs} ms (3/4 of the ${leaseMs} ms outbox lease); aborted`;
        controller.abort(new Error(error));
        reachDeadline({ outcome: 'retry', error });
      }, deadlineMs);
    };
    armDeadline();
    const extend = async (payload?: unknown) => {
      if (controller.signal.aborted) return false;
      const kept = await store.extendOutboxClaim(item, leaseMs, now(), payload);
      if (kept && !controller.signal.aborted) armDeadline();
      return kept;
    };
    const delivery = (async (): Promise<OutboxHandlerResult> => {
      try {
        return await handler({ item, extend, stopping: () => this.stopping, signal: controller.signal });
      } catch (error) {
        return { outcome: 'retry', error: (error as Error).message || String(error) };
      }
    })();
    try {
      return await Promise.race([delivery, pastDeadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async recordOutcome(item: OutboxItem, result: OutboxHandlerResult, log: Logger): Promise<void> {
    const { store, now, maxAttempts } = this.options;
    let recorded = true;
    if (result.outcome === 'done') {
      recorded = await store.completeOutboxItem(item);
    } else if (result.outcome === 'retry') {
      const error = result.error.slice(0, 2000);
      if (item.attempts >= maxAttempts && this.delivers(item)) {
        recorded = await store.deadLetterOutboxItem(item, error, now());
        if (recorded) {
          log.error(
            { error, maxAttempts },
            `outbox item dead-lettered after ${item.attempts} attempts; it is kept, and \`npm run outbox -- retry-dead\` tries it again`,
          );
        }
      } else {
        const delayMs = result.delayMs ?? retryDelayMs(item.attempts);
        recorded = await store.retryOutboxItem(item, new Date(now().getTime() + delayMs), error, result.payload);
        if (recorded) log.warn({ error, retryInMs: delayMs }, 'outbox delivery failed; will retry');
      }
    }
    // Its lease ran out and another worker holds the item now: that worker's outcome counts, not this one's.
    if (!recorded) log.warn({ outcome: result.outcome }, 'outbox claim lost before its outcome was recorded; the item is left to the worker that holds it');
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
