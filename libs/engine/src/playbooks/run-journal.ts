import { randomUUID } from 'node:crypto';
import type { LoopStepRecord, RunContext, StepState } from '@riposte/playbooks';
import type { EntityManager } from 'typeorm';
import { Database, nowIso, RunEventEntity, RunInboxEntity, type SqlParam, StepEntity } from '@riposte/persistence';
import { json, type RunLease, type RunStore, StaleRun } from '../run-store.js';
import { redactor } from '@riposte/observability';

type StepRow = Partial<Omit<StepEntity, 'id' | 'runId' | 'stepKey' | 'position'>>;

/**
 * Writes a playbook run as it goes: after every transition of its machine, the persisted
 * snapshot, the steps whose state changed and the timeline events they imply, in one
 * transaction. Changes in the same tick are written together.
 */
export class RunJournal {
  private lastSteps: Record<string, StepState> = {};
  private positions = 0;
  private known = new Set<string>();
  private pendingRows = new Map<string, StepRow>();
  private pendingEvents: Omit<RunEventEntity, 'seq'>[] = [];
  private consumedInbox: number[] = [];
  private latest: { snapshot: unknown } | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private scheduled = false;

  private readonly runId: string;
  /** A write refused because another driver holds the run: every later flush reports it, so the driver stops. */
  private stale: StaleRun | undefined;

  constructor(
    private readonly db: Database,
    private readonly store: RunStore,
    private readonly lease: RunLease,
    private readonly dryRun: boolean,
    private readonly actionOf: (stepId: string) => string | null,
  ) {
    this.runId = lease.runId;
  }

  /** `fresh`: the run has never been driven, so it has no step rows to read. */
  async open(context: RunContext | undefined, fresh: boolean): Promise<void> {
    const rows = fresh
      ? []
      : await this.db.reader.find(StepEntity, { where: { runId: this.runId }, select: { stepKey: true } });
    this.known = new Set(rows.map((r) => r.stepKey));
    this.positions = rows.length;
    this.lastSteps = context?.steps ?? {};
  }

  /** Called with every snapshot of the machine. */
  onSnapshot(snapshot: unknown, context: RunContext): void {
    const status = (snapshot as { status?: string }).status;
    if (status !== 'active' && status !== 'done') return;
    // Diffed now, not when written, so rows and events keep the order things happened in.
    this.diff(context);
    this.latest = { snapshot };
    this.schedule();
  }

  /** Writes at the end of this tick: what a transition and the actions it starts change goes in one transaction. */
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      this.background();
    });
  }

  event(type: string, stepKey: string | null, detail: Record<string, unknown> | null = null): void {
    this.pendingEvents.push({
      runId: this.runId,
      at: nowIso(),
      type,
      stepKey,
      detail: detail ? redactor.redact(detail) : null,
    });
  }

  /** An action step's input, connection and attempt, as the executor sees them. */
  recordAttempt(
    stepKey: string,
    row: { action: string; input: Record<string, unknown>; connectionTarget: string | null; attempts: number },
  ): void {
    // Running again also after a guardrail hold, which the machine's context does not know about.
    this.mergeRow(stepKey, { ...row, status: 'running', input: redactor.redact(row.input) });
    this.schedule();
  }

  recordLoopStep(stepKey: string, record: LoopStepRecord): Promise<void> {
    const now = nowIso();
    const status = this.dryRun && record.status === 'succeeded' ? 'planned' : record.status;
    this.mergeRow(stepKey, {
      stepId: record.stepId,
      action: record.action,
      status,
      ...(record.status === 'running' ? { startedAt: now } : { endedAt: now }),
      ...(record.output !== undefined ? { output: redactor.redact(record.output) } : {}),
      ...(record.error !== undefined ? { error: record.error } : {}),
      ...(record.attempts !== undefined ? { attempts: record.attempts } : {}),
    });
    this.event(`step.${status}`, stepKey, record.error ? { error: record.error } : null);
    return this.flush();
  }

  /** A step a guardrail holds until an analyst decides. */
  held(stepKey: string, kind: string, prompt: string): void {
    this.mergeRow(stepKey, { status: 'waiting' });
    this.event('guardrail.held', stepKey, { kind, prompt });
  }

  /** A step that waits parked (its next attempt, the next check of its machine action, its child run). */
  stepWaits(stepKey: string, type: string, detail: Record<string, unknown> | null): void {
    this.mergeRow(stepKey, { status: 'waiting' });
    this.event(type, stepKey, detail);
  }

  consumed(inboxSeqs: number[]): void {
    this.consumedInbox.push(...inboxSeqs);
  }

  /** Writes what is pending. Serialized: flushes never overlap. Rejects with StaleRun once a write found the run held by another driver. */
  async flush(): Promise<void> {
    this.background();
    await this.flushing;
    if (this.stale) throw this.stale;
  }

  /**
   * Writes what is pending and the run's transition (its end, or its park) in the same
   * transaction: `transition` makes the fenced write of the run, with the snapshot when there is
   * a new one. Rejects with the write's error (StaleRun included).
   */
  async close(transition: (m: EntityManager, snapshot: { snapshot?: string }) => Promise<void>): Promise<void> {
    const done = this.flushing.then(() => {
      if (this.stale) throw this.stale;
      return this.write(transition);
    });
    this.flushing = done.catch((error: unknown) => {
      if (error instanceof StaleRun) this.stale = error;
    });
    await done;
  }

  private background(): void {
    this.flushing = this.flushing
      .then(() => (this.stale ? undefined : this.write()))
      .catch((error: unknown) => {
        if (error instanceof StaleRun) this.stale = error;
      });
  }

  private async write(
    transition?: (m: EntityManager, snapshot: { snapshot?: string }) => Promise<void>,
  ): Promise<void> {
    const latest = this.latest;
    this.latest = undefined;
    if (
      !transition &&
      !latest &&
      this.pendingRows.size === 0 &&
      this.pendingEvents.length === 0 &&
      this.consumedInbox.length === 0
    )
      return;
    const rows = this.pendingRows;
    const events = this.pendingEvents;
    const inbox = this.consumedInbox;
    this.pendingRows = new Map();
    this.pendingEvents = [];
    this.consumedInbox = [];
    // Decided before the transaction, which may be run again (see Database): it only writes.
    const inserts = [...rows]
      .filter(([stepKey]) => !this.known.has(stepKey))
      .map(([stepKey, row]) => this.newRow(stepKey, row));
    const updates = [...rows].filter(([stepKey, row]) => this.known.has(stepKey) && Object.keys(row).length > 0);
    await this.db.transaction(async (m) => {
      for (let i = 0; i < inserts.length; i += ROWS_PER_INSERT) {
        const chunk = inserts.slice(i, i + ROWS_PER_INSERT);
        await this.db.run(m, insertSql('steps', STEP_COLUMNS, chunk.length), chunk.flatMap(stepParams));
      }
      for (const [stepKey, row] of updates) await this.updateStep(m, stepKey, row);
      for (let i = 0; i < events.length; i += ROWS_PER_INSERT) {
        const chunk = events.slice(i, i + ROWS_PER_INSERT);
        await this.db.run(m, insertSql('run_events', EVENT_COLUMNS, chunk.length), chunk.flatMap(eventParams));
      }
      if (inbox.length) await m.delete(RunInboxEntity, inbox);
      // Fenced: counts only while this driver still holds the run (rolled back otherwise).
      const snapshot = latest ? { snapshot: JSON.stringify(latest.snapshot) } : {};
      if (transition) await transition(m, snapshot);
      else await this.store.fenced(m, this.lease, snapshot);
    });
    for (const row of inserts) this.known.add(row.stepKey);
  }

  private async updateStep(m: EntityManager, stepKey: string, row: StepRow): Promise<void> {
    const params: SqlParam[] = [];
    const assignments: string[] = [];
    for (const column of STEP_ROW_COLUMNS) {
      if (!(column in row)) continue;
      const value = row[column];
      params.push(JSON_COLUMNS.has(column) ? json(value) : ((value ?? null) as SqlParam));
      assignments.push(`"${column}" = $${params.length}`);
    }
    params.push(this.runId, stepKey);
    await this.db.run(
      m,
      `UPDATE steps SET ${assignments.join(', ')} WHERE "runId" = $${params.length - 1} AND "stepKey" = $${params.length}`,
      params,
    );
  }

  /** Step states that changed since the last snapshot become step rows and timeline events. */
  private diff(context: RunContext): void {
    for (const [stepId, state] of Object.entries(context.steps)) {
      const before = this.lastSteps[stepId];
      if (
        before &&
        before.status === state.status &&
        before.endedAt === state.endedAt &&
        before.approval?.decision === state.approval?.decision
      )
        continue;
      const action = this.actionOf(stepId);
      const status = this.dryRun && action && state.status === 'succeeded' ? 'planned' : state.status;
      this.mergeRow(stepId, {
        stepId,
        action,
        status,
        startedAt: state.startedAt ?? null,
        endedAt: state.endedAt ?? null,
        output: state.output === undefined ? null : redactor.redact(state.output),
        error: state.error ?? null,
        ...(state.attempts ? { attempts: state.attempts } : {}),
        ...(state.approval && !action ? { input: { approval: state.approval } } : {}),
      });
      if (state.approval && state.status === 'waiting')
        this.event('approval.requested', stepId, {
          prompt: state.approval.prompt,
          approvers: state.approval.approvers,
          deadline: state.approval.deadline,
          ...(state.approval.channel ? { channel: state.approval.channel } : {}),
        });
      else if (state.approval?.decision && before?.approval?.decision !== state.approval.decision)
        this.event('approval.decided', stepId, {
          decision: state.approval.decision,
          by: state.approval.by,
          comment: state.approval.comment,
          timedOut: state.approval.timedOut,
        });
      else this.event(`step.${status}`, stepId, state.error ? { error: state.error } : null);
    }
    this.lastSteps = context.steps;
  }

  private mergeRow(stepKey: string, row: StepRow): void {
    this.pendingRows.set(stepKey, { ...this.pendingRows.get(stepKey), ...row });
  }

  private newRow(stepKey: string, row: StepRow): StepEntity {
    return {
      id: randomUUID(),
      runId: this.runId,
      position: this.positions++,
      stepKey,
      stepId: row.stepId ?? stepKey.replace(/\[\d+\]$/, ''),
      action: row.action ?? null,
      connectionTarget: row.connectionTarget ?? null,
      status: row.status ?? 'running',
      attempts: row.attempts ?? 0,
      input: row.input ?? null,
      output: row.output ?? null,
      error: row.error ?? null,
      startedAt: row.startedAt ?? null,
      endedAt: row.endedAt ?? null,
    };
  }
}

/** Rows per INSERT statement: each count has its own prepared statement. */
const ROWS_PER_INSERT = 8;
const STEP_COLUMNS = [
  'id',
  'runId',
  'position',
  'stepKey',
  'stepId',
  'action',
  'connectionTarget',
  'status',
  'attempts',
  'input',
  'output',
  'error',
  'startedAt',
  'endedAt',
] as const;
/** The columns a step row's update may set, in a fixed order (one statement per set of columns). */
const STEP_ROW_COLUMNS = STEP_COLUMNS.filter(
  (c): c is Exclude<(typeof STEP_COLUMNS)[number], 'id' | 'runId' | 'position' | 'stepKey'> =>
    !['id', 'runId', 'position', 'stepKey'].includes(c),
);
const JSON_COLUMNS = new Set<string>(['input', 'output', 'error', 'detail']);
const EVENT_COLUMNS = ['runId', 'at', 'type', 'stepKey', 'detail'] as const;

const insertSqlCache = new Map<string, string>();

/** `INSERT INTO table (columns) VALUES ($1, …), (…)` for `rows` rows. */
function insertSql(table: string, columns: readonly string[], rows: number): string {
  const key = `${table}:${rows}`;
  let sql = insertSqlCache.get(key);
  if (!sql) {
    const values = Array.from(
      { length: rows },
      (_, r) => `(${columns.map((_, c) => `$${r * columns.length + c + 1}`).join(', ')})`,
    );
    sql = `INSERT INTO ${table} (${columns.map((c) => `"${c}"`).join(', ')}) VALUES ${values.join(', ')}`;
    insertSqlCache.set(key, sql);
  }
  return sql;
}

function stepParams(row: StepEntity): SqlParam[] {
  return STEP_COLUMNS.map((c) => (JSON_COLUMNS.has(c) ? json(row[c]) : (row[c] as SqlParam)));
}

function eventParams(event: Omit<RunEventEntity, 'seq'>): SqlParam[] {
  return [event.runId, event.at, event.type, event.stepKey, json(event.detail)];
}
