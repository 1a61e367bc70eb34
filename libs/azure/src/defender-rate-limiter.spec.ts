import { describe, expect, it } from 'vitest';
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
