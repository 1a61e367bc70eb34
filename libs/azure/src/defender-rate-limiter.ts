import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { type RateLimiterAbstract, RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { AzureError } from './azure-error.js';

/**
 * Defender for Endpoint allows each of its machine APIs 100 calls a minute and 1,500 an hour
 * per app (docs/AZURE.md#defender-rate-limits). This keeps us under that on our side, per
 * connection target and API, by waiting for a slot rather than collecting 429s. In the embedded
 * mode the counts are in memory; in queue mode (`shared`) they are in Redis, so all the processes
 * of a cluster share one count per target and API (while Redis does not answer, each process
 * falls back to its own count in memory rather than stopping).
 */
export class DefenderRateLimiter {
  private readonly perMinute: RateLimiterAbstract;
  private readonly perHour: RateLimiterAbstract;

  constructor(
    limits: { perMinute: number; perHour: number },
    private readonly maxWaitMs: number,
    shared?: { redis: Redis; prefix: string },
  ) {
    const limiter = (points: number, duration: number, name: string): RateLimiterAbstract => {
      const memory = new RateLimiterMemory({ points, duration });
      if (!shared) return memory;
      return new RateLimiterRedis({
        storeClient: shared.redis,
        keyPrefix: `${shared.prefix}:defender-limit:${name}`,
        points,
        duration,
        insuranceLimiter: memory,
      });
    };
    this.perMinute = limiter(limits.perMinute, 60, 'minute');
    this.perHour = limiter(limits.perHour, 3600, 'hour');
  }

  async acquire(targetId: string, api: string, signal?: AbortSignal): Promise<void> {
    const key = `${targetId}:${api}`;
    let waited = 0;
    for (;;) {
      const waitMs = await this.tryTake(key);
      if (waitMs === 0) return;
      if (waited + waitMs > this.maxWaitMs) {
        throw new AzureError(
          'throttled',
          `The client-side Defender limit for ${api} is reached for this connection target; the next slot is in ${Math.ceil(waitMs / 1000)} s.`,
          { service: 'defender', retryAfterMs: waitMs },
        );
      }
      await sleep(waitMs, undefined, { signal });
      waited += waitMs;
    }
  }

  /** 0 when a slot was taken, else how long until one frees up. */
  private async tryTake(key: string): Promise<number> {
    const minute = await this.perMinute.get(key);
    if (minute && minute.remainingPoints <= 0) return minute.msBeforeNext + 1;
    const hour = await this.perHour.get(key);
    if (hour && hour.remainingPoints <= 0) return hour.msBeforeNext + 1;
    try {
      await this.perMinute.consume(key);
      await this.perHour.consume(key);
      return 0;
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) return rejection.msBeforeNext + 1;
      throw rejection;
    }
  }
}
