import { setTimeout as sleep } from 'node:timers/promises';
import { In } from 'typeorm';
import type { AnyActorRef } from 'xstate';
import { ActionRunner } from '@riposte/actions';
import type { HoldKind } from '@riposte/guardrails';
import {
  type ActionCall,
  type LoopStepRecord,
  type RetryWait,
  type RunContext,
  type RunHost,
  StepFailure,
} from '@riposte/playbooks';
import { ClaimLost, Database, type RunEntity, StepEntity } from '@riposte/persistence';
import { actorOf } from '../step-list-driver.js';
import type { RunJournal } from './run-journal.js';

export interface ChildRuns {
  /** Finds the child run of a call step, or starts it: its outputs once it has ended, or `pending` (its end wakes the parent through the inbox). */
  callPlaybook(
    parent: RunEntity,
    call: { stepId: string; playbook: string; inputs: Record<string, unknown>; connection?: string },
  ): Promise<{ output: unknown } | { pending: true }>;
}

/** Why a step stopped the run from going on in this drive: the driver parks the run and records it. */
export type ParkedStep =
  | { stepKey: string; kind: 'held'; hold: HoldKind; prompt: string }
  | { stepKey: string; kind: 'retry' | 'check'; wait: StepWait }
  | { stepKey: string; kind: 'child' };

/** What a parked step waits for, saved with the run (`runs.waits`): a retry's next attempt, a machine action's next check. */
export interface StepWait extends RetryWait {
  reason?: string;
}

/** Waits shorter than this are slept through in the call: parking costs more. */
export const SHORT_WAIT_MS = 1_000;

/** The runtime side of a playbook run: actions through the action runner, loops and calls recorded in the database. */
export class DurableHost implements RunHost {
  private actor: AnyActorRef | undefined;
  private onParked: () => void = () => undefined;
  /** Resolves when a step must wait (a guardrail hold, a retry's backoff, a machine action Pending, a child run): the driver then parks the run. */
  readonly parked = new Promise<'parked'>((resolve) => {
    this.onParked = () => resolve('parked');
  });
  readonly parkedSteps: ParkedStep[] = [];
  /** Once a step waits no action starts; those in flight finish before the run is parked. */
  private parking = false;
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    private readonly run: RunEntity,
    private readonly journal: RunJournal,
    private readonly runner: ActionRunner,
    private readonly db: Database,
    private readonly children: ChildRuns,
    /** The run is driven for the first time (claimed once, no snapshot): no step of it has run before. */
    private readonly fresh: boolean,
    /** What its steps waited for when it was parked, by step key. */
    private readonly waits: Map<string, StepWait> = new Map(),
  ) {}

  /** The waits to save with the run when it is parked. */
  savedWaits(): Record<string, StepWait> | null {
    return this.waits.size ? Object.fromEntries(this.waits) : null;
  }

  /** The earliest time a parked step is due, if any. */
  nextDue(): number | null {
    let next: number | null = null;
    for (const wait of this.waits.values()) if (next === null || wait.dueAt < next) next = wait.dueAt;
    return next;
  }

  private park(step: ParkedStep): Promise<never> {
    this.parking = true;
    this.parkedSteps.push(step);
    this.onParked();
    return new Promise<never>(() => undefined);
  }

  bind(actor: AnyActorRef): void {
    this.actor = actor;
  }

  context(): RunContext {
    if (!this.actor) throw new Error('The host is not bound to a run.');
    return this.actor.getSnapshot().context as RunContext;
  }

  async executeAction(call: ActionCall, signal: AbortSignal): Promise<unknown> {
    // Never settles: the actor is stopped, and the step is invoked again when the run is driven next.
    if (this.parking) return new Promise(() => undefined);
    const connectionTarget = call.connection ?? this.run.connectionTarget ?? '';
    // An earlier attempt's settle not written yet: written first, so this attempt finds it.
    if (this.journal.settling(call.stepKey)) await this.journal.flush().catch(() => undefined);
    this.journal.recordAttempt(call.stepKey, {
      action: call.action,
      input: call.input,
      connectionTarget,
      attempts: call.attempt,
    });
    const running = this.runner.run({
      runId: this.run.id,
      stepKey: call.stepKey,
      action: call.action,
      input: call.input,
      connectionTarget,
      dryRun: this.run.dryRun,
      actor: actorOf(this.run),
      trigger: this.run.triggerType,
      signal,
      firstAttempt: this.fresh && call.attempt === 1,
      fanOut: call.fanOut,
      claim: this.journal.lease,
      carrySettle: this.journal.carry,
    });
    this.inFlight.add(running);
    const result = await running
      .finally(() => this.inFlight.delete(running))
      .catch((error: unknown) => {
        if (!(error instanceof ClaimLost)) throw error;
        // Not the step's failure: the run is someone else's now. Nothing more is written from here (the driver stops).
        this.journal.abandon();
        return new Promise<never>(() => undefined);
      });
    if (result.status === 'failed') throw new StepFailure(result.error.code, result.error.message, call.attempt);
    if (result.status === 'waiting')
      return this.park({ stepKey: call.stepKey, kind: 'held', hold: result.hold.kind, prompt: result.hold.prompt });
    if (result.status === 'deferred') {
      // The same attempt goes on at the next check: it follows the effect the ledger names.
      const wait = { attempt: call.attempt, dueAt: result.until, reason: result.reason };
      this.waits.set(call.stepKey, wait);
      return this.park({ stepKey: call.stepKey, kind: 'check', wait });
    }
    return result.output;
  }

  takeRetry(stepKey: string): RetryWait | null {
    const wait = this.waits.get(stepKey);
    if (!wait) return null;
    this.waits.delete(stepKey);
    return wait;
  }

  async waitForRetry(stepKey: string, wait: RetryWait, signal: AbortSignal): Promise<void> {
    const left = wait.dueAt - Date.now();
    if (left <= SHORT_WAIT_MS) return sleep(Math.max(0, left), undefined, { signal });
    if (this.parking) return new Promise<never>(() => undefined);
    this.waits.set(stepKey, wait);
    return this.park({ stepKey, kind: 'retry', wait });
  }

  /** Resolves when no action is in flight any more (after a hold, none starts). */
  async quiesce(): Promise<void> {
    while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
    // Let the machine take in the last results before it is stopped.
    await new Promise((resolve) => setImmediate(resolve));
  }

  async callPlaybook(call: {
    stepId: string;
    playbook: string;
    inputs: Record<string, unknown>;
    connection?: string;
  }): Promise<unknown> {
    if (this.parking) return new Promise<never>(() => undefined);
    const child = await this.children.callPlaybook(this.run, call);
    if ('output' in child) return child.output;
    // The child's end writes to this run's inbox, which wakes it; the call step then finds the outputs.
    return this.park({ stepKey: call.stepId, kind: 'child' });
  }

  recordLoopStep(stepKey: string, record: LoopStepRecord): Promise<void> {
    return this.journal.recordLoopStep(stepKey, record);
  }

  /** Loop steps that succeeded before a restart are not run again: read once per loop. */
  async finishedLoopSteps(stepIds: string[]): Promise<Map<string, { output: unknown }>> {
    if (this.fresh || stepIds.length === 0) return new Map();
    const rows = await this.db.reader.find(StepEntity, {
      where: { runId: this.run.id, stepId: In(stepIds), status: In(['succeeded', 'planned']) },
      select: { stepKey: true, output: true },
    });
    return new Map(rows.map((row) => [row.stepKey, { output: row.output }]));
  }

  now(): number {
    return Date.now();
  }
}
