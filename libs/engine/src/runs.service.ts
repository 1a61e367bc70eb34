import { Injectable } from '@nestjs/common';
import { ActionCatalogue } from '@riposte/actions';
import type { Principal } from '@riposte/auth';
import { ConflictError, NotFoundError, ValidationError } from '@riposte/errors';
import { ApprovalHolds } from '@riposte/guardrails';
import { type EntityManager, In } from 'typeorm';
import { Database, type Page, RunEntity, RunEventEntity, StepEntity } from '@riposte/persistence';
import { UNFINISHED_RUN_STATUSES, type RunSummary, type RunView } from './run-model.js';
import { PlaybookDriver } from './playbooks/playbook-driver.js';
import { RunEvents } from './run-events.js';
import { RunScheduler } from './run-scheduler.js';
import { RunStore } from './run-store.js';
import type { RunQuery } from './run-list.js';

const WAIT_POLL_MS = 500;
/** How long a cancel waits for the worker driving the run to record it. */
const CANCEL_ELSEWHERE_MS = 10_000;

/** What a waiting run waits for: a playbook's approval step, or a step a guardrail holds. */
export interface WaitingFor {
  step: string;
  kind: string;
  prompt: string;
  approvers: string[];
  deadline: string | null;
}

/** Reading runs, and the things an analyst does to one: wait, cancel, revert. */
@Injectable()
export class RunsService {
  constructor(
    private readonly store: RunStore,
    private readonly scheduler: RunScheduler,
    private readonly events: RunEvents,
    private readonly catalogue: ActionCatalogue,
    private readonly db: Database,
    private readonly holds: ApprovalHolds,
    private readonly driver: PlaybookDriver,
  ) {}

  async get(id: string): Promise<RunView> {
    const run = await this.store.view(id);
    if (!run) throw new NotFoundError('Run', id);
    return run;
  }

  /** A run with its timeline, and what it waits for (approvals to decide). */
  async detail(id: string): Promise<
    RunView & {
      waitingFor: WaitingFor[];
      timeline: { at: string; type: string; step: string | null; detail: unknown }[];
    }
  > {
    const run = await this.get(id);
    const waitingFor = UNFINISHED_RUN_STATUSES.includes(run.status)
      ? ((await this.waitingFor([id])).get(id) ?? [])
      : [];
    const events = await this.db.reader.find(RunEventEntity, {
      where: { runId: id },
      order: { seq: 'ASC' },
      take: 2000,
    });
    return {
      ...run,
      waitingFor,
      timeline: events.map((e) => ({ at: e.at, type: e.type, step: e.stepKey, detail: e.detail })),
    };
  }

  /** A page of runs; a waiting one says what for, so an inbox needs one request. */
  async list(query: RunQuery): Promise<Page<RunSummary & { waitingFor?: WaitingFor[] }>> {
    const page = await this.store.list(query);
    const waiting = page.items.filter((r) => r.status === 'waiting').map((r) => r.id);
    if (waiting.length === 0) return page;
    const byRun = await this.waitingFor(waiting);
    return {
      ...page,
      items: page.items.map((r) => (r.status === 'waiting' ? { ...r, waitingFor: byRun.get(r.id) ?? [] } : r)),
    };
  }

  /** Approval steps waiting in the runs' snapshots, and steps a guardrail holds: two queries for any number of runs. */
  private async waitingFor(runIds: string[]): Promise<Map<string, WaitingFor[]>> {
    const out = new Map<string, WaitingFor[]>(runIds.map((id) => [id, []]));
    const rows = await this.db.reader.find(RunEntity, {
      where: { id: In(runIds), kind: 'playbook' },
      select: { id: true, kind: true, snapshot: true },
    });
    for (const row of rows) {
      for (const [step, approval] of this.driver.approvalsWaiting(row))
        out.get(row.id)!.push({
          step,
          kind: 'approval',
          prompt: approval.prompt ?? '',
          approvers: approval.approvers ?? [],
          deadline: approval.deadline ?? null,
        });
    }
    // Steps a guardrail holds (a budget used up, too many entities, automation paused) wait for a decision too.
    for (const hold of await this.holds.pendingFor(runIds))
      out
        .get(hold.runId)
        ?.push({ step: hold.stepKey, kind: hold.kind, prompt: hold.prompt, approvers: ['analyst'], deadline: null });
    return out;
  }

  /** Holds until the run ends (or, with `orWaiting`, waits for a person) or the time is up; returns the run either way. */
  async waitFor(id: string, timeoutMs: number, options: { orWaiting?: boolean } = {}): Promise<RunView> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      // Listening before reading: a run that ends while it is read is not waited for until the next poll.
      const stop = new AbortController();
      const ended = this.events.waitForEnd(id, Math.max(0, Math.min(deadline - Date.now(), WAIT_POLL_MS)), stop.signal);
      try {
        const run = await this.get(id);
        if (!UNFINISHED_RUN_STATUSES.includes(run.status) || deadline - Date.now() <= 0) return run;
        // Waiting for a person (a hold, an approval) answers now; parked until a due time (a retry, the next look at a machine action) is held on.
        if (options.orWaiting && run.status === 'waiting' && !(await this.store.find(id))?.wakeAt) return run;
        // The event comes from this process; polling covers runs driven elsewhere.
        await ended;
      } finally {
        stop.abort();
      }
    }
  }

  async cancel(id: string): Promise<RunView> {
    const run = await this.get(id);
    if (!UNFINISHED_RUN_STATUSES.includes(run.status))
      throw new ConflictError(`Run ${id} has already ended (${run.status}).`, 'run_ended');
    const driven = this.scheduler.cancel(id);
    if (driven) {
      // The driver aborts its HTTP calls and records the cancel itself, unless it had just parked
      // the run when the cancel came (and so stopped looking): then the run is cancelled in place.
      await Promise.race([driven, this.events.waitForEnd(id, 5_000)]);
      const after = await this.get(id);
      if (!UNFINISHED_RUN_STATUSES.includes(after.status) || this.scheduler.isActive(id)) return after;
    }
    return this.cancelInPlace(id, true);
  }

  /** A run not driven here (queued, or parked waiting for an approval, a timer or Azure): claimed, then cancelled. */
  private async cancelInPlace(id: string, askElsewhere: boolean): Promise<RunView> {
    const lease = await this.store.claim(id);
    if (!lease) {
      // Queue mode: driven by a worker; it is asked to cancel it, and records the cancel itself
      // (or, if it had just parked the run, lets it go to be cancelled in place).
      if (askElsewhere && (await this.scheduler.cancelElsewhere(id))) {
        const deadline = Date.now() + CANCEL_ELSEWHERE_MS;
        while (Date.now() < deadline) {
          const after = await this.waitFor(id, WAIT_POLL_MS);
          if (!UNFINISHED_RUN_STATUSES.includes(after.status)) return after;
          if (after.status !== 'running') return this.cancelInPlace(id, false);
        }
      }
      throw new ConflictError(`Run ${id} is being driven right now (or has just ended); try again.`, 'run_busy');
    }
    const run = await this.get(id);
    for (const step of run.steps)
      if (step.status === 'pending' || step.status === 'waiting' || step.status === 'running')
        await this.store.setStep(lease, step.id, { status: 'cancelled' });
    await this.store.setRunStatus(
      lease,
      'cancelled',
      { error: { code: 'cancelled', message: 'The run was cancelled.' } },
      { parentRunId: run.trigger.parentRunId },
    );
    if (run.trigger.parentRunId) this.scheduler.schedule(run.trigger.parentRunId, 'playbook');
    this.events.ended(id);
    return this.get(id);
  }

  /**
   * A new run applying the inverse of each succeeded destructive step, newest first; with `steps`,
   * of those steps only (one change of a run undone at a time). A step whose undo succeeded or is
   * under way in an earlier revert is not undone twice.
   */
  async revert(id: string, principal: Principal, steps?: string[]): Promise<{ runId: string }> {
    const run = await this.get(id);
    if (UNFINISHED_RUN_STATUSES.includes(run.status))
      throw new ConflictError(
        `Run ${id} is still ${run.status}; cancel it or wait for it to end before reverting.`,
        'run_in_flight',
      );
    if (run.dryRun) throw new ConflictError(`Run ${id} was a dry run: it changed nothing.`, 'nothing_to_revert');
    const rows = await this.store.steps(id);
    const undoable = rows
      .filter((step) => step.status === 'succeeded' && step.action && this.catalogue.has(step.action))
      .sort((a, b) => String(a.endedAt).localeCompare(String(b.endedAt)))
      .map((step) => ({ step, definition: this.catalogue.get(step.action as string) }))
      .filter(({ definition }) => definition.destructive && definition.inverse && definition.inverseInput)
      .reverse();
    if (undoable.length === 0)
      throw new ConflictError(`Run ${id} has no succeeded step that can be undone.`, 'nothing_to_revert');
    if (steps) {
      const known = new Set(undoable.map(({ step }) => step.stepKey));
      const unknown = steps.filter((key) => !known.has(key));
      if (unknown.length)
        throw new ValidationError(
          `Run ${id} has no succeeded step with an inverse named ${unknown.map((k) => `'${k}'`).join(', ')}; it has ${[...known].map((k) => `'${k}'`).join(', ')}.`,
          unknown.map((key) => ({ path: `/steps/${steps.indexOf(key)}`, message: `'${key}' cannot be undone` })),
        );
    }
    // Read what earlier reverts undid and create this one under one lock: two people undoing the
    // same change at once make one revert, not two (PostgreSQL; SQLite has one writer anyway).
    const revert = await this.db.transaction(async (m) => {
      await Database.lock(m, `revert:${id}`);
      const done = await this.revertedSteps(m, id);
      const undo = undoable.filter(({ step }) => (!steps || steps.includes(step.stepKey)) && !done.has(step.stepKey));
      if (undo.length === 0)
        throw new ConflictError(
          `Run ${id}: ${steps ? steps.map((k) => `'${k}'`).join(', ') : 'every step'} has already been undone (or its undo is under way).`,
          'already_reverted',
        );
      return this.store.create(
        {
          kind: 'response',
          triggerType: 'revert',
          triggerBy: principal.name,
          triggerRole: principal.role,
          connectionTarget: run.connectionTarget,
          dryRun: false,
          revertOf: id,
          reason: `Revert of run ${id}`,
        },
        undo.map(({ step, definition }) => ({
          stepKey: `revert-${step.stepKey}`,
          action: definition.inverse,
          connectionTarget: step.connectionTarget ?? run.connectionTarget,
          input: definition.inverseInput?.(step.input as never, step.output as never) ?? {},
        })),
        m,
      );
    });
    this.scheduler.schedule(revert.id, 'response');
    return { runId: revert.id };
  }

  /** The steps of a run that an earlier revert undid or is undoing (a failed or cancelled undo does not count). */
  private async revertedSteps(m: EntityManager, id: string): Promise<Set<string>> {
    const reverts = await m.find(RunEntity, { where: { revertOf: id }, select: { id: true } });
    if (reverts.length === 0) return new Set();
    const steps = await m.find(StepEntity, {
      where: { runId: In(reverts.map((r) => r.id)), status: In(['pending', 'running', 'waiting', 'succeeded']) },
      select: { stepKey: true },
    });
    return new Set(steps.map((s) => s.stepKey.replace(/^revert-/, '')));
  }
}
