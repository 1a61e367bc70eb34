import { Injectable, type OnModuleInit } from '@nestjs/common';
import { ActionRunner, type CarriedSettle } from '@riposte/actions';
import { AuditLog } from '@riposte/audit';
import { Metrics } from '@riposte/observability';
import { Database, nowIso, type RunEntity, type SqlParam, type StepEntity } from '@riposte/persistence';
import { journalStep, journalText, writeWithSettles } from './carried-writes.js';
import { type RunSet, transitionSet } from './run-rows.js';
import { RunEvents } from './run-events.js';
import { type RunDriver, RunScheduler, ShuttingDown } from './run-scheduler.js';
import { type ClaimedRun, type RunLease, RunStore } from './run-store.js';
import { RunWakeups } from './run-wakeups.js';
import { FINISHED_STEP_STATUSES } from '@riposte/vocabulary';

const DONE = new Set<string>(FINISHED_STEP_STATUSES);

/**
 * Runs made of a fixed list of action steps, one after the other: simple responses (one step)
 * and reverts (the inverse of each destructive step of an earlier run). A failed step skips the
 * rest. After a restart it picks up at the first step that has not ended; the action runner's
 * effect ledger makes sure a step that was in flight is reconciled, not resent.
 */
@Injectable()
export class StepListDriver implements RunDriver, OnModuleInit {
  constructor(
    private readonly store: RunStore,
    private readonly runner: ActionRunner,
    private readonly scheduler: RunScheduler,
    private readonly events: RunEvents,
    private readonly metrics: Metrics,
    private readonly wakeups: RunWakeups,
    private readonly db: Database,
    private readonly audit: AuditLog,
  ) {}

  onModuleInit(): void {
    this.scheduler.register('response', this);
  }

  async drive(runId: string, signal: AbortSignal, given?: ClaimedRun): Promise<void> {
    // Claimed first: another driver (or an ended run) means there is nothing to do here.
    // Claimed, marked running and read in one statement.
    const claimed = given ?? (await this.store.claimToDrive(runId));
    if (!claimed) return;
    const { lease, run } = claimed;
    try {
      await this.driveClaimed(lease, run, signal, claimed.steps);
    } catch (error) {
      await this.store.release(lease);
      throw error;
    }
  }

  private async driveClaimed(
    lease: RunLease,
    run: RunEntity,
    signal: AbortSignal,
    given: StepEntity[] | undefined,
  ): Promise<void> {
    const runId = lease.runId;
    const parts = { db: this.db, store: this.store, audit: this.audit };
    // Created claimed for this drive (see RunStore.createClaimed): queued until its first write.
    let starting = run.status === 'queued';

    // A failure read back from the database keeps whatever code it was stored with.
    let failure: { code: string; message: string } | null = null;
    const outputs: Record<string, unknown> = {};
    // A step's end and its effects' settles, written with the next write of the run (the next
    // step's start, or the run's end): one statement fewer per step.
    let ended: StepEnd | null = null;
    const writeEnded = async () => {
      if (ended) await writeWithSettles(parts, lease, ended.settles, stepEndSet(ended));
      ended = null;
    };
    // A step's start, with the end of the step before it and (a run created claimed) the run's
    // own start: one fenced write, committed before the step's first attempt.
    const writeStarted = async (row: StepEntity) => {
      const end: StepEnd = { row: ended?.row ?? null, settles: ended?.settles ?? [] };
      const runStart: RunSet = starting ? transitionSet('running', {}) : {};
      await writeWithSettles(parts, lease, end.settles, (audits) => ({
        journal: journalText([...(end.row ? [journalStep(end.row)] : []), journalStep(row)], [], end.settles, audits),
        ...runStart,
      }));
      ended = null;
      starting = false;
    };
    for (const step of given ?? (await this.store.steps(runId))) {
      if (DONE.has(step.status)) {
        if (step.status === 'failed') failure ??= step.error;
        else outputs[step.stepKey] = step.output;
        continue;
      }
      if (failure || signal.aborted) {
        await writeEnded();
        if (signal.reason instanceof ShuttingDown) return;
        await this.store.setStep(lease, step.stepKey, { status: signal.aborted ? 'cancelled' : 'skipped' });
        continue;
      }
      // A step held by a guardrail and now decided goes on: that is not another attempt.
      const countAttempt = step.status !== 'waiting';
      const row: StepEntity = {
        ...step,
        status: 'running',
        attempts: step.attempts + (countAttempt ? 1 : 0),
        startedAt: step.startedAt ?? nowIso(),
      };
      await writeStarted(row);
      const settles: CarriedSettle[] = [];
      const result = await this.runner.run({
        runId,
        stepKey: step.stepKey,
        action: step.action ?? '',
        input: step.input ?? {},
        connectionTarget: step.connectionTarget ?? run.connectionTarget ?? '',
        dryRun: run.dryRun,
        actor: actorOf(run),
        trigger: run.triggerType,
        signal,
        // Marked running (and committed) before its first attempt: `pending` means it never started.
        firstAttempt: step.status === 'pending',
        claim: lease,
        // The settle goes with the step's end (see writeWithSettles).
        carrySettle: (settle) => settles.push(settle),
      });
      // Parked for shutdown: leave the step as it is; the next start finds its effect settled, or reconciles it.
      if (signal.reason instanceof ShuttingDown) {
        if (settles.length) await writeWithSettles(parts, lease, settles, stepEndSet({ row: null, settles }));
        return;
      }
      if (result.status === 'waiting') {
        // Parked until an analyst decides (the decision drives the run again).
        await this.store.setStep(lease, step.stepKey, { status: 'waiting' });
        await this.store.park(lease, null, null);
        return;
      }
      if (result.status === 'deferred') {
        // Azure is still at it (a machine action Pending): parked until the next check, holding no slot.
        await this.store.setStep(lease, step.stepKey, { status: 'waiting' });
        await this.store.park(lease, new Date(result.until).toISOString(), null);
        this.wakeups.parked(runId, result.until);
        return;
      }
      if (result.status === 'failed') failure = result.error;
      else outputs[step.stepKey] = result.output;
      ended = {
        row: {
          ...row,
          ...(result.status === 'failed'
            ? { status: result.cancelled ? 'cancelled' : 'failed', error: result.error }
            : { status: result.status, output: result.output, error: null }),
          endedAt: nowIso(),
        },
        settles,
      };
    }

    const status = signal.aborted ? 'cancelled' : failure ? 'failed' : 'succeeded';
    const fields = {
      output: outputs,
      error: status === 'cancelled' ? { code: 'cancelled', message: 'The run was cancelled.' } : failure,
    };
    // The last step's end goes with the run's.
    const last: StepEnd | null = ended;
    if (last) {
      const set = (audits: SqlParam[][]) => transitionSet(status, { ...fields, ...stepEndSet(last)(audits) });
      await writeWithSettles(parts, lease, last.settles, set, true);
    } else await this.store.setRunStatus(lease, status, fields);
    this.metrics.runs.inc({ kind: 'response', status });
    this.events.ended(runId);
  }
}

/** A step's row as it ended (none: only the settles) and the settles of its effects. */
interface StepEnd {
  row: StepEntity | null;
  settles: CarriedSettle[];
}

function stepEndSet(end: StepEnd) {
  return (audits: SqlParam[][]) => ({
    journal: journalText(end.row ? [journalStep(end.row)] : [], [], end.settles, audits),
  });
}

export function actorOf(run: RunEntity): { name: string; role: string } {
  return { name: run.triggerBy ?? 'riposte', role: run.triggerRole ?? 'system' };
}
