import type { RunContext } from '../compiler/run-context.js';

/** One attempt of an action, as the runtime (or a rehearsal) executes it. */
export interface ActionCall {
  /** The step in the playbook. */
  stepId: string;
  /** Unique in the run: the step id, with `[n]` for the nth item of a forEach. */
  stepKey: string;
  action: string;
  input: Record<string, unknown>;
  /** The step's connection target, if it overrides the run's. */
  connection?: string;
  attempt: number;
  /** One of many alike (an item of a forEach): its Azure calls may wait a moment to share a batch. */
  fanOut: boolean;
}

export interface LoopStepRecord {
  stepId: string;
  action: string | null;
  status: 'running' | 'succeeded' | 'failed' | 'skipped' | 'planned';
  input?: Record<string, unknown> | null;
  output?: unknown;
  error?: { code: string; message: string } | null;
  attempts?: number;
}

/** A retry of a step that waits for its next attempt: kept by the host, so the count survives a restart. */
export interface RetryWait {
  /** The attempt to make when the wait is over. */
  attempt: number;
  /** When it is due (epoch ms). */
  dueAt: number;
  /** The backoff to wait after that attempt, if it fails too (the policy's first when absent). */
  delayMs?: number;
}

/**
 * What a playbook machine needs from whoever runs it. The durable runtime implements it with
 * the action runner and the database; a rehearsal with scripted results.
 */
export interface RunHost {
  /** The run's current context (for expressions). */
  context(): RunContext;
  /** Runs one attempt of an action; throws StepFailure with a code when it fails. */
  executeAction(call: ActionCall, signal: AbortSignal): Promise<unknown>;
  /** Starts (or finds, after a restart) a child run of another playbook and waits for its outputs. */
  callPlaybook(
    call: { stepId: string; playbook: string; inputs: Record<string, unknown>; connection?: string },
    signal: AbortSignal,
  ): Promise<unknown>;
  /** The timeline of steps inside a forEach, which the machine's context does not hold. */
  recordLoopStep(stepKey: string, record: LoopStepRecord): Promise<void>;
  /** The loop steps of these step ids that already succeeded (before a restart), by step key: not run again. */
  finishedLoopSteps(stepIds: string[]): Promise<Map<string, { output: unknown }>>;
  /** The retry this step was waiting for when its run was parked, if any; taking it forgets it. */
  takeRetry(stepKey: string): RetryWait | null;
  /**
   * Waits for a retry's next attempt. A short wait may sleep; a long one parks the run (the
   * promise then never settles: the step is started again from the saved wait when the run is
   * next driven). A rehearsal makes it instant.
   */
  waitForRetry(stepKey: string, wait: RetryWait, signal: AbortSignal): Promise<void>;
  now(): number;
}
