// Throttling (per client address, per account: see throttle.ts) shared by every node: the counters live in Redis (rate-limiter-flexible's
// atomic Lua increment), so N nodes together admit `ratePerSecond`, not N times it. Windows are fixed
// one-second windows (the in-process TokenBucketThrottle refills continuously); both admit at most the rate
// in any aligned second. If Redis stops answering, each node falls back to its own in-memory limiter rather
// than failing requests, and goes back to Redis once it answers again.
import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { rateExceeded, type Throttle, type ThrottleScope } from './throttle.ts';

export class RedisThrottle implements Throttle {
  private readonly redis: Redis;
  private readonly limiter: RateLimiterRedis;
  private readonly ratePerSecond: number;

  constructor(redisUrl: string, ratePerSecond: number, options: { keyPrefix?: string } = {}) {
    this.ratePerSecond = ratePerSecond;
    // No offline queue and one attempt per command: a request must not wait on a Redis that is down.
    this.redis = new Redis(redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2_000 });
    // Connection errors surface through the insurance limiter; ioredis keeps reconnecting in the background.
    this.redis.on('error', () => {});
    this.limiter = new RateLimiterRedis({
      storeClient: this.redis,
      keyPrefix: options.keyPrefix ?? 'cognito-sync:throttle',
      points: ratePerSecond,
      duration: 1,
      rejectIfRedisNotReady: true,
      insuranceLimiter: new RateLimiterMemory({ points: ratePerSecond, duration: 1 }),
    });
  }

  /** Resolves once Redis answers; rejects on the first connection error (or after 3 s), so a node can say at
   *  start that it is on its fallback limiter. */
  async ready(): Promise<void> {
    if (this.redis.status !== 'ready') {
      await new Promise<void>((resolve, reject) => {
        const settle = (error?: Error) => {
          clearTimeout(timer);
          this.redis.off('ready', onReady);
          this.redis.off('error', onError);
          if (error) reject(error);
          else resolve();
        };
        const onReady = () => settle();
        const onError = (error: Error) => settle(error);
        const timer = setTimeout(() => settle(new Error('Redis did not answer within 3 s')), 3_000);
        this.redis.once('ready', onReady);
        this.redis.once('error', onError);
      });
    }
    await this.redis.ping();
  }

  async take(scope: ThrottleScope, id: string): Promise<void> {
    try {
      // Keys expire with their one-second window, so Redis (and the in-memory fallback) hold only the
      // buckets of the last second.
      await this.limiter.consume(`${scope}:${id}`);
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) throw rateExceeded(this.ratePerSecond, scope);
      throw rejection;
    }
  }

  close(): void {
    this.redis.disconnect();
  }
}
