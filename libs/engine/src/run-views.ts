import type { RunEntity, StepEntity } from '@riposte/persistence';
import type { RunKind, RunStatus, RunSummary, StepStatus, StepView, TriggerType } from './run-model.js';

/** Runs and steps as the API shows them. */

export function toSummary(run: RunEntity): RunSummary {
  return {
    id: run.id,
    kind: run.kind as RunKind,
    ...(run.playbookId ? { playbook: { id: run.playbookId, version: run.playbookVersion ?? 0 } } : {}),
    status: run.status as RunStatus,
    trigger: {
      type: run.triggerType as TriggerType,
      ...(run.triggerBy ? { by: run.triggerBy } : {}),
      ...(run.alertId ? { alertId: run.alertId } : {}),
      ...(run.revertOf ? { revertOf: run.revertOf } : {}),
      ...(run.parentRunId ? { parentRunId: run.parentRunId } : {}),
    },
    dryRun: Boolean(run.dryRun),
    connectionTarget: run.connectionTarget,
    reason: run.reason,
    input: run.input,
    output: run.output,
    error: run.error,
    createdAt: run.createdAt,
    startedAt: run.startedAt,
    endedAt: run.endedAt,
  };
}

export function toStepView(step: StepEntity): StepView {
  return {
    id: step.stepKey,
    action: step.action,
    status: step.status as StepStatus,
    attempts: step.attempts,
    input: step.input,
    output: step.output ?? null,
    error: step.error,
    startedAt: step.startedAt,
    endedAt: step.endedAt,
  };
}
