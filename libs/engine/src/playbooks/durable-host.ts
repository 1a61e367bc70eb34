import { setTimeout as sleep } from 'node:timers/promises';
import { In } from 'typeorm';
import type { AnyActorRef } from 'xstate';
import { ActionRunner } from '@riposte/actions';
import type { HoldKind } from '@riposte/guardrails';
import { type ActionCall, type LoopStepRecord, type RunContext, type RunHost, StepFailure } from '@riposte/playbooks';
import { Database, type RunEntity, StepEntity } from '@riposte/persistence';
import { actorOf } from '../step-list-driver.js';
import type { RunJournal } from './run-journal.js';

export interface ChildRuns {
  /** Finds the child run of a call step, or starts it; then waits for its outputs. */
  callPlaybook(parent: RunEntity, call: { stepId: string; playbook: string; inputs: Record<string, unknown>; connection?: string }, signal: AbortSignal): Promise<unknown>;
}

export interface HeldStep {
  stepKey: string;
  kind: HoldKind;
  prompt: string;
}

/** The runtime side of a playbook run: actions through the action runner, loops and calls recorded in the database. */
export class DurableHost implements RunHost {
  private actor: AnyActorRef | undefined;
  private onHeld: () => void = () => undefined;
  /** Resolves when a guardrail holds a step: the driver then parks the run. */
  readonly held = new Promise<'held'>((resolve) => {
    this.onHeld = () => resolve('held');
  });
  readonly heldSteps: HeldStep[] = [];
  /** Once a step is held no action starts; those in flight finish before the run is parked. */
  private parking = false;
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    private readonly run: RunEntity,
    private readonly journal: RunJournal,
    private readonly runner: ActionRunner,
    private readonly db: Database,
    private readonly children: ChildRuns,
    /** The run is driven for the first time (queued, no snapshot; it is marked running before any step starts): no step of it has run before. */
    private readonly fresh: boolean,
  ) {}

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
    this.journal.recordAttempt(call.stepKey, { action: call.action, input: call.input, connectionTarget, attempts: call.attempt });
    const running = this.runner.run({ runId: this.run.id, stepKey: call.stepKey, action: call.action, input: call.input, connectionTarget, dryRun: this.run.dryRun, actor: actorOf(this.run), trigger: this.run.triggerType, signal, firstAttempt: this.fresh && call.attempt === 1, bulk: call.bulk });
    this.inFlight.add(running);
    const result = await running.finally(() => this.inFlight.delete(running));
    if (result.status === 'failed') throw new StepFailure(result.error.code, result.error.message, call.attempt);
    if (result.status === 'waiting') {
      this.parking = true;
      this.heldSteps.push({ stepKey: call.stepKey, ...result.hold });
      this.onHeld();
      return new Promise(() => undefined);
    }
    return result.output;
  }

  /** Resolves when no action is in flight any more (after a hold, none starts). */
  async quiesce(): Promise<void> {
    while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
    // Let the machine take in the last results before it is stopped.
    await new Promise((resolve) => setImmediate(resolve));
  }

  callPlaybook(call: { stepId: string; playbook: string; inputs: Record<string, unknown>; connection?: string }, signal: AbortSignal): Promise<unknown> {
    return this.children.callPlaybook(this.run, call, signal);
  }

  recordLoopStep(stepKey: string, record: LoopStepRecord): Promise<void> {
    return this.journal.recordLoopStep(stepKey, record);
  }

  /** Loop steps that succeeded before a restart are not run again: read once per loop. */
  async finishedLoopSteps(stepIds: string[]): Promise<Map<string, { output: unknown }>> {
    if (this.fresh || stepIds.length === 0) return new Map();
    const rows = await this.db.reader.find(StepEntity, { where: { runId: this.run.id, stepId: In(stepIds), status: In(['succeeded', 'planned']) }, select: { stepKey: true, output: true } });
    return new Map(rows.map((row) => [row.stepKey, { output: row.output }]));
  }

  async sleep(ms: number, signal: AbortSignal): Promise<void> {
    await sleep(ms, undefined, { signal });
  }

  now(): number {
    return Date.now();
  }
}
