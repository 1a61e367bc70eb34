import { Global, Module } from '@nestjs/common';
import { LocalRunScheduler } from './local-run-scheduler.js';
import { ResponsesService } from './responses.service.js';
import { RunEvents } from './run-events.js';
import { RunRecovery } from './run-recovery.js';
import { RunScheduler } from './run-scheduler.js';
import { RunStore } from './run-store.js';
import { RunsService } from './runs.service.js';
import { StepListDriver } from './step-list-driver.js';

@Global()
@Module({
  providers: [RunStore, RunEvents, { provide: RunScheduler, useClass: LocalRunScheduler }, StepListDriver, ResponsesService, RunsService, RunRecovery],
  exports: [RunStore, RunEvents, RunScheduler, ResponsesService, RunsService],
})
export class EngineModule {}
