import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';

/** A slot not renewed for this long (its process was killed or stalled) is free again; held slots are renewed at a third of it. */
const SLOT_TTL_MS = 15_000;
/** How often a process waiting for a slot asks again. */
const RETRY_MS = 20;

// Frees expired slots, then takes one if fewer than the limit are held: atomic in Redis.
const TAKE = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], ARGV[3], ARGV[4])
  redis.call('PEXPIRE', KEYS[1], ARGV[5])
  return 1
end
return 0
`;
const TAKE_COMMAND = 'riposteTakeGraphSlot';
type SlotCommands = Record<typeof TAKE_COMMAND, (key: string, ...args: (string | number)[]) => Promise<number>>;

/**
 * Queue mode: Graph requests in flight per tenant, counted for the whole cluster in Redis (a
 * sorted set of slot holders per tenant, each with its expiry), on top of each process's own
 * count. A process takes a slot before a request leaves and gives it back when the answer is in,
 * renewing it meanwhile; a slot of a killed process frees itself within 15 s. While Redis does
 * not answer, the process goes on with its own count only (it does not stop calling Graph).
 */

export class GraphSlots {
  /** Slots held by this process: holder → key. */
  private readonly held = new Map<string, string>();
  private renewal: NodeJS.Timeout | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly limit: number,
    private readonly ttlMs = SLOT_TTL_MS,
  ) {
    // A script registered once and called by its hash (EVALSHA): Redis keeps it compiled, and
    // each take sends only its arguments.
    redis.defineCommand(TAKE_COMMAND, { numberOfKeys: 1, lua: TAKE });
  }

  private renew(): void {
    if (this.held.size === 0) {
      clearInterval(this.renewal);
      this.renewal = undefined;
      return;
    }
    const until = Date.now() + this.ttlMs;
    const pipeline = this.redis.pipeline();
    for (const [holder, key] of this.held) pipeline.zadd(key, 'XX', until, holder).pexpire(key, this.ttlMs);
    pipeline.exec().catch(() => undefined);
  }

  private hold(holder: string, key: string): () => void {
    this.held.set(holder, key);
    if (!this.renewal) {
      this.renewal = setInterval(() => this.renew(), Math.max(10, Math.floor(this.ttlMs / 3)));
      this.renewal.unref();
    }
    return () => {
      this.held.delete(holder);
      void this.redis.zrem(key, holder).catch(() => undefined);
    };
  }

  /** Waits for a slot of the tenant; returns the function that gives it back. */
  async take(tenant: string, signal?: AbortSignal): Promise<() => void> {
    const key = `${this.prefix}:graph-slots:${tenant}`;
    const holder = randomUUID();
    for (;;) {
      const now = Date.now();
      let taken: number;
      try {
        taken = await (this.redis as unknown as SlotCommands)[TAKE_COMMAND](
          key,
          now,
          this.limit,
          now + this.ttlMs,
          holder,
          this.ttlMs,
        );
      } catch {
        return () => undefined;
      }
      if (taken === 1) return this.hold(holder, key);
      if (signal?.aborted) throw signal.reason;
      await sleep(RETRY_MS);
    }
  }
}
