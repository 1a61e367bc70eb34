import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type BeforeApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { ActionRunner } from '@riposte/actions';
import { ApprovalHolds } from '@riposte/guardrails';
import { type RunKind, UNFINISHED_RUN_STATUSES } from './run-model.js';
import { RunScheduler } from './run-scheduler.js';
import { RunStore } from './run-store.js';

/**
 * On start, every run that was not finished is driven again; a run held by a guardrail is
 * driven again once its hold is decided; on shutdown, in-flight work finishes or is parked.
 */
@Injectable()
export class RunRecovery implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(RunRecovery.name);

  constructor(
    private readonly store: RunStore,
    private readonly scheduler: RunScheduler,
    private readonly holds: ApprovalHolds,
    private readonly runner: ActionRunner,
  ) {}

  onModuleInit(): void {
    this.holds.onDecided((runIds) => void this.wake(runIds));
  }

  private async wake(runIds: string[]): Promise<void> {
    for (const id of runIds) {
      const run = await this.store.find(id);
      if (run && UNFINISHED_RUN_STATUSES.includes(run.status as never))
        this.scheduler.schedule(id, run.kind as RunKind);
    }
  }

  async onApplicationBootstrap(): Promise<void> {
    // Runs that were being driven are driven again now; parked runs stay in the database until
    // RunWakeups finds them due (by time) or with mail (a decision, a child's end).
    // This process is the only driver of the database: claims a killed process left are let go.
    if (this.scheduler.exclusive) await this.store.releaseAll();
    const runs = await this.store.interrupted();
    for (const run of runs) this.scheduler.schedule(run.id, run.kind as RunKind);
    const waiting = await this.store.parkedCount();
    if (runs.length || waiting)
      this.logger.log(`Resuming ${runs.length} unfinished run(s); ${waiting} wait for an approval, a timer or Azure.`);
  }

  /** Calls in flight may finish as long as they could still take effect at Azure; then the rest is parked. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.scheduler.drain(this.runner.landingBoundMs());
  }
}
