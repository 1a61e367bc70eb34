/**
 * The words every library shares: the statuses of runs and steps, as stored, shown by the API
 * and read by playbook expressions (`steps.<id>.status`). One list each; everything else refers
 * to these.
 */
export const RUN_STATUSES = ['queued', 'running', 'waiting', 'succeeded', 'failed', 'cancelled'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
/** A run that has not ended: it may still act, be decided on or be cancelled. */
export const UNFINISHED_RUN_STATUSES: readonly RunStatus[] = ['queued', 'running', 'waiting'];
export const FINISHED_RUN_STATUSES: readonly RunStatus[] = ['succeeded', 'failed', 'cancelled'];

/** `planned`: a dry run's step (the exact request, never sent). */
export const STEP_STATUSES = [
  'pending',
  'running',
  'waiting',
  'succeeded',
  'failed',
  'skipped',
  'planned',
  'cancelled',
] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];
export const FINISHED_STEP_STATUSES: readonly StepStatus[] = ['succeeded', 'failed', 'skipped', 'planned', 'cancelled'];
export const UNFINISHED_STEP_STATUSES: readonly StepStatus[] = ['pending', 'running', 'waiting'];

export function isUnfinishedRun(status: string): boolean {
  return (UNFINISHED_RUN_STATUSES as readonly string[]).includes(status);
}
export function isFinishedStep(status: string): boolean {
  return (FINISHED_STEP_STATUSES as readonly string[]).includes(status);
}
