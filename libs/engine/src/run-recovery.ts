import { Injectable, Logger, type OnApplicationBootstrap, type BeforeApplicationShutdown } from '@nestjs/common';
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
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const runs = await this.store.unfinished(['response']);
    if (runs.length) this.logger.log(`Resuming ${runs.length} unfinished run(s).`);
    for (const run of runs) this.scheduler.schedule(run.id, 'response');
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.scheduler.drain(SHUTDOWN_GRACE_MS);
  }
}
