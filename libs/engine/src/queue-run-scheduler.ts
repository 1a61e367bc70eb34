import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { type Job, Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { AzureHttp } from '@riposte/azure';
import { AppConfig } from '@riposte/config';
import { ClaimLost, Database } from '@riposte/persistence';
import { isUnfinishedRun } from '@riposte/vocabulary';
import type { RunKind } from './run-model.js';
import { CancelRequested, LeaseLost, type RunDriver, RunScheduler, ShuttingDown } from './run-scheduler.js';
import { RunStore } from './run-store.js';

/** A run's claim in queue mode: a worker that stops renewing it (killed, stalled) loses it this soon. */
export const QUEUE_LEASE_MS = 8_000;
/** How often the claims of the runs driven here are renewed. */
const HEARTBEAT_MS = 2_000;
/** No Azure call leaves later than this before the claims renewed last may run out (time to reach Azure, clocks a little apart). */
const SEND_MARGIN_MS = 2_000;
/** BullMQ's lock on a job being processed, and how often workers look for jobs whose worker stopped renewing it. */
const JOB_LOCK_MS = 8_000;
const STALLED_CHECK_MS = 4_000;
/** How often the database is swept for runs that should be driven and are not (a lost job, a killed worker). */
const SWEEP_MS = 2_000;
/** A run created this recently has its job on the way: the sweep leaves it alone. */
const SWEEP_GRACE_MS = 5_000;
const SWEEP_BATCH = 1_000;
/** A parked run's delayed job has this long past its due time before RunWakeups queues the run anyway (a Redis restart lost the job). */
const WAKE_GRACE_MS = 5_000;
/** Wake-up jobs done are kept this long (seconds) and at most this many: an operator (and the tests) can see which woke what. */
const KEEP_WAKE_JOBS = { age: 600, count: 1_000 };
const QUEUE_NAME = 'runs';

/*
 * Queue mode runs on PostgreSQL only: its statements are prepared once per connection (no query
 * building per job, per sweep, per renewal) and a single statement is its own transaction.
 */
/** What a job, a wake-up or a queueing needs of a run. */
const RUN_STATE_SQL = 'SELECT id, kind, status, version, "wakeAt" FROM runs WHERE id = $1';
/** The sweep: claim ran out (its worker stopped, or let go without a transition), or never claimed for a while. */
const SWEEP_SQL = `SELECT id, version FROM runs
  WHERE (status IN ('queued', 'running') AND "leaseUntil" < $1)
    OR (status = 'running' AND "leaseOwner" IS NULL)
    OR (status = 'queued' AND "leaseOwner" IS NULL AND "createdAt" < $2)
  ORDER BY "createdAt" LIMIT ${SWEEP_BATCH}`;
/** Renews the claims of the runs driven here ($2: their ids, a JSON array), only those that still hold: one that ran out may be another worker's by now. */
const RENEW_SQL = `UPDATE runs SET "leaseUntil" = $1
  WHERE id IN (SELECT json_array_elements_text($2::json)) AND "leaseOwner" IS NOT NULL AND "leaseUntil" > $3`;

interface RunState {
  id: string;
  kind: string;
  status: string;
  version: number;
  wakeAt: string | null;
}

/** What a job carries: the run, and the version it had when the job was made. Nothing else: the database is the truth. */
export interface RunJob {
  runId: string;
  version: number;
}

/**
 * Queue mode: runs are dispatched through a BullMQ queue on Redis to the worker processes of a
 * cluster sharing one PostgreSQL database. PostgreSQL stays the only source of truth; a job is a
 * nudge ("drive run R, which was at version V"), deduplicated by that pair:
 *
 * - a worker that takes a job reads the run; a run at another version has moved on since the job
 *   was made (another worker drove it), so the job is stale and stops;
 * - the driver then claims the run with the run store's lease, and each of its writes is fenced by
 *   it, as in the embedded mode; here the lease is short and renewed every few seconds while the
 *   run is driven, so a killed worker's runs are taken over within about ten seconds;
 * - a sweep (every process, every two seconds) re-enqueues what the database says should be
 *   driven and may have no job: runs queued or running whose claim is free or has run out (a job
 *   lost with a Redis restart, a worker killed). Parked runs that are due (timers, retries, the
 *   next check of a machine action, approval timeouts) or have mail are found by RunWakeups,
 *   which enqueues them the same way;
 * - destructive calls keep the effect ledger: a run taken over reconciles an effect left in
 *   flight with Azure before anything is sent again.
 *
 * An `api` process only enqueues; `worker` and `all` processes also drive.
 */
@Injectable()
export class QueueRunScheduler extends RunScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly exclusive = false;
  override readonly wakeGraceMs = WAKE_GRACE_MS;
  private readonly logger = new Logger(QueueRunScheduler.name);
  private readonly drivers = new Map<RunKind, RunDriver>();
  private readonly active = new Map<string, { controller: AbortController; done: Promise<void> }>();
  private readonly connection: Redis;
  private readonly queue: Queue<RunJob>;
  private worker: Worker<RunJob> | undefined;
  /** Workers listen here for cancels asked of another process (`<prefix>:cancel`, the run id). */
  private subscriber: Redis | undefined;
  private readonly cancelChannel: string;
  private heartbeat: NodeJS.Timeout | undefined;
  private sweeper: NodeJS.Timeout | undefined;
  private lastBeat = Date.now();
  /** Until when every claim of the runs driven here holds for sure (the start of the last renewal, plus a claim's length). */
  private claimsHoldUntil = 0;
  private sweeping = false;
  private draining = false;

  constructor(
    private readonly config: AppConfig,
    private readonly db: Database,
    private readonly store: RunStore,
    http: AzureHttp,
  ) {
    super();
    http.addSendCheck(() => this.sendRefusal());
    const queue = config.queue;
    if (!queue) throw new Error('QueueRunScheduler needs queue mode (RIPOSTE_REDIS_URL).');
    store.leaseMs = QUEUE_LEASE_MS;
    // A claim's writes (run, steps, effect ledger) count only while it would still let a call be sent.
    store.fenceMarginMs = SEND_MARGIN_MS;
    this.cancelChannel = `${queue.prefix}:cancel`;
    // BullMQ's blocking commands need retries without a bound: a Redis restart is waited out.
    this.connection = new Redis(queue.url, { maxRetriesPerRequest: null });
    this.connection.on('error', (error: Error) => this.logger.warn(`Redis: ${error.message}`));
    this.queue = new Queue<RunJob>(QUEUE_NAME, {
      connection: this.connection,
      prefix: `${queue.prefix}:bull`,
      defaultJobOptions: { removeOnComplete: true, removeOnFail: true, attempts: 1 },
    });
    this.queue.on('error', (error: Error) => this.logger.warn(`run queue: ${error.message}`));
  }

  get drives(): boolean {
    return this.config.role !== 'api';
  }

  register(kind: RunKind, driver: RunDriver): void {
    this.drivers.set(kind, driver);
  }

  schedule(runId: string, _kind: RunKind): void {
    if (this.draining) return;
    this.enqueue(runId).catch((error: unknown) =>
      this.logger.warn({ err: error, runId }, 'a run could not be queued now; the sweep queues it again'),
    );
  }

  cancel(runId: string): Promise<void> | null {
    const entry = this.active.get(runId);
    if (!entry) return null;
    entry.controller.abort(new CancelRequested());
    return entry.done;
  }

  /**
   * A parked run's due time becomes a BullMQ delayed job (`<runId>-v<version>-at`: adding it again
   * adds nothing). Read back from the database, which stays the one place the due time is kept;
   * a job for a version the run has left (woken early by a decision, cancelled) is stale and stops.
   */
  override wakeAt(runId: string, _at: number): boolean {
    this.addWakeUp(runId).catch((error: unknown) =>
      this.logger.warn({ err: error, runId }, 'a wake-up job could not be added; RunWakeups queues the run when due'),
    );
    return true;
  }

  private async addWakeUp(runId: string): Promise<void> {
    const run = await this.read(runId);
    if (run?.status !== 'waiting' || !run.wakeAt) return;
    const data: RunJob = { runId, version: run.version };
    await this.queue.add('wake', data, {
      jobId: `${runId}-v${run.version}-at`,
      delay: Math.max(0, Date.parse(run.wakeAt) - Date.now()),
      removeOnComplete: KEEP_WAKE_JOBS,
    });
  }

  override async cancelElsewhere(runId: string): Promise<boolean> {
    await this.connection.publish(this.cancelChannel, runId);
    return true;
  }

  isActive(runId: string): boolean {
    return this.active.has(runId);
  }

  onApplicationBootstrap(): void {
    const queue = this.config.queue!;
    if (this.drives) {
      this.worker = new Worker<RunJob>(QUEUE_NAME, (job) => this.process(job), {
        connection: new Redis(queue.url, { maxRetriesPerRequest: null }),
        prefix: `${queue.prefix}:bull`,
        concurrency: this.config.runConcurrency,
        lockDuration: JOB_LOCK_MS,
        stalledInterval: STALLED_CHECK_MS,
        // A stalled job is put back, never failed for it: processing it again is harmless (fenced).
        maxStalledCount: 1_000,
      });
      this.worker.on('error', (error: Error) => this.logger.warn(`run worker: ${error.message}`));
      this.subscriber = new Redis(queue.url, { maxRetriesPerRequest: null });
      this.subscriber.on('error', (error: Error) => this.logger.warn(`Redis (cancels): ${error.message}`));
      this.subscriber.on('message', (_channel: string, runId: string) => this.cancel(runId));
      void this.subscriber
        .subscribe(this.cancelChannel)
        .catch((error: unknown) => this.logger.warn({ err: error }, 'listening for cancels failed'));
      this.heartbeat = setInterval(() => void this.beat(), HEARTBEAT_MS);
      this.heartbeat.unref();
    }
    this.sweeper = setInterval(() => void this.sweep(), SWEEP_MS);
    this.sweeper.unref();
  }

  /** Stops taking jobs; waits for the runs in flight, then parks the rest (they are taken over or resumed). */
  async drain(timeoutMs: number): Promise<void> {
    this.draining = true;
    clearInterval(this.sweeper);
    if (!this.worker) return;
    const closing = this.worker.close();
    const timedOut = await Promise.race([
      closing.then(() => false),
      new Promise<boolean>((resolve) => setTimeout(resolve, timeoutMs, true).unref()),
    ]);
    if (timedOut) {
      this.logger.warn(`Parking ${this.active.size} run(s) still in flight; another worker takes them over.`);
      for (const entry of this.active.values()) entry.controller.abort(new ShuttingDown());
      await Promise.race([closing, new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.sweeper);
    clearInterval(this.heartbeat);
    await this.worker?.close(true).catch(() => undefined);
    await this.queue.close().catch(() => undefined);
    this.subscriber?.disconnect();
    this.connection.disconnect();
  }

  private async read(runId: string): Promise<RunState | undefined> {
    return (await this.db.all<RunState>(this.db.reader, RUN_STATE_SQL, [runId]))[0];
  }

  private async enqueue(runId: string): Promise<void> {
    const run = await this.read(runId);
    if (run && isUnfinishedRun(run.status)) await this.add([{ runId, version: run.version }]);
  }

  private async add(jobs: RunJob[]): Promise<void> {
    if (jobs.length === 0) return;
    // The job id is the run at its version: asking again for the same run at the same version adds nothing.
    await this.queue.addBulk(
      jobs.map((data) => ({ name: 'drive', data, opts: { jobId: `${data.runId}-v${data.version}` } })),
    );
  }

  private async process(job: Job<RunJob>): Promise<string> {
    const { runId, version } = job.data;
    const run = await this.read(runId);
    if (!run || !isUnfinishedRun(run.status)) return 'ended';
    // Moved on since the job was made: whoever moved it drives it, or the sweep queues it at its new version.
    if (run.version !== version || this.active.has(runId)) return 'stale';
    const driver = this.drivers.get(run.kind as RunKind);
    if (!driver) throw new Error(`No driver for ${run.kind} runs.`);
    const controller = new AbortController();
    // Its claim, made next, holds at least this long (runs given up after a stall no longer count).
    if (this.live().length === 0) this.claimsHoldUntil = Date.now() + QUEUE_LEASE_MS;
    const done = driver
      .drive(runId, controller.signal)
      .catch((error: unknown) => {
        if (error instanceof ClaimLost) this.logger.warn({ runId }, error.message);
        else this.logger.error({ err: error, runId }, 'run driver failed');
      })
      .finally(() => this.active.delete(runId));
    this.active.set(runId, { controller, done });
    await done;
    return 'driven';
  }

  /**
   * Made just before each Azure call leaves: once the claims of the runs driven here may have run
   * out (the event loop stalled, the database did not answer the renewals), nothing more is sent;
   * the runs are given up (parked without a write) and whoever takes them over reconciles.
   */
  private sendRefusal(): string | null {
    if (this.active.size === 0 || Date.now() < this.claimsHoldUntil - SEND_MARGIN_MS) return null;
    this.logger.warn(`Claims not renewed in time: ${this.active.size} run(s) given up, nothing more sent from here.`);
    for (const entry of this.active.values()) entry.controller.abort(new LeaseLost());
    return 'This worker could not renew its claim on the run in time; the call was not sent and the run is left to the worker that takes it over.';
  }

  /** Renews the claims of the runs driven here; after a stall longer than a claim lasts, gives them up instead. */
  private async beat(): Promise<void> {
    const now = Date.now();
    const since = now - this.lastBeat;
    this.lastBeat = now;
    if (since > QUEUE_LEASE_MS) {
      this.logger.warn(`This worker stalled for ${since} ms, past its claims; its runs are left to the others.`);
      for (const entry of this.active.values()) entry.controller.abort(new LeaseLost());
      return;
    }
    // Runs given up (a refused call) are not renewed: their drivers are stopping and must not write.
    const ids = this.live();
    if (ids.length === 0) {
      this.claimsHoldUntil = now + QUEUE_LEASE_MS;
      return;
    }
    try {
      await this.db.runAlone(RENEW_SQL, [
        new Date(now + QUEUE_LEASE_MS).toISOString(),
        JSON.stringify(ids),
        new Date(now).toISOString(),
      ]);
      this.claimsHoldUntil = Math.max(this.claimsHoldUntil, now + QUEUE_LEASE_MS);
    } catch (error) {
      this.logger.warn({ err: error }, 'renewing run claims failed; trying again');
    }
  }

  /** The runs driven here and not given up. */
  private live(): string[] {
    return [...this.active].filter(([, entry]) => !entry.controller.signal.aborted).map(([runId]) => runId);
  }

  /** Queues what the database says should be driven now and may have no job (a lost job, a killed worker's runs). */
  private async sweep(): Promise<void> {
    if (this.sweeping || this.draining) return;
    this.sweeping = true;
    try {
      const now = Date.now();
      const rows = await this.db.all<{ id: string; version: number }>(this.db.reader, SWEEP_SQL, [
        new Date(now).toISOString(),
        new Date(now - SWEEP_GRACE_MS).toISOString(),
      ]);
      await this.add(rows.map((r) => ({ runId: r.id, version: r.version })));
    } catch (error) {
      this.logger.warn({ err: error }, 'sweeping for runs without a job failed; trying again');
    } finally {
      this.sweeping = false;
    }
  }
}
