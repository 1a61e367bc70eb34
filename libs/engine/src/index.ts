export * from './run-model.js';
export { RunStore, type NewRun, type NewStep, type RunQuery } from './run-store.js';
export { RunScheduler, type RunDriver, CancelRequested, ShuttingDown } from './run-scheduler.js';
export { RunEvents } from './run-events.js';
export { ResponsesService, StartResponseSchema, type StartResponse } from './responses.service.js';
export { RunsService } from './runs.service.js';
export { EngineModule } from './engine.module.js';
