import { Injectable, Logger } from '@nestjs/common';
import pLimit, { type LimitFunction } from 'p-limit';
import { AppConfig } from '@riposte/config';
import type { RunKind } from './run-model.js';
import { CancelRequested, type RunDriver, RunScheduler, ShuttingDown } from './run-scheduler.js';
import { ClaimLost } from '@riposte/persistence';
import type { ClaimedRun } from './run-store.js';

/** Drives runs in this process, at most `RIPOSTE_RUN_CONCURRENCY` at a time. */
@Injectable()
export class LocalRunScheduler extends RunScheduler {
  readonly exclusive = true;
  private readonly logger = new Logger(LocalRunScheduler.name);
  private readonly drivers = new Map<RunKind, RunDriver>();
  private readonly active = new Map<
    string,
    { controller: AbortController; done: Promise<void>; again: boolean; kind: RunKind; take: () => Promise<void> }
  >();
  private readonly limit: LimitFunction;
  private draining = false;

  private readonly soleProcess: boolean;

  constructor(config: AppConfig) {
    super();
    this.limit = pLimit(config.runConcurrency);
    this.soleProcess = config.database.type === 'sqlite';
  }

  register(kind: RunKind, driver: RunDriver): void {
    this.drivers.set(kind, driver);
  }

  /** On SQLite only: a PostgreSQL database may have other processes of its own, which may cancel a queued run in place. */
  override drivesHere(): boolean {
    return this.soleProcess && !this.draining;
  }

  schedule(runId: string, kind: RunKind, claimed?: ClaimedRun): void {
    if (this.draining) return;
    const running = this.active.get(runId);
    if (running) {
      // Something happened to the run while it was being driven (a decision arrived): drive it once more after.
      running.again = true;
      return;
    }
    const driver = this.drivers.get(kind);
    if (!driver) throw new Error(`No driver for ${kind} runs.`);
    const controller = new AbortController();
    // The drive starts once: in its slot, or at once when the run is cancelled while it waits
    // for one (then the driver only records the cancel, and the slot finds nothing left to do).
    let driving: Promise<void> | undefined;
    const take = () =>
      (driving ??= driver.drive(runId, controller.signal, claimed).catch((error: unknown) => {
        if (error instanceof ClaimLost) this.logger.warn({ runId }, error.message);
        else this.logger.error({ err: error, runId }, 'run driver failed');
      }));
    const entry = { controller, again: false, kind, take, done: Promise.resolve() };
    entry.done = this.limit(take).finally(() => {
      this.active.delete(runId);
      if (entry.again && !controller.signal.aborted) this.schedule(runId, kind);
    });
    this.active.set(runId, entry);
  }

  cancel(runId: string): Promise<void> | null {
    const entry = this.active.get(runId);
    if (!entry) return null;
    entry.controller.abort(new CancelRequested());
    return entry.take();
  }

  isActive(runId: string): boolean {
    return this.active.has(runId);
  }

  async drain(timeoutMs: number): Promise<void> {
    this.draining = true;
    const all = Promise.all([...this.active.values()].map((e) => e.done));
    const timedOut = await Promise.race([
      all.then(() => false),
      new Promise<boolean>((resolve) => setTimeout(resolve, timeoutMs, true).unref()),
    ]);
    if (timedOut) {
      this.logger.warn(`Parking ${this.active.size} run(s) still in flight; they resume at the next start.`);
      for (const entry of this.active.values()) entry.controller.abort(new ShuttingDown());
      await Promise.race([all, new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
    }
  }
}
