export * from './run-model.js';
export {
  RunStore,
  StaleRun,
  LEASE_MS,
  type ClaimedRun,
  type RunLease,
  type NewRun,
  type NewStep,
} from './run-store.js';
export type { RunQuery } from './run-list.js';
export { RunScheduler, type RunDriver, CancelRequested, ShuttingDown, LeaseLost } from './run-scheduler.js';
export { RunEvents } from './run-events.js';
export { ResponsesService, StartResponseSchema, type StartResponse } from './responses.service.js';
export { RunsService } from './runs.service.js';
export {
  PlaybookStore,
  automationView,
  type AutomationView,
  type PlaybookSummary,
  type SavedPlaybook,
} from './playbooks/playbook-store.js';
export { PlaybookFiles, type PlaybookFileStatus } from './playbooks/playbook-files.js';
export {
  PlaybookRunsService,
  type DecidedApproval,
  type StartPlaybookRun,
  type RunTrigger,
} from './playbooks/playbook-runs.service.js';
export { EngineModule } from './engine.module.js';
