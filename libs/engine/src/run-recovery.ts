import { Injectable, Logger, type OnApplicationBootstrap, type BeforeApplicationShutdown } from '@nestjs/common';
import { Database, RunInboxEntity } from '@riposte/persistence';
import { RunTimers } from './playbooks/run-timers.js';
import { RunScheduler } from './run-scheduler.js';
import { RunStore } from './run-store.js';

const SHUTDOWN_GRACE_MS = 10_000;

/** On start, every run that was not finished is driven again; on shutdown, in-flight work finishes or is parked. */
@Injectable()
export class RunRecovery implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(RunRecovery.name);

  constructor(
    private readonly store: RunStore,
    private readonly scheduler: RunScheduler,
    private readonly timers: RunTimers,
    private readonly db: Database,
  ) {}

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
