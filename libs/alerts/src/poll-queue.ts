import { Logger } from '@nestjs/common';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';

const QUEUE_NAME = 'polls';

/**
 * Queue mode: each enabled feed (a connection target's alerts or incidents) is a BullMQ job
 * scheduler, so it is polled once per interval by the whole cluster, by whichever api process
 * takes the job, instead of once per process. The schedule lives in Redis; the feed's state
 * (watermark, cooldown, status) stays in PostgreSQL. A Redis restart loses the schedules: every
 * api process puts them back every minute (putting back an unchanged one changes nothing).
 */
export class PollQueue {
  private readonly logger = new Logger('azure-security');
  private readonly connection: Redis;
  private readonly queue: Queue<{ id: string }>;
  private worker: Worker<{ id: string }> | undefined;

  constructor(
    private readonly url: string,
    private readonly prefix: string,
  ) {
    this.connection = new Redis(url, { maxRetriesPerRequest: null });
    this.connection.on('error', () => undefined);
    this.queue = new Queue(QUEUE_NAME, {
      connection: this.connection,
      prefix: `${prefix}:bull`,
      defaultJobOptions: { removeOnComplete: true, removeOnFail: true },
    });
    this.queue.on('error', (error: Error) => this.logger.warn(`poll queue: ${error.message}`));
  }

  /** Takes poll jobs in this process (api and all roles). */
  work(poll: (feedId: string, jobId: string) => Promise<void>): void {
    this.worker = new Worker<{ id: string }>(QUEUE_NAME, (job) => poll(job.data.id, job.id ?? ''), {
      connection: new Redis(this.url, { maxRetriesPerRequest: null }),
      prefix: `${this.prefix}:bull`,
      concurrency: 4,
    });
    this.worker.on('error', (error: Error) => this.logger.warn(`poll worker: ${error.message}`));
  }

  /** The feed is polled every `everyMs` by the cluster (the first poll at once); `now`: one more poll at once. */
  async schedule(feedId: string, everyMs: number, now = false): Promise<void> {
    await this.queue.upsertJobScheduler(`feed-${feedId}`, { every: everyMs }, { name: 'poll', data: { id: feedId } });
    if (now) await this.queue.add('poll', { id: feedId });
  }

  async unschedule(feedId: string): Promise<void> {
    await this.queue.removeJobScheduler(`feed-${feedId}`);
  }

  /** How many feeds have a schedule (the cluster's, not this process's). */
  schedules(): Promise<number> {
    return this.queue.getJobSchedulersCount();
  }

  async close(): Promise<void> {
    await this.worker?.close().catch(() => undefined);
    await this.queue.close().catch(() => undefined);
    this.connection.disconnect();
  }
}
