/** Run and step vocabulary shared by simple responses, reverts and playbook runs. */
import type { RunStatus, StepStatus } from '@riposte/vocabulary';

export { RUN_STATUSES, UNFINISHED_RUN_STATUSES, type RunStatus, type StepStatus } from '@riposte/vocabulary';

export type RunKind = 'response' | 'playbook';
export type TriggerType = 'api' | 'alert' | 'revert' | 'playbook';

export interface StepView {
  id: string;
  action: string | null;
  status: StepStatus;
  attempts: number;
  input: Record<string, unknown> | null;
  output: unknown;
  error: { code: string; message: string } | null;
  startedAt: string | null;
  endedAt: string | null;
}

export interface RunView {
  id: string;
  kind: RunKind;
  playbook?: { id: string; version: number };
  status: RunStatus;
  trigger: { type: TriggerType; by?: string; alertId?: string; revertOf?: string; parentRunId?: string };
  dryRun: boolean;
  connectionTarget: string | null;
  reason: string | null;
  input: Record<string, unknown> | null;
  output: Record<string, unknown> | null;
  error: { code: string; message: string } | null;
  createdAt: string;
  startedAt: string | null;
  endedAt: string | null;
  steps: StepView[];
}

export type RunSummary = Omit<RunView, 'steps'>;

/** A run to create (RunStore.create). */
export interface NewRun {
  kind: RunKind;
  triggerType: TriggerType;
  triggerBy: string | null;
  triggerRole: string | null;
  connectionTarget: string | null;
  dryRun: boolean;
  reason?: string | null;
  input?: Record<string, unknown> | null;
  playbookId?: string | null;
  playbookVersion?: number | null;
  alertId?: string | null;
  revertOf?: string | null;
  parentRunId?: string | null;
  parentStepKey?: string | null;
  throttleKey?: string | null;
  /** Recorded as failed at once (an alert's trigger matched but the run could not start): visible, never silently dropped. */
  failure?: { code: string; message: string };
}

/** A step of a run to create, in order. */
export interface NewStep {
  stepKey: string;
  stepId?: string;
  action: string | null;
  connectionTarget?: string | null;
  input: Record<string, unknown> | null;
}
