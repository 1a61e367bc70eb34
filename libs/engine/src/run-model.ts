/** Run and step vocabulary shared by simple responses, reverts and playbook runs. */
export const RUN_STATUSES = ['queued', 'running', 'waiting', 'succeeded', 'failed', 'cancelled'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export const UNFINISHED_RUN_STATUSES: RunStatus[] = ['queued', 'running', 'waiting'];

export type StepStatus = 'pending' | 'running' | 'waiting' | 'succeeded' | 'failed' | 'skipped' | 'planned' | 'cancelled';
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
