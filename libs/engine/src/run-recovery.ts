import { Injectable, Logger, type OnApplicationBootstrap, type BeforeApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { ApprovalHolds } from '@riposte/guardrails';
import { Database, RunInboxEntity } from '@riposte/persistence';
import { type RunKind, UNFINISHED_RUN_STATUSES } from './run-model.js';
import { RunTimers } from './playbooks/run-timers.js';
import { RunScheduler } from './run-scheduler.js';
import { RunStore } from './run-store.js';

const SHUTDOWN_GRACE_MS = 10_000;

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
    private readonly timers: RunTimers,
    private readonly db: Database,
    private readonly holds: ApprovalHolds,
  ) {}

  onModuleInit(): void {
    this.holds.onDecided((runIds) => void this.wake(runIds));
  }

  private async wake(runIds: string[]): Promise<void> {
    for (const id of runIds) {
      const run = await this.store.find(id);
      if (run && UNFINISHED_RUN_STATUSES.includes(run.status as never)) this.scheduler.schedule(id, run.kind as RunKind);
    }
  }

  async onApplicationBootstrap(): Promise<void> {
    const runs = await this.store.unfinished(['response', 'playbook']);
    const inbox = new Set((await this.db.reader.find(RunInboxEntity, { select: { runId: true } })).map((i) => i.runId));
    let resumed = 0;
    for (const run of runs) {
      const kind = run.kind as 'response' | 'playbook';
      // A parked run sleeps on until its timer or an event; anything else is driven again now.
      if (run.status === 'waiting' && !inbox.has(run.id)) {
        if (run.wakeAt) this.timers.set(run.id, Date.parse(run.wakeAt));
        continue;
      }
      this.scheduler.schedule(run.id, kind);
      resumed += 1;
    }
    const waiting = runs.length - resumed;
    if (runs.length) this.logger.log(`Resuming ${resumed} unfinished run(s); ${waiting} wait for an approval or a timer.`);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.scheduler.drain(SHUTDOWN_GRACE_MS);
  }
}
