import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GraphSlots } from './graph-slots.js';

/* Two processes of a cluster (two GraphSlots on one Redis prefix): one count per tenant. The machine's Redis, under a prefix of this test's own. */
const redis = new Redis(process.env.RIPOSTE_TEST_REDIS_URL || 'redis://127.0.0.1:6379', {
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
});
const prefix = `riposte-test-slots-${randomBytes(4).toString('hex')}`;

beforeAll(async () => {
  if (redis.status !== 'ready') await once(redis, 'ready');
});
afterAll(async () => {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) await redis.del(...keys);
  } while (cursor !== '0');
  redis.disconnect();
});

describe(GraphSlots.name, () => {
  it('lets the processes of a cluster hold at most the limit of a tenant, the next waiting for a slot given back', async () => {
    const a = new GraphSlots(redis, prefix, 2);
    const b = new GraphSlots(redis, prefix, 2);
    const first = await a.take('tenant-1');
    await b.take('tenant-1');
    let third = false;
    const waiting = a.take('tenant-1').then((release) => {
      third = true;
      return release;
    });
    // Another tenant has slots of its own.
    (await b.take('tenant-2'))();
    expect(await redis.zcard(`${prefix}:graph-slots:tenant-1`)).toBe(2);
    expect(third).toBe(false);
    first();
    (await waiting)();
    expect(third).toBe(true);
  });

  it('keeps a slot held while it is renewed, and frees the slot of a process that stopped renewing it (killed)', async () => {
    const holding = new GraphSlots(redis, prefix, 1, 300);
    const held = await holding.take('tenant-5');
    // Renewed past its first expiry: still held.
    const score = async () =>
      Number(
        await redis.zscore(
          `${prefix}:graph-slots:tenant-5`,
          (await redis.zrange(`${prefix}:graph-slots:tenant-5`, 0, 0))[0]!,
        ),
      );
    const firstExpiry = await score();
    for (const deadline = Date.now() + 5_000; (await score()) <= firstExpiry;) {
      if (Date.now() > deadline) throw new Error('the slot was not renewed');
      await new Promise((r) => setTimeout(r, 20));
    }
    held();

    // A process killed holding a slot: its connection is gone, nothing renews the slot.
    const killed = new Redis(process.env.RIPOSTE_TEST_REDIS_URL || 'redis://127.0.0.1:6379', {
      enableOfflineQueue: false,
    });
    await once(killed, 'ready');
    await new GraphSlots(killed, prefix, 1, 300).take('tenant-3');
    killed.disconnect();
    const alive = new GraphSlots(redis, prefix, 1, 300);
    const release = await alive.take('tenant-3');
    release();
    expect(await redis.zcard(`${prefix}:graph-slots:tenant-3`)).toBeLessThanOrEqual(1);
  });

  it('does not stop Graph calls while Redis does not answer', async () => {
    const away = new Redis('redis://127.0.0.1:1', {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      lazyConnect: true,
      retryStrategy: () => null,
    });
    away.on('error', () => undefined);
    const release = await new GraphSlots(away, prefix, 1).take('tenant-4');
    expect(typeof release).toBe('function');
    away.disconnect();
  });
});
