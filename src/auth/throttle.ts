// Token buckets kept in this process, one per client address and one per account. (A Redis-backed limiter
// shared by nodes plugs in behind the same interface.) The map of buckets is bounded: least recently used
// first in the Map's order, a bucket idle long enough to have refilled is dropped (a new one would be the
// same), and beyond `maxBuckets` the least recently used go first.
import { ServiceError } from '../protocol/errors.ts';

/**
 * `client`: every request, before its signature is checked, by the client's address (see
 * http/client-address.ts), so that a flood is throttled whatever it sends, bad signatures included.
 * `account`: every signed request once verified, by the signer's account.
 */
export type ThrottleScope = 'client' | 'account';

export interface Throttle {
  /** Throws TooManyRequestsException when the bucket of `id` in `scope` is over its rate. */
  take(scope: ThrottleScope, id: string): Promise<void> | void;
}

/** 429, as both services' models declare it, also where no model applies (the operator endpoint). */
export const rateExceeded = (ratePerSecond: number, scope: ThrottleScope) =>
  new ServiceError(
    'TooManyRequestsException',
    `Rate exceeded: more than ${ratePerSecond} requests per second ${scope === 'client' ? 'from this client address' : 'for this account'}`,
    { status: 429 },
  );

interface Bucket {
  tokens: number;
  updatedAt: number;
}

export const DEFAULT_MAX_BUCKETS = 100_000;

export class TokenBucketThrottle implements Throttle {
  private readonly buckets = new Map<string, Bucket>();
  private readonly ratePerSecond: number;
  private readonly burst: number;
  private readonly maxBuckets: number;
  /** How long an empty bucket takes to fill up: a bucket idle this long is as good as a new one. */
  private readonly refillMs: number;
  private readonly now: () => number;

  constructor(ratePerSecond: number, options: { burst?: number; maxBuckets?: number; now?: () => number } = {}) {
    this.ratePerSecond = ratePerSecond;
    this.burst = options.burst ?? ratePerSecond;
    this.maxBuckets = options.maxBuckets ?? DEFAULT_MAX_BUCKETS;
    this.refillMs = (this.burst / ratePerSecond) * 1000;
    this.now = options.now ?? (() => performance.now());
  }

  /** Buckets held now. */
  get size(): number {
    return this.buckets.size;
  }

  take(scope: ThrottleScope, id: string): void {
    const now = this.now();
    const key = `${scope}:${id}`;
    let bucket = this.buckets.get(key);
    if (bucket) {
      this.buckets.delete(key); // set again below: the Map's order is least recently used first
      bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.updatedAt) / 1000) * this.ratePerSecond);
    } else {
      bucket = { tokens: this.burst, updatedAt: now };
    }
    bucket.updatedAt = now;
    this.buckets.set(key, bucket);
    this.evict(now);
    if (bucket.tokens < 1) throw rateExceeded(this.ratePerSecond, scope);
    bucket.tokens -= 1;
  }

  /** Drops buckets from the least recently used end while they are full again or the map is over its bound. */
  private evict(now: number): void {
    for (const [key, bucket] of this.buckets) {
      if (now - bucket.updatedAt < this.refillMs && this.buckets.size <= this.maxBuckets) return;
      this.buckets.delete(key);
    }
  }
}

export const noThrottle: Throttle = { take() {} };
