import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { PollQueue } from './poll-queue.js';

/*
 * Two api processes of one cluster (two PollQueues on one Redis prefix, both taking jobs, both
 * scheduling the same feed): the feed has one schedule, and each of its polls is made by one of
 * them only. The machine's Redis, under a prefix of this test's own.
 */
const url = process.env.RIPOSTE_TEST_REDIS_URL || 'redis://127.0.0.1:6379';
const prefix = `riposte-test-polls-${randomBytes(4).toString('hex')}`;
const queues: PollQueue[] = [];

afterAll(async () => {
  for (const q of queues) await q.close();
  const redis = new Redis(url);
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) await redis.del(...keys);
  } while (cursor !== '0');
  redis.disconnect();
});

describe(PollQueue.name, () => {
  it('polls a feed scheduled by two processes once per interval, each poll in one process', async () => {
    const polls: { process: number; feed: string; job: string }[] = [];
    for (const n of [0, 1]) {
      const queue = new PollQueue(url, prefix);
      queues.push(queue);
      queue.work(async (feed, job) => void polls.push({ process: n, feed, job }));
    }
    await Promise.all(queues.map((q) => q.schedule('feed-a', 250)));
    await queues[1]!.schedule('feed-a', 250);
    for (const deadline = Date.now() + 20_000; polls.length < 6;) {
      if (Date.now() > deadline) throw new Error(`only ${polls.length} polls`);
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(await queues[0]!.schedules()).toBe(1);
    expect(new Set(polls.map((p) => p.job)).size).toBe(polls.length);
    expect(polls.every((p) => p.feed === 'feed-a')).toBe(true);

    await queues[0]!.unschedule('feed-a');
    expect(await queues[1]!.schedules()).toBe(0);
  });
});
