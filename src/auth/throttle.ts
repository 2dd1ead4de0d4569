// Per-account token bucket, kept in this process. (A Redis-backed limiter shared by nodes plugs in
// behind the same interface.)
import { ServiceError } from '../protocol/errors.ts';

export interface Throttle {
  /** Throws TooManyRequestsException when `key` is over its rate. */
  take(key: string): Promise<void> | void;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

export class TokenBucketThrottle implements Throttle {
  private readonly buckets = new Map<string, Bucket>();
  private readonly ratePerSecond: number;
  private readonly burst: number;
  private readonly now: () => number;

  constructor(ratePerSecond: number, options: { burst?: number; now?: () => number } = {}) {
    this.ratePerSecond = ratePerSecond;
    this.burst = options.burst ?? ratePerSecond;
    this.now = options.now ?? (() => performance.now());
  }

  take(key: string): void {
    const now = this.now();
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = { tokens: this.burst, updatedAt: now };
      this.buckets.set(key, bucket);
    }
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.updatedAt) / 1000) * this.ratePerSecond);
    bucket.updatedAt = now;
    if (bucket.tokens < 1) {
      throw new ServiceError('TooManyRequestsException', `Rate exceeded: more than ${this.ratePerSecond} requests per second for this account`);
    }
    bucket.tokens -= 1;
  }
}

export const noThrottle: Throttle = { take() {} };
