import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { AzureError } from './azure-error.js';
import { DefenderRateLimiter } from './defender-rate-limiter.js';

describe(DefenderRateLimiter.name, () => {
  it('lets calls through up to the per-minute limit, per target and API', async () => {
    const sut = new DefenderRateLimiter({ perMinute: 3, perHour: 100 }, 0);
    for (let i = 0; i < 3; i++) await sut.acquire('target-a', 'isolate');
    await sut.acquire('target-b', 'isolate');
    await sut.acquire('target-a', 'unisolate');
    await expect(sut.acquire('target-a', 'isolate')).rejects.toMatchObject({ code: 'throttled' });
  });

  it('applies the hourly limit too, and says when the next slot frees up', async () => {
    const sut = new DefenderRateLimiter({ perMinute: 100, perHour: 2 }, 0);
    await sut.acquire('t', 'isolate');
    await sut.acquire('t', 'isolate');
    const error = (await sut.acquire('t', 'isolate').catch((e: unknown) => e)) as AzureError;
    expect(error).toBeInstanceOf(AzureError);
    expect(error.details.retryAfterMs).toBeGreaterThan(3_500_000);
    expect(error.message).toMatch(/next slot is in \d+ s/);
  });

  it('waits for a slot when the wait fits within its bound', async () => {
    const sut = new DefenderRateLimiter({ perMinute: 1, perHour: 100 }, 61_000);
    await sut.acquire('t', 'isolate');
    const controller = new AbortController();
    const waiting = sut.acquire('t', 'isolate', controller.signal);
    controller.abort();
    await expect(waiting).rejects.toThrow();
  });
});

describe(`${DefenderRateLimiter.name} in queue mode`, () => {
  // The machine's Redis, under a prefix of this test's own.
  const redis = new Redis(process.env.RIPOSTE_TEST_REDIS_URL || 'redis://127.0.0.1:6379', {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
  });
  const prefix = `riposte-test-limits-${randomBytes(4).toString('hex')}`;
  afterAll(async () => {
    // SCAN, never KEYS: the Redis is shared.
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
    redis.disconnect();
  });

  it('shares one count per target and API among the processes of a cluster', async () => {
    if (redis.status !== 'ready') await once(redis, 'ready');
    const a = new DefenderRateLimiter({ perMinute: 3, perHour: 100 }, 0, { redis, prefix });
    const b = new DefenderRateLimiter({ perMinute: 3, perHour: 100 }, 0, { redis, prefix });
    await a.acquire('target-a', 'isolate');
    await b.acquire('target-a', 'isolate');
    await a.acquire('target-a', 'isolate');
    await expect(b.acquire('target-a', 'isolate')).rejects.toMatchObject({ code: 'throttled' });
    await b.acquire('target-b', 'isolate');
  });

  it('falls back to a count in memory while Redis does not answer', async () => {
    const away = new Redis('redis://127.0.0.1:1', {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      lazyConnect: true,
      retryStrategy: () => null,
    });
    away.on('error', () => undefined);
    const sut = new DefenderRateLimiter({ perMinute: 2, perHour: 100 }, 0, { redis: away, prefix });
    await sut.acquire('t', 'isolate');
    await sut.acquire('t', 'isolate');
    await expect(sut.acquire('t', 'isolate')).rejects.toMatchObject({ code: 'throttled' });
    away.disconnect();
  });
});
