import type { ErrorCode } from '@riposte/errors';

/** What a playbook run's machine holds: the part of the run that expressions read, and its timers. */
import type { StepStatus } from '@riposte/vocabulary';

export type { StepStatus };

export interface StepError {
  code: string;
  message: string;
}

export interface ApprovalState {
  prompt: string;
  approvers: string[];
  deadline: string | null;
  /** Where approvers are told (see @riposte/notifications). */
  channel?: string;
  decision?: 'approve' | 'reject';
  by?: string;
  comment?: string | null;
  at?: string;
  timedOut?: boolean;
}

export interface StepState {
  status: StepStatus;
  startedAt?: string;
  endedAt?: string;
  attempts?: number;
  output?: unknown;
  error?: StepError;
  approval?: ApprovalState;
}

export interface RunContext {
  inputs: Record<string, unknown>;
  alert: unknown;
  run: { id: string; playbook: string; version: number; dryRun: boolean };
  steps: Record<string, StepState>;
  /** Pending timers: step id → due time (epoch ms). The runtime turns them into `riposte.timer` events. */
  timers: Record<string, number>;
  failure: ({ step: string } & StepError) | null;
  outcome: { step: string; message: string | null } | null;
}

/** The result of a unit of work an invoked actor did (an action, a loop, a call). */
export interface WorkResult {
  output: unknown;
  attempts?: number;
}

/** The error an invoked actor fails with: a code a playbook can act on. */
export class StepFailure extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly attempts?: number,
  ) {
    super(message);
    this.name = 'StepFailure';
  }
}

export type RiposteEvent =
  | { type: 'riposte.approval'; step: string; decision: 'approve' | 'reject'; by: string; comment?: string | null }
  | { type: 'riposte.timer'; step: string }
  | { type: 'riposte.branchDone'; parallel: string };

/** The data expressions see. */
export function expressionData(context: RunContext, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const steps: Record<string, unknown> = {};
  // Absent values stay absent (not null): `$count(steps.x.output)` of a skipped step is then 0.
  for (const [id, s] of Object.entries(context.steps))
    steps[id] = {
      status: s.status,
      output: s.output ?? undefined,
      error: s.error ?? undefined,
      ...(s.approval ? { approval: s.approval } : {}),
    };
  return { inputs: context.inputs, alert: context.alert ?? null, run: context.run, steps, ...extra };
}
