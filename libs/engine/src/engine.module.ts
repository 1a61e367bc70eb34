import { Global, Module } from '@nestjs/common';
import { AzureHttp } from '@riposte/azure';
import { AppConfig } from '@riposte/config';
import { Database } from '@riposte/persistence';
import { LocalRunScheduler } from './local-run-scheduler.js';
import { QueueRunScheduler } from './queue-run-scheduler.js';
import { PlaybookDriver } from './playbooks/playbook-driver.js';
import { PlaybookFiles } from './playbooks/playbook-files.js';
import { PlaybookRunsService } from './playbooks/playbook-runs.service.js';
import { PlaybookStore } from './playbooks/playbook-store.js';
import { ResponsesService } from './responses.service.js';
import { RunEvents } from './run-events.js';
import { RunRecovery } from './run-recovery.js';
import { RunScheduler } from './run-scheduler.js';
import { RunStore } from './run-store.js';
import { RunWakeups } from './run-wakeups.js';
import { RunsService } from './runs.service.js';
import { StepListDriver } from './step-list-driver.js';

@Global()
@Module({
  providers: [
    RunStore,
    RunEvents,
    {
      // Queue mode (Redis with PostgreSQL) hands runs to the cluster's workers; otherwise they are driven here.
      provide: RunScheduler,
      inject: [AppConfig, Database, RunStore, AzureHttp],
      useFactory: (config: AppConfig, db: Database, store: RunStore, http: AzureHttp): RunScheduler =>
        config.queue ? new QueueRunScheduler(config, db, store, http) : new LocalRunScheduler(config),
    },
    RunWakeups,
    StepListDriver,
    PlaybookStore,
    PlaybookFiles,
    PlaybookDriver,
    PlaybookRunsService,
    ResponsesService,
    RunsService,
    RunRecovery,
  ],
  exports: [
    RunStore,
    RunEvents,
    RunScheduler,
    ResponsesService,
    RunsService,
    PlaybookStore,
    PlaybookFiles,
    PlaybookRunsService,
  ],
})
export class EngineModule {}
