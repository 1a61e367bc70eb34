import type { RunKind } from './run-model.js';
import type { ClaimedRun } from './run-store.js';

/** Drives one kind of run from where it stands to its end (or to its next wait). */
export interface RunDriver {
  /** `claimed`: the run was created claimed for this drive (else the driver claims it first). */
  drive(runId: string, signal: AbortSignal, claimed?: ClaimedRun): Promise<void>;
}

/** Why a run's signal was aborted: the driver finalizes a cancel, but only parks on shutdown. */
export class CancelRequested extends Error {
  constructor() {
    super('The run was cancelled.');
  }
}
export class ShuttingDown extends Error {
  constructor() {
    super('The service is shutting down.');
  }
}

/**
 * Queue mode: this process stopped renewing its claims for longer than they last (its event loop
 * stalled): another worker may have the run now. The driver stops where it is and writes nothing
 * (its writes are fenced and would be refused anyway); whoever takes the run over goes on from
 * what was committed.
 */
export class LeaseLost extends ShuttingDown {
  constructor() {
    super();
    this.message = 'This worker stalled past its claim; the run is left to the worker that took it over.';
  }
}

/**
 * Decides where and when runs are driven. The embedded implementation drives them in this
 * process with a concurrency limit; a distributed one would hand them to workers on other
 * machines sharing the database. Nothing else in the engine knows which.
 */
export abstract class RunScheduler {
  /** True when this process is the only one driving runs of its database (the embedded mode): run claims left by a killed process are let go at start, not waited out. */
  abstract readonly exclusive: boolean;
  abstract register(kind: RunKind, driver: RunDriver): void;
  /**
   * Asks for the run to be driven. Asking again while it is already queued or running changes
   * nothing. `claimed`: the run was created claimed for its driver here (see `drivesHere`).
   */
  abstract schedule(runId: string, kind: RunKind, claimed?: ClaimedRun): void;
  /**
   * Whether a run scheduled now is driven by this process (the embedded mode): its creator may
   * then create it claimed for that driver (RunStore.create's `claimFor`). Never in queue mode,
   * where a worker claims it.
   */
  drivesHere(): boolean {
    return false;
  }
  /**
   * Aborts a run being driven here (its in-flight HTTP calls too): the drive's end, or null if it
   * is not driven here.
   */
  abstract cancel(runId: string): Promise<void> | null;
  /**
   * Asks whichever other process drives the run to cancel it (the driver records the cancel).
   * False when there is no other process to ask (the embedded mode).
   */
  cancelElsewhere(_runId: string): Promise<boolean> {
    return Promise.resolve(false);
  }
  abstract isActive(runId: string): boolean;
  /**
   * The run was parked until `at` (epoch ms): true if the scheduler itself wakes it then (queue
   * mode: a delayed job), false if RunWakeups must (the embedded mode: a timer in this process).
   */
  wakeAt(_runId: string, _at: number): boolean {
    return false;
  }
  /**
   * How long past its due time a parked run is left to the scheduler's own wake-up before
   * RunWakeups' look queues it anyway (0: RunWakeups is the wake-up).
   */
  readonly wakeGraceMs: number = 0;
  /** Stops taking runs; waits for those in flight, then parks the rest for the next start. */
  abstract drain(timeoutMs: number): Promise<void>;
}
