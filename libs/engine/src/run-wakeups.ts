import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Database, nowIso } from '@riposte/persistence';
import type { RunKind } from './run-model.js';
import { RunScheduler } from './run-scheduler.js';

const MAX_TIMEOUT_MS = 2 ** 31 - 1;
/** How often the database is asked anyway: catches what no notice in this process announced (another process, a lost notice). */
const POLL_MS = 2_000;
/** Due runs handed to the scheduler per look; the rest are found at the next one. */
const BATCH = 1_000;
/* Every process looks every few seconds: its statements are prepared once, not built each time. */
const DUE_SQL = `SELECT id, kind FROM runs WHERE status = 'waiting' AND "wakeAt" <= $1 ORDER BY "wakeAt" LIMIT ${BATCH}`;
const MAIL_SQL = `SELECT id, kind FROM runs WHERE status = 'waiting' AND id IN (SELECT "runId" FROM run_inbox) LIMIT ${BATCH}`;
const NEXT_SQL = `SELECT MIN("wakeAt") AS next FROM runs WHERE status = 'waiting' AND "wakeAt" > $1`;

/**
 * Wakes parked runs from what the database says, not from memory: a run that is due
 * (`wakeAt` has passed: a wait, an approval timeout, a retry's next attempt, the next check of a
 * machine action) or that has something in its inbox (a decision, a child run's end). A parked
 * run costs nothing here: one JS timer is armed for the earliest due time known, and the
 * database is asked again at that time and every few seconds. A process that parks a run
 * announces its due time (`parked`) so it is woken on time without waiting for the next look.
 *
 * In queue mode the scheduler wakes a parked run itself (a BullMQ delayed job at its due time);
 * the looks here are then the safety net (a Redis restart lost the job): they queue a due run
 * only once it is `wakeGraceMs` late.
 */
@Injectable()
export class RunWakeups implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RunWakeups.name);
  private timer: NodeJS.Timeout | undefined;
  private armedFor = Number.POSITIVE_INFINITY;
  private looking: Promise<void> | null = null;
  private again = false;
  private stopped = true;

  constructor(
    private readonly db: Database,
    private readonly scheduler: RunScheduler,
  ) {}

  onApplicationBootstrap(): void {
    this.stopped = false;
    this.arm(Date.now());
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** A run was parked until `at` (epoch ms), or until an event (null). */
  parked(runId: string, at: number | null): void {
    if (at !== null && !this.scheduler.wakeAt(runId, at)) this.arm(at);
  }

  /** Looks now (an inbox row was written in this process for a run that may be parked). */
  poke(): void {
    this.arm(Date.now());
  }

  private arm(at: number): void {
    if (this.stopped || at >= this.armedFor) return;
    clearTimeout(this.timer);
    this.armedFor = at;
    this.timer = setTimeout(() => void this.fire(), Math.min(MAX_TIMEOUT_MS, Math.max(0, at - Date.now())));
    this.timer.unref();
  }

  private async fire(): Promise<void> {
    this.armedFor = Number.POSITIVE_INFINITY;
    if (this.looking) {
      this.again = true;
      return;
    }
    let next = Date.now() + POLL_MS;
    this.looking = this.look()
      .then((due) => {
        if (due !== null) next = Math.min(next, due);
      })
      .catch((error: unknown) => this.logger.error({ err: error }, 'looking for due runs failed'))
      .finally(() => {
        this.looking = null;
        if (this.again) {
          this.again = false;
          next = Date.now();
        }
        this.arm(next);
      });
    await this.looking;
  }

  /** Schedules the runs that are due or have mail; returns the next due time after now, if any. */
  private async look(): Promise<number | null> {
    const now = nowIso();
    const grace = this.scheduler.wakeGraceMs;
    const late = grace > 0 ? new Date(Date.now() - grace).toISOString() : now;
    const due = await this.db.all<{ id: string; kind: string }>(this.db.reader, DUE_SQL, [late]);
    const mail = await this.db.all<{ id: string; kind: string }>(this.db.reader, MAIL_SQL, []);
    for (const run of [...due, ...mail])
      if (!this.scheduler.isActive(run.id)) this.scheduler.schedule(run.id, run.kind as RunKind);
    if (due.length === BATCH) return Date.now();
    const [next] = await this.db.all<{ next: string | null }>(this.db.reader, NEXT_SQL, [now]);
    return next?.next ? Date.parse(next.next) : null;
  }
}
