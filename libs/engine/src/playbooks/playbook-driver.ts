import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { type AnyActorRef, createActor } from 'xstate';
import { ActionRunner } from '@riposte/actions';
import { AuditLog } from '@riposte/audit';
import { Metrics } from '@riposte/observability';
import {
  compileInSteps,
  attachWork,
  createStepWork,
  evaluateOutputs,
  type LoadedPlaybook,
  type RunContext,
  untilIdle,
  type StepState,
} from '@riposte/playbooks';
import { Database, nowIso, type RunEntity } from '@riposte/persistence';
import type { EntityManager } from 'typeorm';
import { RunEvents } from '../run-events.js';
import { RunWakeups } from '../run-wakeups.js';
import { CancelRequested, LeaseLost, type RunDriver, RunScheduler, ShuttingDown } from '../run-scheduler.js';
import { type ClaimedRun, neverDriven, type RunLease, RunStore } from '../run-store.js';
import { type ChildRuns, DurableHost, type StepWait } from './durable-host.js';
import { PlaybookStore } from './playbook-store.js';
import { type JournalWrite, RunJournal } from './run-journal.js';
import { initialContext, restoreSnapshot } from './run-snapshot.js';
import { UNFINISHED_STEP_STATUSES } from '@riposte/vocabulary';

/**
 * Drives a playbook run: restores its machine from the last persisted snapshot (or starts it),
 * delivers what arrived while it slept (approval decisions, due timers), lets it run until it
 * ends or waits, then parks it: the snapshot is in the database, the actor leaves memory, and
 * the run wakes on its next timer or event. XState restarts actions that were in flight when
 * the snapshot was taken; the action runner's effect ledger makes that safe.
 */
@Injectable()
export class PlaybookDriver implements RunDriver, OnModuleInit {
  private readonly logger = new Logger(PlaybookDriver.name);
  private children: ChildRuns | undefined;

  constructor(
    private readonly db: Database,
    private readonly store: RunStore,
    private readonly playbooks: PlaybookStore,
    private readonly runner: ActionRunner,
    private readonly scheduler: RunScheduler,
    private readonly wakeups: RunWakeups,
    private readonly events: RunEvents,
    private readonly metrics: Metrics,
    private readonly audit: AuditLog,
  ) {}

  onModuleInit(): void {
    this.scheduler.register('playbook', this);
  }

  /** The approval steps a run waits on, by step id: read from its snapshot, whose shape only this driver knows. */
  approvalsWaiting(run: RunEntity): Map<string, NonNullable<StepState['approval']>> {
    const context = run.snapshot ? (JSON.parse(run.snapshot) as { context: RunContext }).context : null;
    const waiting = new Map<string, NonNullable<StepState['approval']>>();
    for (const [step, state] of Object.entries(context?.steps ?? {}))
      if (state.status === 'waiting' && state.approval) waiting.set(step, state.approval);
    return waiting;
  }

  /** Set by PlaybookRunsService, which starts child runs (it depends on this driver's scheduler). */
  useChildRuns(children: ChildRuns): void {
    this.children = children;
  }

  async drive(runId: string, signal: AbortSignal, given?: ClaimedRun): Promise<void> {
    // Claimed first: another driver (or an ended run) means there is nothing to do here.
    // Claimed, marked running and read in one statement (unless it was created claimed for this drive).
    const claimed = given ?? (await this.store.claimToDrive(runId));
    if (!claimed) return;
    const { lease, run } = claimed;
    try {
      await this.driveClaimed(lease, run, signal);
    } catch (error) {
      await this.store.release(lease);
      throw error;
    }
  }

  private async driveClaimed(lease: RunLease, run: RunEntity, signal: AbortSignal): Promise<void> {
    let loaded: LoadedPlaybook;
    try {
      loaded = await this.playbooks.version(run.playbookId ?? '', run.playbookVersion ?? 0);
    } catch (error) {
      await this.end(run, lease, 'failed', null, { code: 'playbook_unloadable', message: (error as Error).message });
      return;
    }
    // A version is compiled once (kept with it), by its first run: in steps, not in one long turn.
    const compiled = await compileInSteps(loaded);
    const stepIndex = compiled.index.steps;
    const journal = new RunJournal(this.db, this.store, this.audit, lease, run.dryRun, (stepId) => {
      const step = stepIndex.get(stepId);
      return step && 'action' in step.def ? step.def.action : null;
    });
    const persisted = run.snapshot ? restoreSnapshot(run.snapshot, run) : undefined;
    // Never claimed before this drive (a crash after a claim leaves a higher version): nothing of it has run yet.
    const fresh = !persisted && neverDriven(run);
    await journal.open(persisted?.context, fresh);
    // Created claimed for this drive (see RunStore.create): still queued until the journal's first write.
    if (run.status === 'queued' && !signal.aborted) journal.markRunning();
    const waits = new Map(Object.entries(run.waits ? (JSON.parse(run.waits) as Record<string, StepWait>) : {}));
    const host = new DurableHost(run, journal, this.runner, this.db, this.requireChildren(), fresh, waits);
    const actor: AnyActorRef = persisted
      ? createActor(compiled.machine, { snapshot: persisted as never })
      : createActor(compiled.machine, { input: initialContext(run) });
    attachWork(actor, createStepWork(compiled, host));
    host.bind(actor);
    const subscription = actor.subscribe({
      next: (snapshot) => journal.onSnapshot(actor.getPersistedSnapshot(), snapshot.context as RunContext),
      error: () => undefined,
    });
    // A stopped actor's snapshot must never be persisted: restored, it would not run.
    const stop = () => {
      subscription.unsubscribe();
      actor.stop();
    };

    // Cancelled while it waited for a slot: recorded, and nothing of it starts.
    if (signal.aborted) return await this.abort(run, lease, stop, journal, signal);
    journal.event(persisted ? 'run.resumed' : 'run.started', null);
    const stopped = new Promise<'aborted'>((resolve) =>
      signal.addEventListener('abort', () => resolve('aborted'), { once: true }),
    );
    actor.start();
    try {
      for (;;) {
        const state = await Promise.race([untilIdle(actor), stopped, host.parked, journal.lost]);
        if (state === 'aborted') return await this.abort(run, lease, stop, journal, signal);
        // Another driver holds the run now (or, in queue mode, this one's claim ran out): stop, writing nothing.
        if (state === 'lost')
          return this.logger.warn({ runId: run.id }, 'claim lost: the run is left to its new driver');
        if (state === 'parked') {
          // A step must wait (a hold, a backoff, a Pending machine action, a child run): park from
          // the last snapshot, where the step is still in flight; it is started again on waking.
          await host.quiesce();
          stop();
          for (const step of host.parkedSteps) {
            if (step.kind === 'held') journal.held(step.stepKey, step.hold, step.prompt);
            else if (step.kind === 'child') journal.stepWaits(step.stepKey, 'step.waiting_child', null);
            else
              journal.stepWaits(step.stepKey, step.kind === 'retry' ? 'step.retry_later' : 'step.check_later', {
                attempt: step.wait.attempt,
                at: new Date(step.wait.dueAt).toISOString(),
                ...(step.wait.reason ? { reason: step.wait.reason } : {}),
              });
          }
          return await this.park(lease, actor, journal, host);
        }
        if (state === 'done') return await this.finish(run, lease, actor, journal, loaded);
        if (state === 'error') {
          await journal.flush();
          return await this.end(run, lease, 'failed', null, {
            code: 'internal_error',
            message: 'The run stopped on an internal error; see the service log.',
          });
        }
        if (await this.deliver(run, actor, journal)) continue;
        return await this.park(lease, actor, journal, host);
      }
    } finally {
      stop();
    }
  }

  /** Sends pending approval decisions and due timers; true if it sent anything. */
  private async deliver(run: RunEntity, actor: AnyActorRef, journal: RunJournal): Promise<boolean> {
    let sent = false;
    const inbox = (await this.db.all<{ seq: number | string; event: string }>(this.db.reader, INBOX_SQL, [run.id])).map(
      (row) => ({ seq: Number(row.seq), event: JSON.parse(row.event) as Record<string, unknown> }),
    );
    for (const item of inbox) {
      actor.send(item.event as never);
      sent = true;
    }
    journal.consumed(inbox.map((i) => i.seq));
    // A dry run plans what would happen after an approval: it approves everything itself.
    if (run.dryRun) {
      for (const [step, state] of Object.entries((actor.getSnapshot().context as RunContext).steps)) {
        if (state.status === 'waiting' && state.approval) {
          actor.send({ type: 'riposte.approval', step, decision: 'approve', by: 'dry-run' });
          sent = true;
        }
      }
    }
    const context = actor.getSnapshot().context as RunContext;
    const now = Date.now();
    for (const [step, at] of Object.entries(context.timers)) {
      if (at <= now || (run.dryRun && !context.steps[step]?.approval)) {
        actor.send({ type: 'riposte.timer', step });
        sent = true;
      }
    }
    return sent;
  }

  private async park(lease: RunLease, actor: AnyActorRef, journal: RunJournal, host: DurableHost): Promise<void> {
    const context = actor.getSnapshot().context as RunContext;
    const next = Math.min(host.nextDue() ?? Number.POSITIVE_INFINITY, ...Object.values(context.timers));
    const wakeAt = Number.isFinite(next) ? new Date(next).toISOString() : null;
    const waits = host.savedWaits();
    journal.event('run.waiting', null, wakeAt ? { wakeAt } : null);
    // The last rows and the park in one transaction.
    await journal.close((m, snapshot) =>
      this.store.parkIn(m, lease, wakeAt, waits ? JSON.stringify(waits) : null, snapshot),
    );
    this.wakeups.parked(lease.runId, Number.isFinite(next) ? next : null);
    // An event that arrived after the inbox was read must not wait for the next one.
    if ((await this.db.all(this.db.reader, HAS_MAIL_SQL, [lease.runId])).length > 0)
      this.scheduler.schedule(lease.runId, 'playbook');
  }

  private async finish(
    run: RunEntity,
    lease: RunLease,
    actor: AnyActorRef,
    journal: RunJournal,
    loaded: LoadedPlaybook,
  ): Promise<void> {
    const snapshot = actor.getSnapshot();
    const context = snapshot.context as RunContext;
    const status = snapshot.value === 'succeeded' ? 'succeeded' : 'failed';
    const outputs = await evaluateOutputs(loaded.compiled, context);
    await this.end(
      run,
      lease,
      status,
      outputs,
      context.failure
        ? { code: context.failure.code, message: `Step ${context.failure.step}: ${context.failure.message}` }
        : null,
      journal,
    );
  }

  private async abort(
    run: RunEntity,
    lease: RunLease,
    stop: () => void,
    journal: RunJournal,
    signal: AbortSignal,
  ): Promise<void> {
    stop();
    // Given up after a stall: nothing more is written (it would be refused); the taker goes on from what was committed.
    if (signal.reason instanceof LeaseLost) return journal.abandon();
    if (signal.reason instanceof ShuttingDown) {
      journal.event('run.parked', null, { reason: 'shutdown' });
      await journal.flush();
      return;
    }
    if (signal.reason instanceof CancelRequested) {
      await this.end(run, lease, 'cancelled', null, { code: 'cancelled', message: 'The run was cancelled.' }, journal);
    }
  }

  private async end(
    run: RunEntity,
    lease: RunLease,
    status: 'succeeded' | 'failed' | 'cancelled',
    output: Record<string, unknown> | null,
    error: { code: string; message: string } | null,
    journal?: RunJournal,
  ): Promise<void> {
    // The last rows, the steps left unfinished and the run's end in one transaction. A child's end
    // wakes its parent (the inbox row is written with the status, so it is never lost). An ended
    // run is never restored: its snapshot is dropped, not serialized once more (the steps and the
    // timeline keep what happened).
    const ending = async (m: EntityManager, written: JournalWrite, unfinished = true) => {
      await this.store.transition(
        m,
        lease,
        status,
        { ...written, snapshot: null, output, error },
        { parentRunId: run.parentRunId },
      );
      // A branch still in flight when another one failed the run was stopped with it (after the
      // write above, which carries the journal's last step rows).
      if (unfinished) await this.db.run(m, CANCEL_UNFINISHED_STEPS_SQL, ['cancelled', nowIso(), run.id]);
    };
    if (journal) {
      journal.event(`run.${status}`, null, error ? { error } : null);
      await journal.close(ending, false);
    } else await this.db.transaction((m) => ending(m, {}));
    if (run.parentRunId) this.scheduler.schedule(run.parentRunId, 'playbook');
    this.metrics.runs.inc({ kind: 'playbook', status });
    this.events.ended(run.id);
    if (status !== 'succeeded')
      this.logger.warn({ runId: run.id, playbook: run.playbookId, status, error }, `playbook run ${status}`);
  }

  private requireChildren(): ChildRuns {
    if (!this.children) throw new Error('PlaybookDriver has no child-run service.');
    return this.children;
  }
}

const INBOX_SQL = 'SELECT seq, event FROM run_inbox WHERE "runId" = $1 ORDER BY seq';
const HAS_MAIL_SQL = 'SELECT 1 AS mail FROM run_inbox WHERE "runId" = $1 LIMIT 1';
const CANCEL_UNFINISHED_STEPS_SQL = `UPDATE steps SET status = $1, "endedAt" = $2
  WHERE "runId" = $3 AND status IN (${UNFINISHED_STEP_STATUSES.map((s) => `'${s}'`).join(', ')})`;
