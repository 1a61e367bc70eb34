import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { In, LessThan, type EntityManager, type FindOptionsWhere } from 'typeorm';
import {
  Database,
  decodeCursor,
  encodeCursor,
  nowIso,
  RunEntity,
  RunInboxEntity,
  StepEntity,
  type Page,
} from '@riposte/persistence';
import type { RunKind, RunStatus, RunSummary, RunView, StepStatus, StepView, TriggerType } from './run-model.js';
import { isFinishedStep, UNFINISHED_RUN_STATUSES } from '@riposte/vocabulary';

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

export interface NewStep {
  stepKey: string;
  stepId?: string;
  action: string | null;
  connectionTarget?: string | null;
  input: Record<string, unknown> | null;
}

export interface RunQuery {
  limit: number;
  cursor?: string;
  status?: RunStatus;
  playbook?: string;
  alert?: string;
}

/** A run write that found the run claimed by another driver (or released): the transition is stale and stops. */
export class StaleRun extends Error {
  constructor(readonly runId: string) {
    super(`Run ${runId} is no longer held by this driver: a stale transition was refused.`);
    this.name = 'StaleRun';
  }
}

/** The claim of one driver on one run: its writes count only while the run's lease carries this token. */
export interface RunLease {
  runId: string;
  token: string;
}

/** How long a claim holds without a write; every fenced write extends it. */
export const LEASE_MS = 60_000;
const OPEN = UNFINISHED_RUN_STATUSES;

/**
 * The one owner of run state: reads and writes runs, their steps and their inbox. A driver
 * claims a run (a lease with a token) before it drives it, and each of its writes to the run
 * counts only if exactly one row changed under that token (and raises the run's version):
 * a second driver, or a stale wake-up, cannot apply an old transition. Every write is one
 * short transaction.
 */
@Injectable()
export class RunStore {
  /** How long a claim holds without a write (queue mode shortens it and renews it while a run is driven). */
  leaseMs = LEASE_MS;

  constructor(private readonly db: Database) {}

  /** Claims an unfinished run for this driver; null if another driver holds it (or it has ended). */
  async claim(runId: string): Promise<RunLease | null> {
    const token = randomUUID();
    const now = Date.now();
    const result = await this.db.transaction((m) =>
      m
        .createQueryBuilder()
        .update(RunEntity)
        .set({
          leaseOwner: token,
          leaseUntil: new Date(now + this.leaseMs).toISOString(),
          version: () => '"version" + 1',
        } as never)
        .where('id = :id AND status IN (:...open) AND ("leaseOwner" IS NULL OR "leaseUntil" < :now)', {
          id: runId,
          open: OPEN,
          now: new Date(now).toISOString(),
        })
        .execute(),
    );
    return result.affected === 1 ? { runId, token } : null;
  }

  /** Lets go of a claim without a transition (a driver that failed): only while it still holds. */
  async release(lease: RunLease): Promise<void> {
    await this.db.transaction((m) =>
      m
        .createQueryBuilder()
        .update(RunEntity)
        .set({ leaseOwner: null, leaseUntil: null } as never)
        .where('id = :id AND "leaseOwner" = :token', { id: lease.runId, token: lease.token })
        .execute(),
    );
  }

  /**
   * Every claim is let go: for the embedded mode at start, where this process is the only driver
   * of the database and claims left by a killed process must not wait for their lease to run out.
   */
  async releaseAll(): Promise<void> {
    await this.db.transaction((m) =>
      m
        .createQueryBuilder()
        .update(RunEntity)
        .set({ leaseOwner: null, leaseUntil: null } as never)
        .where('"leaseOwner" IS NOT NULL')
        .execute(),
    );
  }

  /** A write to a claimed run, inside a transaction: exactly one row, or StaleRun (the transaction is rolled back). */
  async fenced(m: EntityManager, lease: RunLease, set: Record<string, unknown>, release = false): Promise<void> {
    const result = await m
      .createQueryBuilder()
      .update(RunEntity)
      .set({
        ...set,
        version: () => '"version" + 1',
        ...(release
          ? { leaseOwner: null, leaseUntil: null }
          : { leaseUntil: new Date(Date.now() + this.leaseMs).toISOString() }),
      } as never)
      .where('id = :id AND "leaseOwner" = :token', { id: lease.runId, token: lease.token, now: nowIso() })
      .execute();
    if (result.affected !== 1) throw new StaleRun(lease.runId);
  }

  async create(run: NewRun, steps: NewStep[], m?: EntityManager): Promise<RunEntity> {
    const row: RunEntity = {
      id: randomUUID(),
      kind: run.kind,
      status: run.failure ? 'failed' : 'queued',
      playbookId: run.playbookId ?? null,
      playbookVersion: run.playbookVersion ?? null,
      triggerType: run.triggerType,
      triggerBy: run.triggerBy,
      triggerRole: run.triggerRole,
      alertId: run.alertId ?? null,
      revertOf: run.revertOf ?? null,
      parentRunId: run.parentRunId ?? null,
      parentStepKey: run.parentStepKey ?? null,
      throttleKey: run.throttleKey ?? null,
      wakeAt: null,
      waits: null,
      version: 0,
      leaseOwner: null,
      leaseUntil: null,
      connectionTarget: run.connectionTarget,
      dryRun: run.dryRun,
      reason: run.reason ?? null,
      input: run.input ?? null,
      output: null,
      error: run.failure ?? null,
      snapshot: null,
      createdAt: nowIso(),
      startedAt: null,
      endedAt: run.failure ? nowIso() : null,
    };
    const write = async (tx: EntityManager) => {
      await tx.insert(RunEntity, row as never);
      if (steps.length)
        await tx.insert(StepEntity, steps.map((s, position) => newStepRow(row.id, s, position)) as never);
      return row;
    };
    return m ? write(m) : this.db.transaction(write);
  }

  async find(id: string): Promise<RunEntity | null> {
    return this.db.reader.findOne(RunEntity, { where: { id } });
  }

  async steps(runId: string): Promise<StepEntity[]> {
    return this.db.reader.find(StepEntity, { where: { runId }, order: { position: 'ASC' } });
  }

  async view(id: string): Promise<RunView | null> {
    const run = await this.find(id);
    return run ? { ...toSummary(run), steps: (await this.steps(id)).map(toStepView) } : null;
  }

  async list(query: RunQuery): Promise<Page<RunSummary>> {
    const where: FindOptionsWhere<RunEntity> = {};
    if (query.status) where.status = query.status;
    if (query.playbook) where.playbookId = query.playbook;
    if (query.alert) where.alertId = query.alert;
    const after = decodeCursor(query.cursor, ['string', 'string']);
    // Newest first; the id breaks ties between runs created in the same millisecond.
    const rows = await this.db.reader.find(RunEntity, {
      where: after
        ? [
            { ...where, createdAt: LessThan(after[0]) },
            { ...where, createdAt: after[0], id: LessThan(after[1]) },
          ]
        : where,
      order: { createdAt: 'DESC', id: 'DESC' },
      take: query.limit + 1,
    });
    const items = rows.slice(0, query.limit).map(toSummary);
    const last = items.at(-1);
    return { items, nextCursor: rows.length > query.limit && last ? encodeCursor([last.createdAt, last.id]) : null };
  }

  /** Runs that were being driven (or about to be) when the process stopped; parked runs are woken by RunWakeups. */
  interrupted(): Promise<Pick<RunEntity, 'id' | 'kind'>[]> {
    return this.db.reader.find(RunEntity, {
      where: { status: In(['queued', 'running']) },
      select: { id: true, kind: true },
      order: { createdAt: 'ASC' },
    });
  }

  parkedCount(): Promise<number> {
    return this.db.reader.count(RunEntity, { where: { status: 'waiting' } });
  }

  /**
   * A transition of a claimed run; an end or a park lets go of the claim. `parentRunId`: the run
   * was started by a call step; its end is written to the parent's inbox in the same
   * transaction, so the parent, parked on it, is always woken.
   */
  async setRunStatus(
    lease: RunLease,
    status: RunStatus,
    fields: Partial<Pick<RunEntity, 'output' | 'error' | 'snapshot'>> = {},
    options: { parentRunId?: string | null } = {},
  ): Promise<void> {
    const now = nowIso();
    const ended = status === 'succeeded' || status === 'failed' || status === 'cancelled';
    await this.db.transaction(async (m) => {
      // The first start is kept: COALESCE, so a resumed run needs no read first.
      await this.fenced(
        m,
        lease,
        {
          status,
          ...fields,
          ...(status === 'running' ? { startedAt: () => 'COALESCE("startedAt", :now)' } : {}),
          ...(ended ? { endedAt: now, wakeAt: null, waits: null } : {}),
        },
        ended,
      );
      if (ended && options.parentRunId)
        await this.deliver(
          m,
          options.parentRunId,
          { type: 'riposte.child', runId: lease.runId, status },
          `child:${lease.runId}`,
        );
    });
  }

  /** The run waits: until `wakeAt`, or until an event arrives in its inbox. `waits`: what its parked steps wait for (JSON). The claim is let go. */
  async park(lease: RunLease, wakeAt: string | null, waits: string | null): Promise<void> {
    await this.db.transaction((m) => this.fenced(m, lease, { status: 'waiting', wakeAt, waits }, true));
  }

  /**
   * An event for a run's inbox (a decision, a child's end), delivered when it is next driven.
   * With a `dedupeKey` there is at most one such event per run: a second one is ignored, or
   * refused by the database's unique key (a unique violation) when `duplicate` is 'fail'.
   */
  async deliver(
    m: EntityManager,
    runId: string,
    event: Record<string, unknown>,
    dedupeKey: string | null = null,
    duplicate: 'ignore' | 'fail' = 'ignore',
  ): Promise<void> {
    const insert = m
      .createQueryBuilder()
      .insert()
      .into(RunInboxEntity)
      .values({ runId, event, dedupeKey, createdAt: nowIso() } as never);
    await (duplicate === 'ignore' ? insert.orIgnore() : insert).execute();
  }

  async setStep(
    runId: string,
    stepKey: string,
    change: {
      status: StepStatus;
      output?: unknown;
      error?: { code: string; message: string } | null;
      countAttempt?: boolean;
    },
  ): Promise<void> {
    const now = nowIso();
    const set: Record<string, unknown> = { status: change.status };
    if (change.countAttempt) set.attempts = () => '"attempts" + 1';
    if (change.status === 'running') set.startedAt = () => 'COALESCE("startedAt", :now)';
    if (change.output !== undefined) set.output = change.output;
    if (change.error !== undefined) set.error = change.error;
    if (isFinishedStep(change.status)) set.endedAt = now;
    // One UPDATE, no read: counters and first-start times are computed by the database.
    await this.db.transaction((m) =>
      m
        .createQueryBuilder()
        .update(StepEntity)
        .set(set as never)
        .where('"runId" = :runId AND "stepKey" = :stepKey', { runId, stepKey, now })
        .execute(),
    );
  }
}

function newStepRow(runId: string, step: NewStep, position: number): StepEntity {
  return {
    id: randomUUID(),
    runId,
    position,
    stepKey: step.stepKey,
    stepId: step.stepId ?? step.stepKey,
    action: step.action,
    connectionTarget: step.connectionTarget ?? null,
    status: 'pending',
    attempts: 0,
    input: step.input,
    output: null,
    error: null,
    startedAt: null,
    endedAt: null,
  };
}

export function toSummary(run: RunEntity): RunSummary {
  return {
    id: run.id,
    kind: run.kind as RunKind,
    ...(run.playbookId ? { playbook: { id: run.playbookId, version: run.playbookVersion ?? 0 } } : {}),
    status: run.status as RunStatus,
    trigger: {
      type: run.triggerType as TriggerType,
      ...(run.triggerBy ? { by: run.triggerBy } : {}),
      ...(run.alertId ? { alertId: run.alertId } : {}),
      ...(run.revertOf ? { revertOf: run.revertOf } : {}),
      ...(run.parentRunId ? { parentRunId: run.parentRunId } : {}),
    },
    dryRun: Boolean(run.dryRun),
    connectionTarget: run.connectionTarget,
    reason: run.reason,
    input: run.input,
    output: run.output,
    error: run.error,
    createdAt: run.createdAt,
    startedAt: run.startedAt,
    endedAt: run.endedAt,
  };
}

export function toStepView(step: StepEntity): StepView {
  return {
    id: step.stepKey,
    action: step.action,
    status: step.status as StepStatus,
    attempts: step.attempts,
    input: step.input,
    output: step.output ?? null,
    error: step.error,
    startedAt: step.startedAt,
    endedAt: step.endedAt,
  };
}
