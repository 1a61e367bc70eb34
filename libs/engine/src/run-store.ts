import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { In, type EntityManager } from 'typeorm';
import {
  ClaimLost,
  Database,
  nowIso,
  RunEntity,
  type RunClaim,
  claimHeld,
  type SqlParam,
  RunInboxEntity,
  StepEntity,
  type Page,
} from '@riposte/persistence';
import type { NewRun, NewStep, RunStatus, RunSummary, RunView, StepStatus } from './run-model.js';
import { isFinishedStep } from '@riposte/vocabulary';
import {
  CLAIM_SQL,
  CLAIM_TO_DRIVE_SQL,
  INSERT_RUN_SQL,
  json,
  RELEASE_SQL,
  RUN_COLUMNS,
  newStepRow,
  runFromRow,
  SELECT_RUN_SQL,
  INSERT_STEP_SQL,
  STEPS_OF_RUN_SQL,
  stepFromRow,
  stepParams,
  fencedRunWrite,
  isEnd,
  transitionSet,
  type RunSet,
} from './run-rows.js';
import { listRuns, type RunQuery } from './run-list.js';
import { toStepView, toSummary } from './run-views.js';

export type { NewRun, NewStep } from './run-model.js';

/** A run write that found the run claimed by another driver (or released): the transition is stale and stops. */
export class StaleRun extends ClaimLost {
  constructor(runId: string) {
    super(runId);
    this.message = `Run ${runId} is no longer held by this driver: a stale transition was refused.`;
    this.name = 'StaleRun';
  }
}

/** The claim of one driver on one run: its writes (run, steps, effect ledger) count only while the run's lease carries this token. */
export type RunLease = RunClaim;

/** A run claimed for its driver, as the driver starts from it (see `claimToDrive`, `create`). */
export interface ClaimedRun {
  lease: RunLease;
  run: RunEntity;
  /** Its steps as created (a run created claimed with its steps): the driver need not read them. */
  steps?: StepEntity[];
}

/** How long a claim holds without a write; every fenced write extends it. */
export const LEASE_MS = 60_000;

/**
 * A run claimed by `claimToDrive` that no driver ever claimed before: nothing of it has run.
 * Every drive starts with a claim, and nothing else raises the version of a run nobody holds.
 */
export function neverDriven(run: RunEntity): boolean {
  return run.version === 1;
}
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
  /** Queue mode: a claim's writes count only while it holds at least this much longer (see RunClaim). */
  fenceMarginMs: number | undefined;

  private readonly postgres: boolean;

  constructor(private readonly db: Database) {
    this.postgres = db.dataSource.options.type === 'postgres';
  }

  /** Claims an unfinished run for this driver; null if another driver holds it (or it has ended). */
  async claim(runId: string): Promise<RunLease | null> {
    const token = randomUUID();
    const now = Date.now();
    const changed = await this.db.runAlone(CLAIM_SQL, [
      token,
      new Date(now + this.leaseMs).toISOString(),
      runId,
      new Date(now).toISOString(),
    ]);
    return changed === 1 ? this.lease(runId, token) : null;
  }

  /**
   * Claims an unfinished run to drive it, marks it running (its first start kept) and reads it,
   * in one statement: the run as claimed, or null (held by another driver, or ended). A run
   * never claimed before comes back with `version` 1 (see `neverDriven`).
   */
  async claimToDrive(runId: string): Promise<ClaimedRun | null> {
    const token = randomUUID();
    const now = Date.now();
    const rows = await this.db.allAlone(CLAIM_TO_DRIVE_SQL, [
      token,
      new Date(now + this.leaseMs).toISOString(),
      runId,
      new Date(now).toISOString(),
    ]);
    const row = rows[0];
    return row ? { lease: this.lease(runId, token), run: runFromRow(row) } : null;
  }

  /** The claim a run was created with (`create`'s `claimFor`). */
  createdClaimed(run: RunEntity, token: string): ClaimedRun {
    return { lease: this.lease(run.id, token), run };
  }

  private lease(runId: string, token: string): RunLease {
    return this.fenceMarginMs === undefined ? { runId, token } : { runId, token, marginMs: this.fenceMarginMs };
  }

  /** Lets go of a claim without a transition (a driver that failed): only while it still holds. */
  async release(lease: RunLease): Promise<void> {
    await this.db.runAlone(RELEASE_SQL, [lease.runId, lease.token]);
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

  /**
   * A write to a claimed run, inside a transaction: exactly one row, or StaleRun (the transaction
   * is rolled back). `set`: columns of the run; `output`, `error` are JSON; `FIRST_TIME` keeps a
   * time already set (the first start).
   */
  async fenced(m: EntityManager, lease: RunLease, set: RunSet, release = false): Promise<void> {
    const { sql, params } = fencedRunWrite(lease, set, release, this.leaseMs);
    if ((await this.db.run(m, sql, params)) !== 1) throw new StaleRun(lease.runId);
  }

  /** `fenced` as a transaction by itself (a journal write or a transition with nothing else to write beside it). */
  async fencedAlone(lease: RunLease, set: RunSet, release = false): Promise<void> {
    const { sql, params } = fencedRunWrite(lease, set, release, this.leaseMs);
    if ((await this.db.runAlone(sql, params)) !== 1) throw new StaleRun(lease.runId);
  }

  /**
   * `fencedAlone` with one more condition of the caller's (`also`: its SQL, its parameters pushed
   * onto the write's): the rows changed, 0 when the fence or the condition refused the write.
   */
  async fencedAloneIf(
    lease: RunLease,
    set: RunSet,
    also: (params: SqlParam[]) => string,
    release = false,
  ): Promise<number> {
    const { sql, params } = fencedRunWrite(lease, set, release, this.leaseMs);
    return this.db.runAlone(`${sql} AND ${also(params)}`, params);
  }

  /**
   * A new run, queued; `claimFor`: created already claimed under this token (version 1, as
   * `claimToDrive` leaves a run never driven), for its driver in this process (see
   * RunScheduler.drivesHere): one statement fewer than a claim after. It stays queued until its
   * driver's first write marks it running.
   */
  async create(run: NewRun, steps: NewStep[], m?: EntityManager, claimFor?: string): Promise<RunEntity> {
    return (await this.insert(run, steps, m, claimFor)).row;
  }

  /** `create` with `claimFor` a new token, for the driver in this process: the run, its claim and its steps. */
  async createClaimed(run: NewRun, steps: NewStep[]): Promise<ClaimedRun> {
    const token = randomUUID();
    const { row, stepRows } = await this.insert(run, steps, undefined, token);
    return { ...this.createdClaimed(row, token), steps: stepRows };
  }

  private async insert(
    run: NewRun,
    steps: NewStep[],
    m: EntityManager | undefined,
    claimFor: string | undefined,
  ): Promise<{ row: RunEntity; stepRows: StepEntity[] }> {
    const now = nowIso();
    const claimed = claimFor !== undefined && !run.failure;
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
      version: claimed ? 1 : 0,
      leaseOwner: claimed ? claimFor : null,
      leaseUntil: claimed ? new Date(Date.parse(now) + this.leaseMs).toISOString() : null,
      connectionTarget: run.connectionTarget,
      dryRun: run.dryRun,
      reason: run.reason ?? null,
      input: run.input ?? null,
      output: null,
      error: run.failure ?? null,
      snapshot: null,
      createdAt: now,
      startedAt: null,
      endedAt: run.failure ? now : null,
    };
    const stepRows = steps.map((step, position) => newStepRow(row.id, step, position));
    const write = async (tx: EntityManager) => {
      await this.db.run(
        tx,
        INSERT_RUN_SQL,
        RUN_COLUMNS.map((c) => (c === 'input' || c === 'output' || c === 'error' ? json(row[c]) : row[c])),
      );
      for (const step of stepRows) await this.db.run(tx, INSERT_STEP_SQL, stepParams(step));
      return { row, stepRows };
    };
    return m ? write(m) : this.db.transaction(write);
  }

  async find(id: string): Promise<RunEntity | null> {
    const row = (await this.db.all(this.db.reader, SELECT_RUN_SQL, [id]))[0];
    return row ? runFromRow(row) : null;
  }

  async steps(runId: string): Promise<StepEntity[]> {
    return (await this.db.all(this.db.reader, STEPS_OF_RUN_SQL, [runId])).map(stepFromRow);
  }

  async view(id: string): Promise<RunView | null> {
    const run = await this.find(id);
    return run ? { ...toSummary(run), steps: (await this.steps(id)).map(toStepView) } : null;
  }

  /** A page of runs, newest first (see listRuns). */
  list(query: RunQuery): Promise<Page<RunSummary>> {
    return listRuns(this.db.reader, query);
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
    const ended = isEnd(status);
    // Nothing to write beside the run's own row: one fenced statement, a transaction by itself.
    if (!(ended && options.parentRunId)) return this.fencedAlone(lease, transitionSet(status, fields), ended);
    await this.db.transaction((m) => this.transition(m, lease, status, fields, options));
  }

  /** `setRunStatus` inside the caller's transaction (with the last journal rows of the run). */
  async transition(
    m: EntityManager,
    lease: RunLease,
    status: RunStatus,
    fields: Partial<Pick<RunEntity, 'output' | 'error' | 'snapshot'>> & Pick<RunSet, 'journal' | 'startedAt'> = {},
    options: { parentRunId?: string | null } = {},
  ): Promise<void> {
    const ended = isEnd(status);
    await this.fenced(m, lease, transitionSet(status, fields), ended);
    if (ended && options.parentRunId)
      await this.deliver(
        m,
        options.parentRunId,
        { type: 'riposte.child', runId: lease.runId, status },
        `child:${lease.runId}`,
      );
  }

  /** `park` inside the caller's transaction (with the last journal rows of the run). */
  async parkIn(
    m: EntityManager,
    lease: RunLease,
    wakeAt: string | null,
    waits: string | null,
    fields: Pick<RunSet, 'snapshot' | 'journal' | 'startedAt'> = {},
  ): Promise<void> {
    await this.fenced(m, lease, { ...fields, status: 'waiting', wakeAt, waits }, true);
  }

  /** The run waits: until `wakeAt`, or until an event arrives in its inbox. `waits`: what its parked steps wait for (JSON). The claim is let go. */
  async park(lease: RunLease, wakeAt: string | null, waits: string | null): Promise<void> {
    await this.fencedAlone(lease, { status: 'waiting', wakeAt, waits }, true);
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

  /** A step's change, counted only while `lease` holds the run (else StaleRun, nothing written). */
  async setStep(
    lease: RunLease,
    stepKey: string,
    change: {
      status: StepStatus;
      output?: unknown;
      error?: { code: string; message: string } | null;
      countAttempt?: boolean;
      /** The first start's time, when the caller keeps it (else the database's clock at this write). */
      startedAt?: string;
    },
  ): Promise<void> {
    const params: SqlParam[] = [change.status];
    const assignments = ['status = $1'];
    const add = (sql: string, value: SqlParam) => {
      params.push(value);
      assignments.push(sql.replace('?', `$${params.length}`));
    };
    if (change.countAttempt) assignments.push('attempts = attempts + 1');
    if (change.status === 'running') add('"startedAt" = COALESCE("startedAt", ?)', change.startedAt ?? nowIso());
    if (change.output !== undefined) add('output = ?', json(change.output));
    if (change.error !== undefined) add('error = ?', json(change.error));
    if (isFinishedStep(change.status)) add('"endedAt" = ?', nowIso());
    params.push(lease.runId, stepKey);
    const where = `"runId" = $${params.length - 1} AND "stepKey" = $${params.length}`;
    const sql = `UPDATE steps SET ${assignments.join(', ')} WHERE ${where} AND ${claimHeld(this.postgres, lease, params)}`;
    // One UPDATE, no read: counters and first-start times are computed by the database; fenced in
    // the same statement, so it is a transaction by itself.
    if ((await this.db.runAlone(sql, params)) === 0) throw new StaleRun(lease.runId);
  }
}
